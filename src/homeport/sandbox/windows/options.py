"""What a window offers: its methods, card companies, banks, installments, deadlines.

Pure rules over the merchant's fields (kcp.md §6, §8, §10, §11), no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from homeport.sandbox import codes, methods
from homeport.sandbox.clock import KST, kcp_time, parse_kcp_time
from homeport.sandbox.windows.forms import flag, is_number
from homeport.sandbox.windows.session import METHOD_NOT_OFFERED, TRADE_MISMATCH, Session, WindowError

DEFAULT_QUOTA_MAX = 12
VBANK_DEFAULT_DAYS = 7

#: Card companies the window lists, in this order; names from the approval's table.
_WINDOW_CARDS = (
    "CCBC", "CCKM", "CCSS", "CCLG", "CCDI", "CCLO", "CCHN",
    "CCNH", "CCWR", "CCCT", "CCKJ", "CCSU", "CCJB", "CCCJ",
)  # fmt: skip
CARD_COMPANIES: dict[str, str] = {code: methods.CARDS[code][0] for code in _WINDOW_CARDS}

#: Banks for account transfer, by 2-digit code (kcp.md §11.6); results use ``BK`` + code.
_TRANSFER_BANKS = (
    "04", "03", "11", "88", "20", "81", "23", "27", "31", "32", "34",
    "35", "37", "39", "02", "07", "45", "48", "71", "89", "90",
)  # fmt: skip
TRANSFER_BANKS: dict[str, str] = {code: methods.BANKS[code] for code in _TRANSFER_BANKS}
#: Banks that issue virtual accounts (kcp.md §11.6; 신한 is ``26`` here).
VBANK_BANKS: dict[str, str] = {code: methods.BANKS[code] for code in methods.VBANK_BANKS}

#: Carrier codes are the approval's (the MVNO codes are unverified against KCP).
_CARRIER_LABELS = {
    "SKT": "SKT",
    "KTF": "KT",
    "LGT": "LG U+",
    "SKL": "SKT 알뜰폰",
    "KTL": "KT 알뜰폰",
    "LGL": "LG U+ 알뜰폰",
}
CARRIERS: dict[str, str] = {code: _CARRIER_LABELS.get(code, code) for code in methods.PHONE_CARRIERS}
POINTS: dict[str, str] = dict(methods.POINT_ISSUERS)
GIFTS: dict[str, str] = dict(methods.GIFT_ISSUERS)


@dataclass(frozen=True)
class Choice:
    """One option of a select or radio group."""

    value: str
    label: str


@dataclass(frozen=True)
class CartItem:
    """One line of an escrow cart (``good_info``)."""

    seq: str
    name: str
    count: str
    amount: str


@dataclass(frozen=True)
class EasyPay:
    """An easy-pay provider offered inside the card window."""

    key: str
    label: str
    direct_field: str  # the merchant field that opens this provider directly
    card_pay_method: str  # what the window reports (unverified, except the KAKAO_ prefix)


EASY_PAYS: dict[str, EasyPay] = {
    e.key: e
    for e in (
        EasyPay("kakaopay", "카카오페이", "kakaopay_direct", "KAKAO_CARD"),
        EasyPay("naverpay", "네이버페이", "naverpay_direct", "NAVERPAY_CARD"),
        EasyPay("payco", "페이코", "payco_direct", "PAYCO_CARD"),
        EasyPay("samsung", "삼성페이", "samsungpay_direct", "SAMSUNGPAY_CARD"),
        EasyPay("applepay", "애플페이", "applepay_direct", "APPLEPAY_CARD"),
        EasyPay("lpay", "L.PAY", "lpay_direct", "LPAY_CARD"),
    )
}


@dataclass(frozen=True)
class Method:
    """A payment method a window can offer."""

    key: str  # the window's own name, sent back as the buyer's ``method``
    label: str
    pay_type: str  # what the approval call will send (PACA...), AUTH for batch issuance
    use_pay_method: str  # KCP's 12-digit PC code
    ret_pay_method: str  # the PC window's ``ret_pay_method``
    trade_pay_method: str  # the trade registration's ``pay_method``


METHODS: dict[str, Method] = {
    m.key: m
    for m in (
        Method("card", "신용카드", "PACA", "100000000000", "CARD", "CARD"),
        Method("bank", "계좌이체", "PABK", "010000000000", "BANK", "BANK"),
        Method("vbank", "가상계좌", "PAVC", "001000000000", "VCNT", "VCNT"),
        Method("point", "포인트", "PAPT", "000100000000", "TPNT", "TPNT"),
        Method("phone", "휴대폰", "PAMC", "000010000000", "MOBX", "MOBX"),
        Method("gift", "상품권", "PATK", "000000001000", "GIFT", "GIFT"),
        Method("batch", "자동결제 카드 등록", "AUTH", "100000000000", "AUTH:CARD", "AUTH"),
    )
}

#: Positions of the PC ``pay_method`` bitmask (kcp.md §11.3).
_PC_BITS: tuple[tuple[int, str], ...] = (
    (0, "card"),
    (1, "bank"),
    (2, "vbank"),
    (3, "point"),
    (4, "phone"),
    (8, "gift"),
)

#: The mobile form's ``ActionResult`` (kcp.md §10.2): method, and the point/gift kind it fixes.
ACTION_RESULTS: dict[str, tuple[str, str]] = {
    "card": ("card", ""),
    "acnt": ("bank", ""),
    "vcnt": ("vbank", ""),
    "mobx": ("phone", ""),
    "ocb": ("point", "SCSK"),
    "tpnt": ("point", "SCWB"),
    "scbl": ("gift", "SCBL"),
    "sccl": ("gift", "SCCL"),
    "schm": ("gift", "SCHM"),
    "scsm": ("gift", "SCSM"),
    "batch": ("batch", ""),
}


def offered_methods(session: Session) -> tuple[list[Method], str]:
    """The methods this window offers and the point/gift kind fixed by the form, if any."""
    pay_method = session.get("pay_method")
    if session.channel == "mobile":
        action = session.get("ActionResult").lower()
        if action not in ACTION_RESULTS:
            raise WindowError(METHOD_NOT_OFFERED, f"알 수 없는 ActionResult: {action or '(없음)'}")
        key, kind = ACTION_RESULTS[action]
        method = METHODS[key]
        if pay_method and pay_method.upper() != method.trade_pay_method:
            raise WindowError(TRADE_MISMATCH, "pay_method와 ActionResult가 맞지 않습니다.")
        van_code = session.get("van_code").upper()
        if van_code and key in {"point", "gift"}:
            if kind and van_code != kind:
                raise WindowError(TRADE_MISMATCH, "van_code와 ActionResult가 맞지 않습니다.")
            kind = van_code
        return [method], kind
    if pay_method.upper() == "AUTH:CARD":
        if session.get("card_cert_type").upper() != "BATCH":
            raise WindowError(codes.BAD_FIELD, "pay_method=AUTH:CARD에는 card_cert_type=BATCH가 필요합니다.")
        return [METHODS["batch"]], ""
    if not re.fullmatch(r"[01]{12}", pay_method):
        raise WindowError(codes.BAD_FIELD, "pay_method는 12자리 결제수단 코드여야 합니다.")
    offered = [METHODS[key] for position, key in _PC_BITS if pay_method[position] == "1"]
    if not offered:
        raise WindowError(METHOD_NOT_OFFERED, "이 결제창에서 제공하는 결제수단이 없습니다.")
    return offered, ""


def card_companies(session: Session) -> list[Choice]:
    """The card companies, filtered by ``used_card_YN=Y`` and ``used_card``."""
    allowed = list(CARD_COMPANIES)
    if flag(session.get("used_card_YN")):
        wanted = [c.strip().upper() for c in session.get("used_card").split(":") if c.strip()]
        filtered = [c for c in wanted if c in CARD_COMPANIES]
        if filtered:
            allowed = filtered
    return [Choice(code, CARD_COMPANIES[code]) for code in allowed]


def quotas(session: Session, amount: int) -> list[Choice]:
    """Installment options; empty means lump sum only (below 50,000 won or ``quotaopt=0``)."""
    if amount < methods.INSTALLMENT_MINIMUM:
        return []
    fixed = session.get("fix_inst")
    if is_number(fixed) and 2 <= int(fixed) <= 12:
        return [Choice(f"{int(fixed):02d}", f"{int(fixed)}개월")]
    text = session.get("quotaopt")
    top = int(text) if is_number(text) and int(text) <= 12 else DEFAULT_QUOTA_MAX
    if top < 2:
        return []
    return [Choice("00", "일시불"), *(Choice(f"{m:02d}", f"{m}개월") for m in range(2, top + 1))]


def noint(session: Session, offered_quotas: list[Choice]) -> dict[str, list[str]]:
    """Interest-free months per card from ``kcp_noint=Y`` and ``kcp_noint_quota``."""
    if not flag(session.get("kcp_noint")) or not offered_quotas:
        return {}
    offered = {q.value for q in offered_quotas}
    plans: dict[str, list[str]] = {}
    for part in session.get("kcp_noint_quota").split(","):
        card_cd, _, months = part.strip().partition("-")
        chosen = [f"{int(m):02d}" for m in months.split(":") if is_number(m.strip())]
        chosen = [m for m in chosen if m in offered and m != "00"]
        if card_cd and chosen:
            plans[card_cd.strip().upper()] = chosen
    return plans


def easy_pays(session: Session) -> tuple[list[Choice], str]:
    """The easy-pay choices, and the provider a ``*_direct=Y`` field opens directly."""
    for easy in EASY_PAYS.values():
        if flag(session.get(easy.direct_field)):
            return [Choice(easy.key, easy.label)], easy.key
    return [Choice("", "일반 신용카드"), *(Choice(e.key, e.label) for e in EASY_PAYS.values())], ""


def vbanks(session: Session) -> list[Choice]:
    """The virtual-account banks, filtered by ``wish_vbank_list``."""
    wanted = [c.strip() for c in session.get("wish_vbank_list").split(":") if c.strip()]
    listed = [c for c in wanted if c in VBANK_BANKS]
    return [Choice(f"BK{code}", VBANK_BANKS[code]) for code in (listed or list(VBANK_BANKS))]


def kind_choices(table: dict[str, str], kind: str) -> list[Choice]:
    """Point or gift issuers: the one ``kind`` the form fixes, else all of ``table``."""
    return [Choice(c, table[c]) for c in ([kind] if kind in table else table)]


def va_deadline(session: Session, now: dt.datetime) -> str:
    """The vbank deadline: ``ipgm_date``, else ``vcnt_expire_term`` days, else 7 days; 23:59:59."""
    issue_day = now.astimezone(KST).date()
    ipgm_date = session.get("ipgm_date")
    if ipgm_date:
        if not re.fullmatch(r"[0-9]{8}|[0-9]{14}", ipgm_date):
            raise WindowError(codes.BAD_FIELD, "입금기한(ipgm_date)은 YYYYMMDD 형식이어야 합니다.")
        try:
            deadline = parse_kcp_time(ipgm_date)
        except ValueError:
            raise WindowError(codes.BAD_FIELD, "입금기한(ipgm_date)이 올바른 날짜가 아닙니다.") from None
    else:
        term = session.get("vcnt_expire_term")
        if term and not (is_number(term) and len(term) <= 3):
            raise WindowError(codes.BAD_FIELD, "vcnt_expire_term은 일 수(숫자 3자리 이하)여야 합니다.")
        days = int(term) if term else VBANK_DEFAULT_DAYS
        clock_text = session.get("vcnt_expire_term_time") or "235959"
        if not re.fullmatch(r"[0-9]{6}", clock_text):
            raise WindowError(codes.BAD_FIELD, "vcnt_expire_term_time은 HHMMSS 형식이어야 합니다.")
        try:
            at = dt.time(int(clock_text[:2]), int(clock_text[2:4]), int(clock_text[4:]))
        except ValueError:
            raise WindowError(codes.BAD_FIELD, "vcnt_expire_term_time이 올바른 시각이 아닙니다.") from None
        deadline = dt.datetime.combine(issue_day + dt.timedelta(days=days), at, tzinfo=KST)
    if deadline <= now:
        raise WindowError(codes.BAD_FIELD, "입금기한이 이미 지났습니다.")
    return kcp_time(deadline)


def good_expr_label(text: str) -> str:
    """``good_expr`` as shown (kcp.md §6.1): ``2:1m`` → "1개월 자동결제"."""
    match = re.fullmatch(r"[0-9]+:([0-9]+)([dmy])", text.strip().lower())
    if not match:
        return "자동결제"
    unit = {"d": "일", "m": "개월", "y": "년"}[match.group(2)]
    return f"{int(match.group(1))}{unit} 자동결제"


def cart(good_info: str) -> list[CartItem]:
    """Escrow cart lines: records split by RS (0x1E), ``key=value`` fields by US (0x1F)."""
    items = []
    for record in good_info.split("\x1e"):
        values = dict(part.partition("=")[::2] for part in record.split("\x1f") if "=" in part)
        if not values:
            continue
        items.append(
            CartItem(
                seq=values.get("seq", "").strip(),
                name=values.get("good_name", "").strip(),
                count=values.get("good_cntx", "").strip(),
                amount=values.get("good_amtx", "").strip(),
            )
        )
    return items
