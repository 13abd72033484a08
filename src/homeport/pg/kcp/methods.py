"""The one place that maps homeport's vocabulary to KCP's codes and back.

- pay methods (i'mport's ``pay_method``) ↔ KCP's trade-registration ``pay_method``, the mobile
  window's ``ActionResult`` and ``van_code``, the PC window's 12-digit ``pay_method`` and the
  approval/inquiry ``pay_type`` (kcp.md §10.2, §11.3);
- tax flags ``TG01``/``TG02``/``TG03`` (§11.3; currency ``410`` and escrow are in ``wire``);
- card companies: KCP ``card_cd``/``acqu_cd`` (§11.5) → i'mport's card codes (``361`` BC...);
- banks: KCP ``BKxx`` / 2-digit codes (§11.6) ↔ i'mport's 3-digit bank codes;
- escrow couriers: i'mport's carrier codes → KCP's ``deli_corp`` (§4.2, §11.7);
- KCP approval answers → :class:`homeport.pg.base.Approved` (card, transfer, virtual account,
  easy-pay provider), times ``YYYYMMDDHHMMSS`` KST → UNIX seconds.

Entries marked ``unverified`` are homeport's reading where kcp.md has no source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from homeport.domain.money import Won
from homeport.domain.payments.models import BankDetails, CardDetails, VirtualAccount
from homeport.pg.base import Approved
from homeport.pg.kcp.wire import CURRENCY_KRW, digits_or_none, text

#: KCP's times are Korea Standard Time (UTC+9, no daylight saving).
KST = dt.timezone(dt.timedelta(hours=9), "KST")

TAX_TAXABLE, TAX_FREE, TAX_MIXED = "TG01", "TG02", "TG03"

PACA, PABK, PAVC, PAMC, PAPT, PATK = "PACA", "PABK", "PAVC", "PAMC", "PAPT", "PATK"


@dataclass(frozen=True)
class KcpMethod:
    """How KCP names one homeport pay method."""

    pay_method: str  # homeport's (i'mport's) name
    register: str  # trade registration / mobile form ``pay_method``
    action_result: str  # mobile form ``ActionResult``
    van_code: str  # mobile form ``van_code`` for points and gift certificates, else ""
    pc_code: str  # PC window ``pay_method`` (12 digits)
    pay_type: str  # approval / inquiry ``pay_type``
    direct_field: str = ""  # window field that opens an easy-pay provider directly
    emb_pg_provider: str | None = None  # i'mport's ``emb_pg_provider``


_CARD_PC, _BANK_PC, _VBANK_PC, _POINT_PC, _PHONE_PC, _GIFT_PC = (
    "100000000000",
    "010000000000",
    "001000000000",
    "000100000000",
    "000010000000",
    "000000001000",
)


def _easy(pay_method: str, direct_field: str, provider: str) -> KcpMethod:
    """An easy-pay provider: a card payment in KCP's card window, opened directly."""
    return KcpMethod(pay_method, "CARD", "card", "", _CARD_PC, PACA, direct_field, provider)


#: Every homeport pay method (the list in ``homeport.pg.base``) in KCP's codes.
METHODS: dict[str, KcpMethod] = {
    m.pay_method: m
    for m in (
        KcpMethod("card", "CARD", "card", "", _CARD_PC, PACA),
        KcpMethod("trans", "BANK", "acnt", "", _BANK_PC, PABK),
        KcpMethod("vbank", "VCNT", "vcnt", "", _VBANK_PC, PAVC),
        KcpMethod("phone", "MOBX", "mobx", "", _PHONE_PC, PAMC),
        KcpMethod("point", "TPNT", "ocb", "SCSK", _POINT_PC, PAPT),  # OK캐쉬백
        KcpMethod("cultureland", "GIFT", "sccl", "SCCL", _GIFT_PC, PATK),  # 문화상품권
        KcpMethod("smartculture", "GIFT", "scsm", "SCSM", _GIFT_PC, PATK),  # unverified (not in kcp.md)
        KcpMethod("happymoney", "GIFT", "schm", "SCHM", _GIFT_PC, PATK),
        KcpMethod("booknlife", "GIFT", "scbl", "SCBL", _GIFT_PC, PATK),  # 도서상품권
        _easy("kakaopay", "kakaopay_direct", "kakaopay"),
        _easy("naverpay", "naverpay_direct", "naverpay"),
        _easy("payco", "payco_direct", "payco"),
        _easy("samsung", "samsungpay_direct", "samsungpay"),  # field unverified
        _easy("applepay", "applepay_direct", "applepay"),
        _easy("lpay", "lpay_direct", "lpay"),  # field unverified
    )
}
#: A billing-key window (kcp.md §6.1-6.2): registration ``AUTH``, mobile ``ActionResult=batch``.
BILLING = KcpMethod("billing", "AUTH", "batch", "", _CARD_PC, "")

#: ``card_pay_method`` prefixes an easy-pay window reports → ``emb_pg_provider``
#: (only ``KAKAO_`` is seen in KCP material, kcp.md §10.1; the others are unverified).
_EASY_PAY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("KAKAO", "kakaopay"),
    ("NAVER", "naverpay"),
    ("PAYCO", "payco"),
    ("SAMSUNG", "samsungpay"),
    ("APPLE", "applepay"),
    ("LPAY", "lpay"),
)


def method(pay_method: str) -> KcpMethod | None:
    """KCP's codes for a homeport pay method (None if homeport does not know it)."""
    return METHODS.get(pay_method)


def pay_type_of(pay_method: str) -> str | None:
    """The approval/inquiry ``pay_type`` of a homeport pay method."""
    found = METHODS.get(pay_method)
    return found.pay_type if found else None


def window_fields(pay_method: str, *, mobile: bool) -> dict[str, str]:
    """The payment-method fields of a KCP window form for ``pay_method`` (or ``billing``)."""
    found = BILLING if pay_method == "billing" else METHODS.get(pay_method)
    if found is None:
        raise KeyError(pay_method)
    fields: dict[str, str]
    if mobile:
        fields = {"pay_method": found.register, "ActionResult": found.action_result}
        if found.van_code:
            fields["van_code"] = found.van_code
    elif found is BILLING:
        fields = {"pay_method": "AUTH:CARD", "card_cert_type": "BATCH"}
    else:
        fields = {"pay_method": found.pc_code}
    if found.direct_field:
        fields[found.direct_field] = "Y"
    fields["currency"] = CURRENCY_KRW
    return fields


# Window forms (tax-free / mixed orders) and, unverified there, virtual accounts by API.
def tax_fields(amount: Won, tax_free: Won = 0, vat: Won | None = None) -> dict[str, str]:
    """Tax fields of a window order: ``tax_flag`` and, for mixed taxation, the three parts.

    ``TG01`` all taxable, ``TG02`` all tax-free, ``TG03`` mixed with ``comm_tax_mny`` +
    ``comm_vat_mny`` + ``comm_free_mny`` = amount (kcp.md §10.1, §11.3). VAT defaults to a
    tenth of the supply value (amount / 11, rounded).
    """
    if tax_free <= 0:
        return {"tax_flag": TAX_TAXABLE}
    if tax_free >= amount:
        return {"tax_flag": TAX_FREE}
    taxable = amount - tax_free
    vat_part = (taxable + 5) // 11 if vat is None else vat
    return {
        "tax_flag": TAX_MIXED,
        "comm_tax_mny": str(taxable - vat_part),
        "comm_vat_mny": str(vat_part),
        "comm_free_mny": str(tax_free),
    }


# --- card companies -------------------------------------------------------------------------

#: KCP ``card_cd`` → (i'mport card code, name); kcp.md §11.5 and iamport-v1.md §4.9. Foreign
#: brands use i'mport's 10001-10006 (은련/다이너스/아멕스/마스터/비자/JCB).
CARD_COMPANIES: dict[str, tuple[str | None, str]] = {
    "CCKM": ("381", "KB국민카드"),
    "CCNH": ("371", "NH농협카드"),
    "CCSG": (None, "신세계한미카드"),
    "CCCT": ("370", "씨티카드"),
    "CCHM": ("370", "한미카드"),  # 한미 became 씨티
    "CVSF": ("10005", "해외비자"),
    "CCAM": ("368", "롯데아멕스카드"),
    "CCLO": ("368", "롯데카드"),
    "CCBC": ("361", "BC카드"),
    "CCWR": ("041", "우리카드"),
    "CCHN": ("374", "하나카드"),
    "CCSS": ("365", "삼성카드"),
    "CCKJ": ("364", "광주카드"),
    "CCSU": ("369", "수협카드"),
    "CCJB": ("372", "전북카드"),
    "CCCJ": ("373", "제주카드"),
    "CCLG": ("366", "신한카드"),
    "CMCF": ("10004", "해외마스터"),
    "CJCF": ("10006", "해외JCB"),
    "CCKE": ("374", "하나(외환)카드"),
    "CCDI": ("367", "현대카드"),
    "CCUF": ("10001", "은련카드"),
    "CCPT": (None, "PAYCO포인트"),
    "KM90": ("090", "카카오뱅크"),  # seen as isp_issuer_cd
}


def card_company(kcp_code: str, kcp_name: str = "") -> tuple[str | None, str | None]:
    """(i'mport card code, name) for a KCP card code; KCP's own name wins when it sent one."""
    code, name = CARD_COMPANIES.get(kcp_code, (None, None))
    return code, (kcp_name or name or (kcp_code or None))


# --- banks ----------------------------------------------------------------------------------

#: KCP 2-digit bank code → (i'mport 3-digit code, name); kcp.md §11.6. ``26`` is 신한's old
#: code, still used for virtual accounts.
BANKS: dict[str, tuple[str, str]] = {
    "02": ("002", "KDB산업은행"),
    "03": ("003", "IBK기업은행"),
    "04": ("004", "KB국민은행"),
    "07": ("007", "수협은행"),
    "11": ("011", "NH농협은행"),
    "20": ("020", "우리은행"),
    "23": ("023", "SC제일은행"),
    "26": ("088", "신한은행"),
    "27": ("027", "한국씨티은행"),
    "31": ("031", "대구은행"),
    "32": ("032", "부산은행"),
    "34": ("034", "광주은행"),
    "35": ("035", "제주은행"),
    "37": ("037", "전북은행"),
    "39": ("039", "경남은행"),
    "45": ("045", "새마을금고"),
    "48": ("048", "신협"),
    "64": ("064", "산림조합"),
    "71": ("071", "우체국"),
    "81": ("081", "KEB하나은행"),
    "88": ("088", "신한은행"),
    "89": ("089", "케이뱅크"),
    "90": ("090", "카카오뱅크"),
}
_IMP_TO_KCP: dict[str, str] = {imp: kcp for kcp, (imp, _name) in BANKS.items() if kcp != "26"}


def kcp_bank_digits(code: str) -> str:
    """The 2 digits of a KCP bank code given as ``BK04``, ``04`` or ``4``."""
    raw = code.strip().upper()
    raw = raw.removeprefix("BK")
    return raw.zfill(2) if raw.isdigit() and len(raw) <= 2 else raw


def bank_from_kcp(code: str, name: str = "") -> BankDetails:
    """A KCP bank code (``BK04`` or ``04``) as homeport's bank (i'mport 3-digit code)."""
    digits = kcp_bank_digits(code)
    imp_code, table_name = BANKS.get(digits, (None, None))
    return BankDetails(code=imp_code, name=name or table_name or (code or None))


def kcp_bank_from_imp(imp_code: str, *, vbank: bool = False) -> str | None:
    """KCP's 2-digit code for an i'mport bank code (``004`` → ``04``); None if unknown."""
    raw = imp_code.strip()
    if not raw.isdigit():
        return None
    kcp = _IMP_TO_KCP.get(raw.zfill(3))
    if kcp is None:
        return None
    if vbank and kcp == "88":
        return "26"
    return kcp


# --- escrow couriers -------------------------------------------------------------------------

#: i'mport's carrier codes (``logis.company``, iamport-v1.md §4.5) → what homeport sends as
#: KCP's ``deli_corp``. kcp.md has no list of KCP's courier codes: §11.7 shows two examples
#: from one third-party plugin (``04`` CJ대한통운, ``05`` 한진, [L]), too little to map the
#: rest, so homeport sends the courier's NAME as text (unverified: KCP may want a code). The
#: reference names three carriers (HYUNDAI 롯데택배, KGB 로젠택배, CJGLS CJ대한통운); the other
#: names are homeport's.
COURIERS: dict[str, str] = {
    "CJGLS": "CJ대한통운",
    "HANJIN": "한진택배",
    "EPOST": "우체국택배",
    "HYUNDAI": "롯데택배",
    "KGB": "로젠택배",
    "HANARO": "하나로택배",
    "SAGAWA": "SC로지스",
    "YELLOWCAP": "옐로우캡",
    "DONGBU": "동부택배",
    "DAESIN": "대신택배",
    "REGISTPOST": "우편등기",
    "CHUNIL": "천일택배",
    "ILYANG": "일양로지스",
    "CVSNET": "편의점택배",
    "KDEXP": "경동택배",
    "HONAM": "호남택배",
    "HDEXP": "합동택배",
    "LOGEN": "로젠택배",  # deprecated i'mport code
    "KOREX": "CJ대한통운",  # deprecated i'mport code (대한통운, now CJ대한통운)
    "ETC": "기타",
}
OTHER_COURIER = "ETC"


def courier_code(company: str) -> str:
    """i'mport's carrier code, upper-cased; an unknown one counts as ``ETC`` (iamport-v1.md §4.5)."""
    code = company.strip().upper()
    return code if code in COURIERS else OTHER_COURIER


def deli_corp(company: str) -> str:
    """KCP's ``deli_corp`` for an i'mport carrier code: the courier's name (see COURIERS)."""
    return COURIERS[courier_code(company)]


# --- times ----------------------------------------------------------------------------------


def kcp_time_to_unix(value: str, *, end_of_day: bool = False) -> int | None:
    """``YYYYMMDDHHMMSS`` (or ``YYYYMMDD``) in KST as UNIX seconds; None if not a time."""
    raw = value.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) not in (8, 12, 14):
        return None
    if len(raw) == 8:
        raw += "235959" if end_of_day else "000000"
    elif len(raw) == 12:
        raw += "00"
    try:
        moment = dt.datetime(
            int(raw[0:4]),
            int(raw[4:6]),
            int(raw[6:8]),
            int(raw[8:10]),
            int(raw[10:12]),
            int(raw[12:14]),
            tzinfo=KST,
        )
    except ValueError:
        return None
    return int(moment.timestamp())


def unix_to_kcp_time(seconds: int) -> str:
    """UNIX seconds as KCP's ``YYYYMMDDHHMMSS`` in KST."""
    return dt.datetime.fromtimestamp(seconds, tz=KST).strftime("%Y%m%d%H%M%S")


# --- approval answers -----------------------------------------------------------------------


def emb_pg_provider_of(card_pay_method: str) -> str | None:
    """i'mport's ``emb_pg_provider`` for a window's ``card_pay_method`` (``KAKAO_MONEY``...)."""
    upper = card_pay_method.upper()
    for prefix, provider in _EASY_PAY_PREFIXES:
        if upper.startswith(prefix):
            return provider
    return None


def _int_or(value: str, default: int) -> int:
    number = digits_or_none(value)
    return default if number is None else number


def card_details(body: Mapping[str, Any]) -> CardDetails:
    """The card of an approval or batch-key answer (kcp.md §6.3, §6.5)."""
    company_code, company_name = card_company(text(body, "card_cd"), text(body, "card_name"))
    issuer_code, issuer_name = company_code, company_name
    isp_issuer = text(body, "isp_issuer_cd")
    if isp_issuer in CARD_COMPANIES:  # a Kakao Bank card comes as CCKM + isp_issuer_cd KM90
        issuer_code, issuer_name = card_company(isp_issuer, text(body, "isp_issuer_nm"))
    acquirer = text(body, "acqu_cd")
    publisher_code, publisher_name = (
        card_company(acquirer, text(body, "acqu_name")) if acquirer else (company_code, company_name)
    )
    bin_type = text(body, "card_bin_type_02")
    masked = text(body, "card_no") or text(body, "card_mask_no")
    return CardDetails(
        company_code=company_code,
        company_name=company_name,
        issuer_code=issuer_code,
        issuer_name=issuer_name,
        publisher_code=publisher_code,
        publisher_name=publisher_name,
        masked_number=masked or None,
        card_type=int(bin_type) if bin_type in ("0", "1") else None,
        installment_months=_int_or(text(body, "quota"), 0),
    )


def virtual_account(body: Mapping[str, Any]) -> VirtualAccount:
    """The virtual account of a ``PAVC`` approval (kcp.md §7, §9.5)."""
    bank = bank_from_kcp(text(body, "bankcode"), text(body, "bankname"))
    return VirtualAccount(
        bank_code=bank.code,
        bank_name=bank.name,
        number=text(body, "account") or None,
        holder=text(body, "depositor") or None,
        due_at=kcp_time_to_unix(text(body, "va_date"), end_of_day=True) or 0,
        issued_at=kcp_time_to_unix(text(body, "app_time")) or 0,
    )


#: Where each pay type's approval time and number are (the first present wins).
_TIME_FIELDS = ("app_time", "van_apptime", "bk_app_time", "hp_app_time", "pnt_app_time", "tk_app_time")
_NUMBER_FIELDS = ("app_no", "pnt_app_no", "tk_app_no")


def _first(body: Mapping[str, Any], names: tuple[str, ...]) -> str:
    for name in names:
        value = text(body, name)
        if value:
            return value
    return ""


def approved_from(body: Mapping[str, Any], *, tno: str, amount: Won, pay_method: str) -> Approved:
    """homeport's :class:`Approved` for a successful KCP approval answer.

    ``pay_method`` is homeport's (what was asked for); the answer's ``pay_method``/``pay_type``
    decides which details are read, falling back to the one asked for.
    """
    asked = METHODS.get(pay_method)
    pay_type = text(body, "pay_method") or text(body, "pay_type") or (asked.pay_type if asked else "")
    card = bank = account = None
    provider = asked.emb_pg_provider if asked else None
    if pay_type == PACA:
        card = card_details(body)
        provider = emb_pg_provider_of(text(body, "card_pay_method")) or provider
    elif pay_type == PABK:
        bank = bank_from_kcp(text(body, "bank_code") or text(body, "bankcode"), text(body, "bank_name"))
    elif pay_type == PAVC:
        account = virtual_account(body)
    return Approved(
        pg_tid=tno,
        amount=amount,
        approved_at=kcp_time_to_unix(_first(body, _TIME_FIELDS)) or 0,
        pay_method=pay_method,
        approval_number=_first(body, _NUMBER_FIELDS) or None,
        card=card,
        bank=bank,
        virtual_account=account,
        emb_pg_provider=provider,
        partial_cancel_allowed=text(body, "partcanc_yn") != "N" and pay_type not in (PAMC, PAPT, PATK),
        escrow=text(body, "escw_yn") == "Y",
    )


def issued_virtual_account(
    body: Mapping[str, Any], *, tno: str, amount: Won, bank_digits: str, due_at: int
) -> Approved:
    """homeport's :class:`Approved` for a ``V000`` virtual account by API (kcp.md §7).

    kcp.md §7 lists ``tno``, ``account``, ``bankname``, ``bankcode`` and ``depositor`` in the
    answer, no deadline and no time: the bank asked for and ``due_at`` (sent as ``va_date``)
    stand in for what KCP leaves out; ``approved_at``/``issued_at`` are 0 without ``app_time``.
    """
    approved = approved_from(body, tno=tno, amount=amount, pay_method="vbank")
    account = approved.virtual_account or virtual_account(body)
    asked = bank_from_kcp(bank_digits)
    account = replace(
        account,
        bank_code=account.bank_code or asked.code,
        bank_name=account.bank_name or asked.name,
        due_at=account.due_at or due_at,
    )
    return replace(approved, virtual_account=account)
