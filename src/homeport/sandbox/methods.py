"""What an approval answers per payment method, in KCP's field names (kcp.md §6.5, §7, §11-12).

The approval endpoint (``/gw/enc/v1/payment``), batch-key payments and key-in payments
(``/gw/hub/v1/payment``) all answer a common head (``res_cd`` ... ``escw_yn``) and the fields
of the method used; inquiry replays those fields. Field names kcp.md lists are used as listed;
names it does not list are the sandbox's KCP-style guesses, each marked
``unverified against KCP``. Values are strings, amounts too (§2).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from homeport.sandbox.clock import kcp_time, parse_kcp_time
from homeport.sandbox.context import Sandbox

PACA, PABK, PAVC, PAMC, PAPT, PATK = "PACA", "PABK", "PAVC", "PAMC", "PAPT", "PATK"
PAY_TYPES = (PACA, PABK, PAVC, PAMC, PAPT, PATK)

#: Installments only from this amount up (kcp.md §10.1): windows offer them, the hub checks ``quota``.
INSTALLMENT_MINIMUM = 50_000

#: The merchant business number the sandbox reports (10 digits; not a real company's).
SANDBOX_TAXNO = "1234567890"

#: Issuer ``card_cd`` -> (card_name, acquirer ``acqu_cd``, 4-digit ``card_bank_cd``).
#: Names and the BC-network acquiring are kcp.md §11.5; the bank codes are sandbox picks.
CARDS: dict[str, tuple[str, str, str]] = {
    "CCKM": ("KB국민카드", "CCKM", "0381"),
    "CCNH": ("NH농협카드", "CCNH", "0371"),
    "CCSG": ("신세계한미", "CCSG", "0391"),
    "CCCT": ("씨티카드", "CCCT", "0331"),
    "CCHM": ("한미카드", "CCHM", "0341"),
    "CVSF": ("해외비자", "CVSF", "0601"),
    "CCAM": ("롯데아멕스", "CCAM", "0611"),
    "CCLO": ("롯데카드", "CCLO", "0312"),
    "CCBC": ("BC카드", "CCBC", "0361"),
    "CCWR": ("우리카드", "CCWR", "0301"),
    "CCHN": ("하나카드", "CCHN", "0374"),
    "CCSS": ("삼성카드", "CCSS", "0311"),
    "CCKJ": ("광주카드", "CCBC", "0364"),
    "CCSU": ("수협카드", "CCBC", "0307"),
    "CCJB": ("전북카드", "CCBC", "0337"),
    "CCCJ": ("제주카드", "CCBC", "0335"),
    "CCLG": ("신한카드", "CCLG", "0321"),
    "CMCF": ("해외마스터", "CMCF", "0602"),
    "CJCF": ("해외JCB", "CJCF", "0603"),
    "CCKE": ("하나(외환)카드", "CCKE", "0375"),
    "CCDI": ("현대카드", "CCDI", "0366"),
    "CCUF": ("은련카드", "CCUF", "0604"),
}
DEFAULT_CARD = "CCBC"
#: Issuers key-in cards are assigned to, by their BIN (deterministic; real BIN tables differ).
_KEYIN_ISSUERS = ("CCBC", "CCKM", "CCSS", "CCLG", "CCHN", "CCDI", "CCLO", "CCNH", "CCWR")

#: 2-digit bank code -> name (kcp.md §11.6). REST answers ``BK`` + these two digits.
BANKS: dict[str, str] = {
    "39": "경남은행",
    "34": "광주은행",
    "04": "국민은행",
    "03": "기업은행",
    "11": "농협",
    "31": "대구은행",
    "64": "산림조합",
    "45": "새마을금고",
    "07": "수협",
    "88": "신한은행",
    "26": "신한은행",
    "48": "신협",
    "20": "우리은행",
    "71": "우체국",
    "35": "제주은행",
    "27": "한국씨티은행",
    "23": "SC제일은행",
    "02": "산업은행",
    "37": "전북은행",
    "81": "KEB하나은행",
    "32": "부산은행",
    "89": "케이뱅크",
    "90": "카카오뱅크",
}
#: Banks that issue virtual accounts (kcp.md §11.6, "vbank-capable"; 신한 is 26 there).
VBANK_BANKS = ("03", "04", "20", "07", "11", "32", "23", "26", "81", "34", "71", "31", "39")
DEFAULT_VBANK = "04"
DEFAULT_TRANSFER_BANK = "04"
#: Stage virtual accounts name this depositor (kcp.md §9.5).
STAGE_DEPOSITOR = "한국사이버결제"

PHONE_CARRIERS = ("SKT", "KTF", "LGT", "SKL", "KTL", "LGL")
POINT_ISSUERS = {"SCSK": "OK캐쉬백", "SCWB": "복지포인트"}
GIFT_ISSUERS = {"SCCL": "문화상품권", "SCBL": "도서상품권", "SCHM": "해피머니", "SCSM": "스마트문화상품권"}
#: What a point account holds before a payment (the sandbox's pick).
POINT_BALANCE = 1_000_000


def bank_code_of(text: str) -> str | None:
    """The 2-digit bank code in ``BKxx`` or ``xx``; None if it is not a known bank."""
    code = text[2:] if text.upper().startswith("BK") else text
    return code if code in BANKS else None


def luhn_valid(number: str) -> bool:
    """Whether a card number passes the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def mask_card(number: str) -> str:
    """``NNNNNN******NNNN`` (kcp.md §12): the first six and last four digits shown."""
    if "*" in number:  # masked already (windows hand back masked numbers)
        return number
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 12:
        return digits
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def vat_of(amount: int) -> int:
    """VAT inside a taxable amount: amount / 11, rounded to the nearest won."""
    return (amount + 5) // 11


@dataclass(frozen=True)
class Card:
    """The card behind a card payment, as approval responses describe it."""

    card_cd: str = DEFAULT_CARD
    card_name: str = ""
    card_no: str = ""  # masked
    quota: str = "00"
    noinf: str = "N"
    partcanc_yn: str = "Y"
    card_bin_type_01: str = "0"
    card_bin_type_02: str = "0"
    card_pay_method: str = ""
    isp_issuer_cd: str = ""
    isp_issuer_nm: str = ""

    @property
    def name(self) -> str:
        """The issuer's name (the one chosen, else the table's)."""
        return self.card_name or CARDS.get(self.card_cd, (self.card_cd, "", ""))[0]

    @property
    def acquirer(self) -> tuple[str, str]:
        """``acqu_cd`` and ``acqu_name``."""
        acqu_cd = CARDS.get(self.card_cd, ("", self.card_cd, ""))[1]
        return acqu_cd, CARDS.get(acqu_cd, (self.name, "", ""))[0]

    @property
    def bank_cd(self) -> str:
        """``card_bank_cd`` / ``card_bin_bank_cd`` (4 digits)."""
        return CARDS.get(self.card_cd, ("", "", "0000"))[2]

    @classmethod
    def from_selection(cls, selection: dict[str, Any]) -> Card:
        """The card a buyer chose in a window (``selection`` keys, see auths.py)."""

        def pick(key: str, default: str) -> str:
            value = selection.get(key)
            return str(value) if value not in (None, "") else default

        return cls(
            card_cd=pick("card_cd", DEFAULT_CARD),
            card_name=pick("card_name", ""),
            card_no=mask_card(pick("card_no", "")) or pick("card_mask_no", ""),
            quota=pick("quota", "00").zfill(2),
            noinf=pick("noinf", "N"),
            partcanc_yn=pick("partcanc_yn", "Y"),
            card_bin_type_01=pick("card_bin_type_01", "0"),
            card_bin_type_02=pick("card_bin_type_02", "0"),
            card_pay_method=pick("card_pay_method", pick("easy_pay", "")),
            isp_issuer_cd=pick("isp_issuer_cd", ""),
            isp_issuer_nm=pick("isp_issuer_nm", ""),
        )

    @classmethod
    def from_number(cls, number: str, quota: str = "00") -> Card:
        """A key-in card: the issuer follows from the BIN, deterministically."""
        issuer = _KEYIN_ISSUERS[int(number[:6]) % len(_KEYIN_ISSUERS)]
        return cls(card_cd=issuer, card_no=mask_card(number), quota=quota)

    @classmethod
    def from_batch_key(cls, key: dict[str, Any], quota: str = "00") -> Card:
        """The card a billing key was issued for."""
        return cls(
            card_cd=str(key.get("card_cd") or DEFAULT_CARD),
            card_name=str(key.get("card_name") or ""),
            card_no=str(key.get("card_mask_no") or ""),
            quota=quota,
            card_bin_type_01=str(key.get("card_bin_type_01") or "0"),
            card_bin_type_02=str(key.get("card_bin_type_02") or "0"),
        )


def card_fields(
    sandbox: Sandbox, card: Card, *, amount: int, tno: str, app_time: str, ordr_idxx: str
) -> dict[str, str]:
    """A card approval's fields: the field list of a real batch-key payment (kcp.md §6.5)."""
    acqu_cd, acqu_name = card.acquirer
    vat = vat_of(amount)
    fields = {
        "card_cd": card.card_cd,
        "card_name": card.name,
        "card_no": card.card_no,
        "app_no": sandbox.new_digits(8),
        "quota": card.quota,
        "noinf": card.noinf,
        "partcanc_yn": card.partcanc_yn,
        "card_bin_type_01": card.card_bin_type_01,
        "card_bin_type_02": card.card_bin_type_02,
        "card_bin_bank_cd": card.bank_cd,
        "acqu_cd": acqu_cd,
        "acqu_name": acqu_name,
        "card_mny": str(amount),
        "coupon_mny": "0",
        "use_point": "0",
        "van_cd": "VNKC",
        "van_apptime": app_time,
        "cert_no": tno,
        # The values of these four are the sandbox's guesses; kcp.md names the fields only.
        "pg_txid": app_time[2:] + tno,  # unverified against KCP (format)
        "trace_no": "",  # unverified against KCP (value)
        "ca_order_id": ordr_idxx,  # unverified against KCP (value)
        "join_cd": "",  # unverified against KCP (value)
        "mall_taxno": SANDBOX_TAXNO,
        "mcht_taxno": SANDBOX_TAXNO,
        "bizx_numb": SANDBOX_TAXNO,
        "res_tax_flag": "TG01",
        "res_tax_mny": str(amount - vat),
        "res_vat_mny": str(vat),
        "res_free_mny": "0",
        "res_green_deposit_mny": "0",
    }
    if card.card_pay_method:
        # The window returns card_pay_method for easy-pay (kcp.md §10.1); that the approval
        # repeats it is unverified against KCP.
        fields["card_pay_method"] = card.card_pay_method
    if card.isp_issuer_cd:
        fields["isp_issuer_cd"] = card.isp_issuer_cd
        fields["isp_issuer_nm"] = card.isp_issuer_nm
    return fields


def transfer_fields(selection: dict[str, Any], *, amount: int, app_time: str) -> dict[str, str]:
    """A bank transfer's fields."""
    code = bank_code_of(str(selection.get("bank_code") or "")) or DEFAULT_TRANSFER_BANK
    return {
        "bank_name": str(selection.get("bank_name") or BANKS[code]),
        "bank_code": "BK" + code,
        "bk_mny": str(amount),  # unverified against KCP
        "bk_app_time": app_time,  # unverified against KCP
    }


def new_account(sandbox: Sandbox) -> str:
    """A fresh stage-style virtual account: ``T`` + 13 digits (kcp.md §9.5)."""
    return sandbox.new_key("vbank", lambda: "T" + sandbox.new_digits(13))


def default_va_date(sandbox: Sandbox) -> str:
    """Stage's default deadline: the issue date + 7 days, 23:59:59 (kcp.md §9.5)."""
    day = sandbox.clock.now() + dt.timedelta(days=7)
    return kcp_time(day)[:8] + "235959"


def valid_va_date(text: str) -> bool:
    """Whether a deadline is ``YYYYMMDD`` or ``YYYYMMDDHHMMSS``."""
    if not text.isascii() or not text.isdigit() or len(text) not in (8, 14):
        return False
    try:
        parse_kcp_time(text)
    except ValueError:
        return False
    return True


def vbank_fields(sandbox: Sandbox, selection: dict[str, Any], *, account: str) -> dict[str, str]:
    """A virtual account's fields (the names of a stage vbank approval, kcp.md §7, §9.5)."""
    code = bank_code_of(str(selection.get("bankcode") or "")) or DEFAULT_VBANK
    va_date = str(selection.get("va_date") or "")
    if not valid_va_date(va_date):
        va_date = default_va_date(sandbox)
    elif len(va_date) == 8:
        va_date += "235959"
    return {
        "bankname": str(selection.get("bankname") or BANKS[code]),
        "bankcode": "BK" + code,
        "account": account,
        "depositor": str(selection.get("depositor") or STAGE_DEPOSITOR),
        "va_date": va_date,
    }


def phone_fields(sandbox: Sandbox, selection: dict[str, Any], *, app_time: str) -> dict[str, str]:
    """A mobile-phone payment's fields."""
    commid = str(selection.get("commid") or "SKT")
    return {
        "commid": commid if commid in PHONE_CARRIERS else "SKT",
        "mobile_no": str(selection.get("mobile_no") or "01000000000"),
        "van_cd": str(selection.get("van_cd") or "SCDA"),  # unverified against KCP (value)
        "hp_app_time": app_time,  # unverified against KCP
    }


def point_fields(
    sandbox: Sandbox, selection: dict[str, Any], *, amount: int, app_time: str
) -> dict[str, str]:
    """A point payment's fields (``pnt_amount``, ``pnt_app_time``, ``pnt_app_no``, ``rsv_pnt``: §7)."""
    issuer = str(selection.get("pnt_issue") or "SCSK")
    return {
        "pnt_issue": issuer if issuer in POINT_ISSUERS else "SCSK",  # unverified against KCP
        "pnt_app_no": sandbox.new_digits(8),
        "pnt_app_time": app_time,
        "pnt_amount": str(amount),
        "add_pnt": "0",  # unverified against KCP
        "use_pnt": str(amount),  # unverified against KCP
        "rsv_pnt": str(max(POINT_BALANCE - amount, 0)),
    }


def gift_fields(sandbox: Sandbox, selection: dict[str, Any], *, amount: int, app_time: str) -> dict[str, str]:
    """A gift-certificate payment's fields; every name here is unverified against KCP."""
    issuer = str(selection.get("tk_van_code") or "SCCL")
    return {
        "tk_van_code": issuer if issuer in GIFT_ISSUERS else "SCCL",  # unverified against KCP
        "tk_app_no": sandbox.new_digits(8),  # unverified against KCP
        "tk_app_time": app_time,  # unverified against KCP
        "tk_mny": str(amount),  # unverified against KCP
    }


def approval_fields(
    sandbox: Sandbox,
    pay_type: str,
    selection: dict[str, Any],
    *,
    amount: int,
    tno: str,
    app_time: str,
    ordr_idxx: str,
) -> dict[str, str]:
    """The method-specific fields of an approval of ``pay_type``.

    For ``PAVC`` the caller stores the account the fields name (see :func:`new_account`).
    """
    if pay_type == PACA:
        card = Card.from_selection(selection)
        return card_fields(sandbox, card, amount=amount, tno=tno, app_time=app_time, ordr_idxx=ordr_idxx)
    if pay_type == PABK:
        return transfer_fields(selection, amount=amount, app_time=app_time)
    if pay_type == PAVC:
        return vbank_fields(sandbox, selection, account=new_account(sandbox))
    if pay_type == PAMC:
        return phone_fields(sandbox, selection, app_time=app_time)
    if pay_type == PAPT:
        return point_fields(sandbox, selection, amount=amount, app_time=app_time)
    if pay_type == PATK:
        return gift_fields(sandbox, selection, amount=amount, app_time=app_time)
    raise ValueError(f"unknown pay_type {pay_type}")


def batch_key_fields(sandbox: Sandbox, card: Card, *, batch_key: str) -> dict[str, str]:
    """What a batch-key issuance answers besides res_cd/res_msg (kcp.md §6.3); no tno."""
    return {
        "batch_key": batch_key,
        "card_cd": card.card_cd,
        "card_name": card.name,
        "card_bank_cd": card.bank_cd,
        "card_bin_type_01": card.card_bin_type_01,
        "card_bin_type_02": card.card_bin_type_02,
        "van_tx_id": sandbox.new_digits(16),  # unverified against KCP (format)
        "join_cd": "",  # unverified against KCP (value)
    }


def trade_hash(site_cd: str, ordr_idxx: str, good_mny: str) -> str:
    """``hashData`` of a trade registration: the sandbox's own deterministic digest."""
    return hashlib.sha256(f"{site_cd}{ordr_idxx}{good_mny}".encode()).hexdigest()
