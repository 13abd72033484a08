"""KCP's request and response shapes: KCP's field names live here (and in methods/codes).

Every request is a JSON object whose values are all strings, amounts included (kcp.md §2).
Builders take homeport's values and return ``dict[str, str]``; readers take KCP's answer (a
JSON object, values read as text whatever their JSON type) and return small typed values.
Signing is the caller's: builders take ``kcp_sign_data`` ready-made, and the sign strings
(§3.3) are built by :func:`cancel_sign_string` and :func:`inquiry_sign_string`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from homeport.domain.errors import InvalidRequest
from homeport.domain.money import Won

# --- endpoints and constants (kcp.md §0, §11.2) ---------------------------------------------

REGISTER_PATH = "/std/tradeReg/register"
PAYMENT_PATH = "/gw/enc/v1/payment"
HUB_PATH = "/gw/hub/v1/payment"
CANCEL_PATH = "/gw/mod/v1/cancel"
INQUIRY_PATH = "/std/inquery"  # sic: KCP's spelling

TRAN_PAYMENT = "00100000"
TRAN_BATCH_KEY = "00300001"
CARD_TX_BATCH_PAY = "11511000"
CARD_TX_KEYIN = "11121000"
#: unverified for REST: the legacy module's key-in batch-key issuance (kcp.md §6.4).
CARD_TX_KEYIN_BATCH_KEY = "12100000"
TX_BATCH_DELETE = "10005010"
#: Virtual account issued by API on the hub (kcp.md §7, §11.2; one source, [L]).
VA_TX_ISSUE = "41100000"

MOD_CANCEL = "STSC"  # full cancel (and a virtual account before deposit)
MOD_PARTIAL_CANCEL = "STPC"
MOD_REFUND = "STHD"  # deposited virtual account, full refund (legacy names, kcp.md §4.1-4.2)
MOD_PARTIAL_REFUND = "STPD"
SUB_FULL_REFUND = "MDSC00"
SUB_PARTIAL_REFUND = "MDSC03"
COMP_ACCOUNT_CHECK = "MDCP01"
#: Escrow delivery registration (배송요청), legacy ``mod_type`` (kcp.md §4.2, §8; REST unverified).
MOD_ESCROW_DELIVERY = "STE1"

CURRENCY_KRW = "410"
SUCCESS_CODES = frozenset({"0000", "V000"})
#: What KCP expects back from a common notification (kcp.md §9.2).
NOTIFICATION_ACK = '<html><body><form><input type="hidden" name="result" value="0000"></form></body></html>'
NOTIFICATION_ACK_TYPE = "text/html; charset=euc-kr"
#: The answer that makes KCP send the notification again (any result but 0000, kcp.md §9.2;
#: merchants commonly answer 9999).
NOTIFICATION_RETRY = '<html><body><form><input type="hidden" name="result" value="9999"></form></body></html>'


# --- reading values -------------------------------------------------------------------------


def text(body: Mapping[str, Any], name: str) -> str:
    """Field ``name`` as stripped text ("" when absent or null; numbers as their digits)."""
    value = body.get(name)
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value).strip()


def digits_or_none(value: str) -> int | None:
    """A whole number written as ASCII digits; None otherwise."""
    raw = value.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 15 else None


def first_amount(body: Mapping[str, Any], *names: str) -> int | None:
    """The first of ``names`` that holds an amount in won."""
    for name in names:
        number = digits_or_none(text(body, name))
        if number is not None:
            return number
    return None


@dataclass(frozen=True)
class Site:
    """What every call carries: the site code and ``kcp_cert_info``."""

    site_cd: str
    cert_info: str = field(repr=False)

    def head(self) -> dict[str, str]:
        """``site_cd`` and ``kcp_cert_info``."""
        return {"site_cd": self.site_cd, "kcp_cert_info": self.cert_info}


@dataclass(frozen=True)
class Buyer:
    """The buyer fields KCP's hub takes (``buyr_*``)."""

    name: str = ""
    email: str = ""
    tel: str = ""

    def fields(self) -> dict[str, str]:
        """``buyr_name``, ``buyr_mail``, ``buyr_tel2``."""
        return {"buyr_name": self.name, "buyr_mail": self.email, "buyr_tel2": self.tel}


def quota(months: int) -> str:
    """``quota``: ``00`` lump sum, else two digits of months."""
    return f"{max(months, 0):02d}"


_EXPIRY = re.compile(r"^(?:20)?(\d{2})-?(\d{2})$")


def card_expiry_yymm(expiry: str) -> str | None:
    """``card_expiry`` (YYMM) from ``YYYY-MM``, ``YYYYMM`` or ``YYMM``; None if not one."""
    found = _EXPIRY.match(expiry.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return None
    return found.group(1) + found.group(2)


def card_digits(number: str) -> str:
    """A card number with spaces and dashes removed."""
    return re.sub(r"[\s-]", "", number)


# --- requests -------------------------------------------------------------------------------


def escrow_fields(escrow: bool) -> dict[str, str]:
    """The escrow switch of registration and window forms (kcp.md §8)."""
    return {"escw_used": "Y" if escrow else "N"}


def register_request(
    site: Site,
    *,
    order_id: str,
    amount: Won,
    name: str,
    pay_method: str,
    return_url: str,
    escrow: bool,
    user_agent: str = "",
) -> dict[str, str]:
    """Mobile trade registration ``/std/tradeReg/register`` (kcp.md §6.2, §10.2)."""
    return {
        **site.head(),
        "ordr_idxx": order_id,
        "good_mny": str(amount),
        "good_name": name,
        "pay_method": pay_method,
        "Ret_URL": return_url,
        **escrow_fields(escrow),
        "user_agent": user_agent,
    }


def approval_request(
    site: Site, *, enc_data: str, enc_info: str, amount: Won, order_id: str, pay_type: str
) -> dict[str, str]:
    """Approval of a window authentication: ``tran_cd`` 00100000 with the stored amount."""
    return {
        **site.head(),
        "tran_cd": TRAN_PAYMENT,
        "enc_data": enc_data,
        "enc_info": enc_info,
        "ordr_mony": str(amount),
        "ordr_no": order_id,
        "pay_type": pay_type,
    }


def batch_key_request(site: Site, *, enc_data: str, enc_info: str) -> dict[str, str]:
    """Batch-key issuance after a window (``tran_cd`` 00300001; no amount, kcp.md §6.3)."""
    return {**site.head(), "tran_cd": TRAN_BATCH_KEY, "enc_data": enc_data, "enc_info": enc_info}


def _card_order(
    *, order_id: str, amount: Won, name: str, installment_months: int, buyer: Buyer, customer_ip: str
) -> dict[str, str]:
    return {
        "pay_method": "CARD",
        "cust_ip": customer_ip,
        "amount": str(amount),
        "card_mny": str(amount),
        "currency": CURRENCY_KRW,
        "quota": quota(installment_months),
        "ordr_idxx": order_id,
        "good_name": name,
        **buyer.fields(),
    }


def batch_pay_request(
    site: Site,
    *,
    batch_key: str,
    group_id: str,
    order_id: str,
    amount: Won,
    name: str,
    installment_months: int = 0,
    buyer: Buyer | None = None,
    customer_ip: str = "",
) -> dict[str, str]:
    """Payment with a batch key on the hub, ``card_tx_type`` 11511000 (kcp.md §6.5)."""
    order = _card_order(
        order_id=order_id,
        amount=amount,
        name=name,
        installment_months=installment_months,
        buyer=buyer or Buyer(),
        customer_ip=customer_ip,
    )
    return {
        **site.head(),
        **order,
        "card_tx_type": CARD_TX_BATCH_PAY,
        "bt_batch_key": batch_key,
        "bt_group_id": group_id,
    }


def _card_fields(
    card_no: str, expiry_yymm: str, birth: str | None, password_2digit: str | None
) -> dict[str, str]:
    """``card_no``, ``card_expiry`` and, for 인증 key-in, ``card_taxno``/``card_pwd``."""
    fields = {"card_no": card_digits(card_no), "card_expiry": expiry_yymm}
    if birth:
        fields["card_taxno"] = birth
    if password_2digit:
        fields["card_pwd"] = password_2digit
    return fields


def keyin_pay_request(
    site: Site,
    *,
    card_no: str,
    expiry_yymm: str,
    birth: str | None,
    password_2digit: str | None,
    order_id: str,
    amount: Won,
    name: str,
    installment_months: int = 0,
    buyer: Buyer | None = None,
    customer_ip: str = "",
) -> dict[str, str]:
    """Key-in (수기) card payment on the hub, ``card_tx_type`` 11121000 (kcp.md §7)."""
    order = _card_order(
        order_id=order_id,
        amount=amount,
        name=name,
        installment_months=installment_months,
        buyer=buyer or Buyer(),
        customer_ip=customer_ip,
    )
    return {
        **site.head(),
        **order,
        "card_tx_type": CARD_TX_KEYIN,
        **_card_fields(card_no, expiry_yymm, birth, password_2digit),
    }


def keyin_batch_key_request(
    site: Site,
    *,
    card_no: str,
    expiry_yymm: str,
    birth: str | None,
    password_2digit: str | None,
    group_id: str,
) -> dict[str, str]:
    """Batch-key issuance by card number. UNVERIFIED against KCP's REST API.

    Only the legacy module is documented (kcp.md §6.4): ``card_tx_type`` 12100000,
    ``sign_txtype`` 0001, ``group_id`` and the card fields; sent to the hub here.
    """
    return {
        **site.head(),
        "pay_method": "CARD",
        "card_tx_type": CARD_TX_KEYIN_BATCH_KEY,
        "sign_txtype": "0001",
        "group_id": group_id,
        **_card_fields(card_no, expiry_yymm, birth, password_2digit),
    }


def batch_delete_request(site: Site, *, batch_key: str, group_id: str) -> dict[str, str]:
    """Batch-key delete on the hub: ``pay_method`` BATCH, ``tx_type`` 10005010 (kcp.md §6.6)."""
    return {
        **site.head(),
        "pay_method": "BATCH",
        "tx_type": TX_BATCH_DELETE,
        "batch_key": batch_key,
        "group_id": group_id,
    }


def cancel_sign_string(site_cd: str, tno: str, mod_type: str) -> str:
    """What ``kcp_sign_data`` signs for a cancel: ``site_cd^tno^mod_type`` (kcp.md §3.3)."""
    return f"{site_cd}^{tno}^{mod_type}"


def inquiry_sign_string(site_cd: str, tno: str, pay_type: str) -> str:
    """What ``kcp_sign_data`` signs for an inquiry: ``site_cd^tno^pay_type`` (kcp.md §3.3)."""
    return f"{site_cd}^{tno}^{pay_type}"


def vbank_issue_request(
    site: Site,
    *,
    order_id: str,
    amount: Won,
    name: str,
    bank_digits: str,
    va_date: str,
    payer_name: str,
    buyer: Buyer,
    tax: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A virtual account by API on the hub: ``pay_method`` VCNT, ``va_txtype`` 41100000 (kcp.md §7).

    The fields are kcp.md §7's list: ``va_mny`` equals ``amount``, ``va_bankcode`` is ``BK`` +
    KCP's 2-digit bank code (§11.6), ``va_date`` the deadline ``YYYYMMDDHHMMSS`` (KST),
    ``va_receipt_gubn`` 0 (no cash receipt asked for here). ``va_name``'s meaning is not in
    kcp.md: homeport sends the name the buyer will deposit under (unverified). ``tax`` (the
    window's ``tax_flag``/``comm_*`` fields, kcp.md §10.1) is unverified on the hub.
    """
    return {
        **site.head(),
        "pay_method": "VCNT",
        "va_txtype": VA_TX_ISSUE,
        "amount": str(amount),
        "va_mny": str(amount),
        "currency": CURRENCY_KRW,
        "ordr_idxx": order_id,
        "good_name": name,
        **buyer.fields(),
        "va_bankcode": "BK" + bank_digits,
        "va_name": payer_name,
        "va_date": va_date,
        "va_receipt_gubn": "0",
        **(tax or {}),
    }


def _modification(site: Site, *, sign_data: str, tno: str, mod_type: str) -> dict[str, str]:
    """The head of every ``/gw/mod/v1/cancel`` request, signed over ``site_cd^tno^mod_type``."""
    return {**site.head(), "kcp_sign_data": sign_data, "tno": tno, "mod_type": mod_type}


@dataclass(frozen=True)
class RefundTo:
    """A vbank refund's account (legacy field names, kcp.md §4.1): KCP 2-digit bank code."""

    bank_digits: str
    account: str
    holder: str = field(repr=False)


def cancel_request(
    site: Site,
    *,
    sign_data: str,
    tno: str,
    mod_type: str,
    reason: str = "",
    amount: Won | None = None,
    remaining_before: Won | None = None,
    refund: RefundTo | None = None,
) -> dict[str, str]:
    """``/gw/mod/v1/cancel`` (kcp.md §4.1).

    ``STPC``/``STPD`` carry ``mod_mny`` (this cancel) and ``rem_mny`` (the balance BEFORE
    it). ``STHD``/``STPD`` carry the refund account with ``mod_sub_type`` and
    ``mod_comp_type`` (``MDCP01``: account check).
    """
    body = {**_modification(site, sign_data=sign_data, tno=tno, mod_type=mod_type), "mod_desc": reason}
    if amount is not None:
        body["mod_mny"] = str(amount)
    if remaining_before is not None:
        body["rem_mny"] = str(remaining_before)
    if refund is not None:
        body.update(
            {
                "mod_bankcode": "BK" + refund.bank_digits,
                "mod_account": refund.account,
                "mod_depositor": refund.holder,
                "mod_sub_type": SUB_PARTIAL_REFUND if mod_type == MOD_PARTIAL_REFUND else SUB_FULL_REFUND,
                "mod_comp_type": COMP_ACCOUNT_CHECK,
            }
        )
    return body


def escrow_delivery_request(
    site: Site, *, sign_data: str, tno: str, waybill: str, courier: str
) -> dict[str, str]:
    """Escrow delivery registration ``STE1`` with ``deli_numb`` (waybill) and ``deli_corp``.

    Legacy names (kcp.md §4.2, §8: "STE1 needs deli_numb and deli_corp"); that REST takes
    them on ``/gw/mod/v1/cancel``, signed like a cancel, is kcp.md's presumption [L].
    """
    return {
        **_modification(site, sign_data=sign_data, tno=tno, mod_type=MOD_ESCROW_DELIVERY),
        "deli_numb": waybill,
        "deli_corp": courier,
    }


def inquiry_request(site: Site, *, sign_data: str, tno: str, pay_type: str) -> dict[str, str]:
    """``/std/inquery`` (kcp.md §5)."""
    return {**site.head(), "kcp_sign_data": sign_data, "tno": tno, "pay_type": pay_type}


# --- responses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """KCP's verdict: ``res_cd``/``res_msg``/``res_en_msg`` (registration: ``Code``/``Message``)."""

    code: str
    message: str
    message_en: str = ""

    @property
    def ok(self) -> bool:
        """``0000``, or ``V000`` for virtual accounts (kcp.md §11.1)."""
        return self.code in SUCCESS_CODES


def read_result(body: Mapping[str, Any]) -> Result:
    """The result head of any answer."""
    code = text(body, "res_cd") or text(body, "Code")
    message = text(body, "res_msg") or text(body, "Message")
    return Result(code=code, message=message, message_en=text(body, "res_en_msg"))


@dataclass(frozen=True)
class WindowReturn:
    """What a window posted to the return URL (kcp.md §10.1-10.2)."""

    result: Result
    enc_data: str
    enc_info: str
    tran_cd: str


def read_window_return(fields: Mapping[str, Any]) -> WindowReturn:
    """``res_cd``/``res_msg``, ``enc_data``, ``enc_info`` and ``tran_cd`` of a window's return."""
    return WindowReturn(
        result=read_result(fields),
        enc_data=text(fields, "enc_data"),
        enc_info=text(fields, "enc_info"),
        tran_cd=text(fields, "tran_cd"),
    )


@dataclass(frozen=True)
class Registration:
    """A trade registration's answer."""

    approval_key: str
    trace_no: str
    pay_url: str


def read_registration(body: Mapping[str, Any]) -> Registration | None:
    """``approvalKey``, ``traceNo``, ``PayUrl``; None if one is missing."""
    found = Registration(text(body, "approvalKey"), text(body, "traceNo"), text(body, "PayUrl"))
    return found if found.approval_key and found.pay_url else None


def read_batch_key(body: Mapping[str, Any]) -> str:
    """The ``batch_key`` of an issuance answer ("" if missing)."""
    return text(body, "batch_key")


@dataclass(frozen=True)
class CancelAnswer:
    """A cancel's answer; amounts None when KCP did not send them (full cancels)."""

    tno: str
    cancelled: int | None
    remaining: int | None
    sequence_no: str
    cancelled_at: str


def read_cancel(body: Mapping[str, Any]) -> CancelAnswer:
    """Accepts REST ``mod_mny``/``rem_mny`` and legacy ``panc_mod_mny``/``panc_rem_mny`` (§4.3)."""
    return CancelAnswer(
        tno=text(body, "tno"),
        cancelled=first_amount(body, "mod_mny", "panc_mod_mny"),
        remaining=first_amount(body, "rem_mny", "panc_rem_mny"),
        sequence_no=text(body, "mod_pcan_seq_no"),
        cancelled_at=text(body, "canc_time"),
    )


@dataclass(frozen=True)
class InquiryAnswer:
    """An inquiry's answer (kcp.md §5)."""

    tno: str
    order_no: str
    pay_type: str
    amount: int | None
    remaining: int | None
    status: str  # STSR approved, STPC partially cancelled, STSC cancelled ("" unknown)


_STATUS_FIELDS = ("stat_ca_cd", "stat_bk_cd", "stat_hp_cd", "shop_status")


def read_inquiry(body: Mapping[str, Any]) -> InquiryAnswer:
    """The status (per-method field, then ``shop_status``), amount and balance."""
    status = next((text(body, name) for name in _STATUS_FIELDS if text(body, name)), "")
    return InquiryAnswer(
        tno=text(body, "tno"),
        order_no=text(body, "order_no"),
        pay_type=text(body, "pay_method") or text(body, "pay_type"),
        amount=first_amount(body, "amount"),
        remaining=first_amount(body, "rem_mny", "bk_rem_mny", "hp_rem_mny"),
        status=status,
    )


# --- common notification (kcp.md §9) --------------------------------------------------------

_CHARSET_ALIASES = {"euc-kr": "cp949", "euckr": "cp949", "ks_c_5601-1987": "cp949", "utf8": "utf-8"}
_CHARSET_FIELD = re.compile(rb"(?:^|&)char_set=([A-Za-z0-9_.%-]{1,40})(?:&|$)")
_CONTENT_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _codec(label: str) -> str | None:
    name = _CHARSET_ALIASES.get(label.strip().lower(), label.strip().lower())
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # Only text encodings: a notification claiming ``hex`` or ``base64`` is not one.
    return info.name if info._is_text_encoding else None


def decode_form(body: bytes, content_type: str) -> dict[str, str]:
    """The fields of a form-urlencoded notification, decoded by its charset.

    Tries the ``char_set`` field, then the Content-Type's charset, then UTF-8, then CP949
    (EUC-KR's superset). InvalidRequest when it is not such a form.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    if media and media != "application/x-www-form-urlencoded":
        raise InvalidRequest(f"a KCP notification is application/x-www-form-urlencoded, not {media}")
    try:
        raw = body.decode("ascii")
    except UnicodeDecodeError as exc:
        raise InvalidRequest("a form-urlencoded body must be ASCII (percent-encoded)") from exc
    if not raw.strip():
        raise InvalidRequest("empty notification body")
    candidates: list[str] = []
    found = _CHARSET_FIELD.search(body)
    if found:
        candidates.append(found.group(1).decode("ascii"))
    header = _CONTENT_CHARSET.search(content_type)
    if header:
        candidates.append(header.group(1))
    candidates += ["utf-8", "cp949"]
    for label in candidates:
        codec = _codec(label)
        if codec is None:
            continue
        try:
            # Not strict_parsing: a trailing "&" must not make a real deposit unreadable forever;
            # errors="strict" is what tells a wrong charset.
            pairs = parse_qsl(raw, keep_blank_values=True, encoding=codec, errors="strict")
        except (ValueError, UnicodeError, LookupError):
            continue
        return dict(pairs)
    raise InvalidRequest("the notification is not a form-urlencoded body in UTF-8 or EUC-KR")


@dataclass(frozen=True)
class DepositFields:
    """A ``TX00`` virtual-account deposit notification (kcp.md §9.3-9.4)."""

    site_cd: str
    tno: str
    order_no: str
    tx_cd: str
    tx_tm: str
    op_cd: str
    noti_id: str
    amount: int
    total: int
    account: str
    remitter: str
    deposited_at: str


def read_notification(fields: Mapping[str, str]) -> DepositFields:
    """The common fields, and for ``TX00`` the deposit; InvalidRequest if they are not there."""
    tx_cd = text(fields, "tx_cd")
    site_cd, tno = text(fields, "site_cd"), text(fields, "tno")
    if not tx_cd or not site_cd or not tno:
        raise InvalidRequest("not a KCP common notification: site_cd, tno and tx_cd are required")
    if not re.fullmatch(r"TX\d\d", tx_cd):
        raise InvalidRequest(f"tx_cd {tx_cd!r} is not a KCP notification code (TX00...)")
    amount = digits_or_none(text(fields, "ipgm_mnyx"))
    if tx_cd == "TX00" and amount is None:
        raise InvalidRequest("a TX00 deposit notification needs ipgm_mnyx (the deposited amount)")
    total = digits_or_none(text(fields, "totl_mnyx"))
    return DepositFields(
        site_cd=site_cd,
        tno=tno,
        order_no=text(fields, "order_no") or text(fields, "ordr_idxx"),
        tx_cd=tx_cd,
        tx_tm=text(fields, "tx_tm"),
        op_cd=text(fields, "op_cd"),
        noti_id=text(fields, "noti_id"),
        amount=amount or 0,
        total=total if total is not None else (amount or 0),
        account=text(fields, "account"),
        remitter=text(fields, "remitter") or text(fields, "ipgm_name"),
        deposited_at=text(fields, "ipgm_time") or text(fields, "tx_tm"),
    )
