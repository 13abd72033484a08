"""Payment windows: the pages a buyer sees between the merchant's order form and its return.

KCP's windows (kcp.md §6.1-6.2, §10) are emulated as plain HTML pages a person can use and
a test can drive with form posts:

- ``POST /pay/mobileGW.kcp``: the mobile window at ``PayUrl``, posted by the buyer's browser
  from the merchant's page; an EUC-KR form.
- ``POST /pay/jsp/encodingFilter/encodingFilter.jsp``: the same with ``encoding_trans=UTF-8``
  and ``PayUrl`` as a field; a UTF-8 form.
- ``POST /pay/pc``: the PC window, posted by ``kcp_spay_hub.js`` into its overlay iframe.
- ``POST /pay/window/{window_id}``: the window's own form; the buyer pays (``action=pay``) or
  cancels (``action=cancel``).
- ``GET /plugin/kcp_spay_hub.js`` (and the older ``/plugin/payplus_web.jsp``): the script
  defining ``KCP_Pay_Execute_Web``, ``KCP_Pay_Execute`` and ``GetField``.

A mobile window needs a trade registration (``/std/tradeReg/register``): the Trade found by
``approval_key`` must agree with the form's ``site_cd``/``ordr_idxx``/``good_mny``. A PC window
needs none. On "결제하기" the window stores the buyer's choice with
:func:`homeport.sandbox.auths.record_auth` (``selection`` keys as that module documents) and
returns ``enc_data``/``enc_info``: mobile by auto-posting to ``Ret_URL``, PC by
``postMessage`` to the merchant page, where ``kcp_spay_hub.js`` calls ``m_Completepayment``.
"취소" returns ``res_cd=3001``. A window that cannot open (unknown trade, mismatched order,
gift certificate without ``shop_user_id``, unknown group id...) returns a non-``0000``
``res_cd`` the same way.

Merchant field names are KCP's (kcp.md §6, §8, §10) except these sandbox picks, which are
**unverified** against KCP: ``kcp_app_card_yn=Y`` (card-app payments only, i'mport
``appCard``), ``samsungpay_direct`` and ``lpay_direct`` (``kakaopay_direct``,
``naverpay_direct``, ``payco_direct``, ``applepay_direct`` are seen in merchant code),
``hp_commid``/``hp_no`` (carrier and number fixed by the merchant), the MVNO carrier codes
``SKL``/``KTL``/``LGL`` (shared with :mod:`homeport.sandbox.methods`), the easy-pay
``card_pay_method`` values (only the ``KAKAO_`` prefix is seen), ``ret_pay_method=AUTH:CARD``
for batch issuance, and the two fields ``kcp_spay_hub.js`` adds itself:
``sandbox_parent_origin`` (the merchant page's origin, the ``postMessage`` target) and
``sandbox_nonce`` (ties a result to the window that was opened). The buyer's form (field
names ``method``, ``card_cd``, ``card_no``, ``quota``...) is the sandbox's own.

Card numbers reach the sandbox only in the buyer's form post; the ledger keeps them masked
(``NNNNNN******NNNN``).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from homeport.sandbox import auths, codes, methods, scenarios
from homeport.sandbox.clock import KST, kcp_time, parse_kcp_time
from homeport.sandbox.context import Sandbox, sandbox_of

router = APIRouter()

_HERE = Path(__file__).parent
templates = Jinja2Templates(directory=_HERE / "templates")
_HUB_SCRIPT = _HERE / "static" / "kcp_spay_hub.js"

Channel = Literal["pc", "mobile"]

# Window-side failures KCP documents no code for (sandbox picks, in KCP's style).
TRADE_NOT_FOUND = codes.Code(
    "9201", "거래등록 정보(approval_key)가 없거나 만료되었습니다.", "unknown approval_key"
)
TRADE_MISMATCH = codes.Code(
    "9202", "결제 요청 정보가 거래등록 정보와 일치하지 않습니다.", "request does not match the trade"
)
METHOD_NOT_OFFERED = codes.Code(
    "9203", "요청한 결제수단을 사용할 수 없습니다.", "payment method not available"
)

#: Installments are offered from this amount up (kcp.md §10.1).
INSTALLMENT_MINIMUM = 50_000
DEFAULT_QUOTA_MAX = 12
DEFAULT_CARD_NUMBER = "4111111111111111"
VBANK_DEFAULT_DAYS = 7
_GIFT_NEEDS_USER = "상품권 결제에는 shop_user_id(가맹점 회원 ID)가 필요합니다."

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
_ACTION_RESULTS: dict[str, tuple[str, str]] = {
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

#: Merchant fields echoed back to the merchant with every result.
_ECHOED = ("buyr_name", "buyr_mail", "buyr_tel1", "buyr_tel2", "param_opt_1", "param_opt_2", "param_opt_3")

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


class WindowError(Exception):
    """The window cannot go on: the merchant gets this code as the result."""

    def __init__(self, code: codes.Code, detail: str = "") -> None:
        super().__init__(detail or code.res_msg)
        self.code = code
        self.detail = detail or code.res_msg


class InputError(Exception):
    """The buyer's input is wrong: the window is shown again with this message."""


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


@dataclass
class Session:
    """An open window: the merchant's fields, kept server-side so the buyer cannot alter them."""

    window_id: str
    channel: Channel
    #: How the result goes back to Ret_URL (mobile): EUC-KR unless ``encoding_trans=UTF-8``.
    charset: str
    fields: dict[str, str]
    status: str = "open"
    created_at: str = ""

    def get(self, name: str) -> str:
        """A merchant field, stripped, or ``""``."""
        return self.fields.get(name, "").strip()

    def record(self) -> dict[str, Any]:
        """The ledger record (kind ``window``)."""
        return {
            "window_id": self.window_id,
            "channel": self.channel,
            "charset": self.charset,
            "fields": self.fields,
            "status": self.status,
            "created_at": self.created_at,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Session:
        """Back from the ledger."""
        channel: Channel = "pc" if record.get("channel") == "pc" else "mobile"
        return cls(
            window_id=str(record["window_id"]),
            channel=channel,
            charset=str(record.get("charset", "utf-8")),
            fields={str(k): str(v) for k, v in dict(record.get("fields", {})).items()},
            status=str(record.get("status", "open")),
            created_at=str(record.get("created_at", "")),
        )


@dataclass
class View:
    """Everything the window page shows, computed from the merchant's fields."""

    channel: Channel
    site_cd: str
    shop_name: str
    ordr_idxx: str
    good_name: str
    good_mny: int
    ret_url: str
    methods: list[Method]
    site_logo: str = ""
    buyr_name: str = ""
    # card
    card_companies: list[Choice] = field(default_factory=list)
    quotas: list[Choice] = field(default_factory=list)
    noint: dict[str, list[str]] = field(default_factory=dict)
    easy_pays: list[Choice] = field(default_factory=list)
    easy_pay_direct: str = ""
    app_card_only: bool = False
    # bank transfer and virtual account
    banks: list[Choice] = field(default_factory=list)
    vbanks: list[Choice] = field(default_factory=list)
    va_date: str = ""
    cash_receipt: bool = True
    # phone
    carriers: list[Choice] = field(default_factory=list)
    fixed_carrier: str = ""
    fixed_phone: str = ""
    # point and gift certificates
    points: list[Choice] = field(default_factory=list)
    gifts: list[Choice] = field(default_factory=list)
    shop_user_id: str = ""
    # batch-key issuance
    group_id: str = ""
    good_expr_label: str = ""
    ask_taxno: bool = True
    taxno_choice: str = ""
    # escrow
    escrow: bool = False
    cart: list[CartItem] = field(default_factory=list)
    bask_cntx: str = ""
    receiver: list[Choice] = field(default_factory=list)

    def offers(self, key: str) -> bool:
        """Whether a method is among the window's methods."""
        return any(m.key == key for m in self.methods)

    @property
    def va_date_label(self) -> str:
        """The deadline as Korean text."""
        if not self.va_date:
            return ""
        when = parse_kcp_time(self.va_date)
        return f"{when:%Y}년 {when.month}월 {when.day}일 {when:%H:%M:%S}까지"

    @property
    def noint_rows(self) -> list[Choice]:
        """Interest-free plans as table rows (card name, months)."""
        rows = []
        for card_cd, months in self.noint.items():
            name = "전체 카드" if card_cd == "ALL" else CARD_COMPANIES.get(card_cd, card_cd)
            rows.append(Choice(name, ", ".join(f"{int(m)}개월" for m in months)))
        return rows


@dataclass(frozen=True)
class Authorized:
    """A stored authentication and what the merchant gets besides the common fields."""

    auth: dict[str, Any]
    method: Method
    extra: dict[str, str]


# --- reading forms ---------------------------------------------------------------------


def _charset_of(request: Request, default: str) -> str:
    content_type = request.headers.get("content-type", "")
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"'").lower()
    return default


def _codec(charset: str) -> str:
    # Browsers' "EUC-KR" is Windows-949 (WHATWG), a superset of Python's euc-kr.
    return "cp949" if charset.replace("_", "-").lower() in {"euc-kr", "ks-c-5601-1987", "cp949"} else charset


async def _read_form(request: Request, default_charset: str) -> dict[str, str]:
    """The posted form, decoded with the request's charset or ``default_charset``.

    The body is parsed by hand because KCP's mobile form is EUC-KR, which Starlette's form
    parser (UTF-8 only) would garble.
    """
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        form = await request.form()
        return {key: value for key, value in form.items() if isinstance(value, str)}
    codec = _codec(_charset_of(request, default_charset))
    try:
        "".encode(codec)
    except LookupError:
        codec = _codec(default_charset)
    body = (await request.body()).decode("latin-1")
    pairs = urllib.parse.parse_qsl(body, keep_blank_values=True, encoding=codec, errors="replace")
    return dict(pairs)


def _http_url(value: str) -> str:
    """``value`` if it is an absolute http(s) URL (never ``javascript:``), else ``""``."""
    parsed = urllib.parse.urlsplit(value.strip())
    if parsed.scheme.lower() in {"http", "https"} and parsed.netloc:
        return value.strip()
    return ""


def _flag(value: str) -> bool:
    return value.strip().upper() == "Y"


def _is_number(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts other scripts' digits)."""
    return text.isascii() and text.isdigit()


# --- building the view -----------------------------------------------------------------


def _amount(session: Session, *, allow_zero: bool) -> int:
    text = session.get("good_mny")
    if not text and allow_zero:
        return 0
    if not _is_number(text):
        raise WindowError(codes.BAD_FIELD, "결제금액(good_mny)이 올바르지 않습니다.")
    amount = int(text)
    if amount <= 0 and not allow_zero:
        raise WindowError(codes.BAD_FIELD, "결제금액(good_mny)은 0보다 커야 합니다.")
    return amount


def _methods(session: Session) -> tuple[list[Method], str]:
    """The methods this window offers and the point/gift kind fixed by the form, if any."""
    pay_method = session.get("pay_method")
    if session.channel == "mobile":
        action = session.get("ActionResult").lower()
        if action not in _ACTION_RESULTS:
            raise WindowError(METHOD_NOT_OFFERED, f"알 수 없는 ActionResult: {action or '(없음)'}")
        key, kind = _ACTION_RESULTS[action]
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


def _card_companies(session: Session) -> list[Choice]:
    allowed = list(CARD_COMPANIES)
    if _flag(session.get("used_card_YN")):
        wanted = [c.strip().upper() for c in session.get("used_card").split(":") if c.strip()]
        filtered = [c for c in wanted if c in CARD_COMPANIES]
        if filtered:
            allowed = filtered
    return [Choice(code, CARD_COMPANIES[code]) for code in allowed]


def _quotas(session: Session, amount: int) -> list[Choice]:
    """Installment options; empty means lump sum only (below 50,000 won or ``quotaopt=0``)."""
    if amount < INSTALLMENT_MINIMUM:
        return []
    fixed = session.get("fix_inst")
    if _is_number(fixed) and 2 <= int(fixed) <= 12:
        return [Choice(f"{int(fixed):02d}", f"{int(fixed)}개월")]
    text = session.get("quotaopt")
    top = int(text) if _is_number(text) and int(text) <= 12 else DEFAULT_QUOTA_MAX
    if top < 2:
        return []
    return [Choice("00", "일시불"), *(Choice(f"{m:02d}", f"{m}개월") for m in range(2, top + 1))]


def _noint(session: Session, quotas: list[Choice]) -> dict[str, list[str]]:
    """Interest-free months per card from ``kcp_noint=Y`` and ``kcp_noint_quota``."""
    if not _flag(session.get("kcp_noint")) or not quotas:
        return {}
    offered = {q.value for q in quotas}
    plans: dict[str, list[str]] = {}
    for part in session.get("kcp_noint_quota").split(","):
        card_cd, _, months = part.strip().partition("-")
        chosen = [f"{int(m):02d}" for m in months.split(":") if _is_number(m.strip())]
        chosen = [m for m in chosen if m in offered and m != "00"]
        if card_cd and chosen:
            plans[card_cd.strip().upper()] = chosen
    return plans


def _easy_pays(session: Session) -> tuple[list[Choice], str]:
    for easy in EASY_PAYS.values():
        if _flag(session.get(easy.direct_field)):
            return [Choice(easy.key, easy.label)], easy.key
    return [Choice("", "일반 신용카드"), *(Choice(e.key, e.label) for e in EASY_PAYS.values())], ""


def _vbanks(session: Session) -> list[Choice]:
    wanted = [c.strip() for c in session.get("wish_vbank_list").split(":") if c.strip()]
    listed = [c for c in wanted if c in VBANK_BANKS]
    return [Choice(f"BK{code}", VBANK_BANKS[code]) for code in (listed or list(VBANK_BANKS))]


def _va_deadline(session: Session, now: dt.datetime) -> str:
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
        if term and not (_is_number(term) and len(term) <= 3):
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


def _good_expr_label(text: str) -> str:
    """``good_expr`` as shown (kcp.md §6.1): ``2:1m`` → "1개월 자동결제"."""
    match = re.fullmatch(r"[0-9]+:([0-9]+)([dmy])", text.strip().lower())
    if not match:
        return "자동결제"
    unit = {"d": "일", "m": "개월", "y": "년"}[match.group(2)]
    return f"{int(match.group(1))}{unit} 자동결제"


def _cart(good_info: str) -> list[CartItem]:
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


def _group_id(sandbox: Sandbox, session: Session) -> str:
    group_id = session.get("kcpgroup_id") or session.get("kcp_group_id")
    site = sandbox.site(session.get("site_cd"))
    if not group_id or site is None or group_id not in site.group_ids:
        raise WindowError(codes.NO_GROUP_ID, f"{codes.NO_GROUP_ID.res_msg}: {group_id or '(없음)'}")
    return group_id


def build_view(sandbox: Sandbox, session: Session) -> View:
    """The window for a session; WindowError when it cannot open."""
    site_cd = session.get("site_cd")
    if sandbox.site(site_cd) is None:
        raise WindowError(codes.UNKNOWN_SITE, f"{codes.UNKNOWN_SITE.res_msg}: {site_cd or '(없음)'}")
    if not session.get("ordr_idxx"):
        raise WindowError(codes.MISSING_FIELD, "주문번호(ordr_idxx)가 없습니다.")
    methods, kind = _methods(session)
    batch = methods[0].key == "batch"
    amount = _amount(session, allow_zero=batch)
    view = View(
        channel=session.channel,
        site_cd=site_cd,
        shop_name=session.get("shop_name") or session.get("site_name") or site_cd,
        ordr_idxx=session.get("ordr_idxx"),
        good_name=session.get("good_name"),
        good_mny=amount,
        ret_url=_http_url(session.get("Ret_URL")),
        methods=methods,
        site_logo=_http_url(session.get("site_logo")),
        buyr_name=session.get("buyr_name"),
        shop_user_id=session.get("shop_user_id"),
        cash_receipt=session.get("disp_tax_yn").upper() != "N",
    )
    if session.channel == "mobile" and not view.ret_url:
        raise WindowError(codes.MISSING_FIELD, "결과를 받을 Ret_URL이 없거나 올바르지 않습니다.")
    _add_method_details(sandbox, session, view, kind)
    if _flag(session.get("escw_used")):
        view.escrow = True
        view.cart = _cart(session.fields.get("good_info", ""))
        view.bask_cntx = session.get("bask_cntx")
        view.receiver = [
            Choice(label, session.get(name))
            for name, label in (("rcvr_name", "받는 분"), ("rcvr_tel2", "연락처"), ("rcvr_add1", "주소"))
            if session.get(name)
        ]
    return view


def _add_method_details(sandbox: Sandbox, session: Session, view: View, kind: str) -> None:
    """Fill in the options of each offered method."""
    if view.offers("card") or view.offers("batch"):
        view.card_companies = _card_companies(session)
    if view.offers("card"):
        view.quotas = _quotas(session, view.good_mny)
        view.noint = _noint(session, view.quotas)
        view.easy_pays, view.easy_pay_direct = _easy_pays(session)
        view.app_card_only = _flag(session.get("kcp_app_card_yn"))
    if view.offers("bank"):
        view.banks = [Choice(f"BK{code}", name) for code, name in TRANSFER_BANKS.items()]
    if view.offers("vbank"):
        view.vbanks = _vbanks(session)
        view.va_date = _va_deadline(session, sandbox.clock.now())
    if view.offers("phone"):
        fixed = session.get("hp_commid").upper()
        view.fixed_carrier = fixed if fixed in CARRIERS else ""
        carriers = [view.fixed_carrier] if view.fixed_carrier else list(CARRIERS)
        view.carriers = [Choice(c, CARRIERS[c]) for c in carriers]
        view.fixed_phone = re.sub(r"[^0-9]", "", session.get("hp_no"))
    if view.offers("point"):
        view.points = [Choice(c, POINTS[c]) for c in ([kind] if kind in POINTS else POINTS)]
    if view.offers("gift"):
        view.gifts = [Choice(c, GIFTS[c]) for c in ([kind] if kind in GIFTS else GIFTS)]
        if len(view.methods) == 1 and not view.shop_user_id:
            raise WindowError(codes.MISSING_FIELD, _GIFT_NEEDS_USER)
    if view.offers("batch"):
        view.group_id = _group_id(sandbox, session)
        view.good_expr_label = _good_expr_label(session.get("good_expr"))
        view.ask_taxno = session.get("batch_soc").upper() != "N"
        choice = session.get("batch_soc_choice").upper()
        view.taxno_choice = choice if choice in {"S", "C"} else ""


# --- the buyer's choice -----------------------------------------------------------------


def _digits(value: str) -> str:
    return re.sub(r"[\s\-]", "", value)


def _returned_mask(card_no: str, mode: str) -> str:
    """``card_mask_no`` for ``batch_cardno_return_yn`` (kcp.md §6.1): Y masked, L last four."""
    mode = mode.upper()
    if mode == "Y":
        return f"{card_no[:4]}-{card_no[4:8]}-****-{card_no[-4:]}"
    if mode == "L":
        return card_no[-4:]
    return ""


def _pick(form: dict[str, str], name: str, choices: list[Choice], what: str) -> Choice:
    value = form.get(name, "").strip()
    if len(choices) == 1 and not value:
        return choices[0]
    for choice in choices:
        if choice.value == value:
            return choice
    raise InputError(f"{what}을(를) 선택해 주세요.")


def _card_number(form: dict[str, str]) -> str:
    card_no = _digits(form.get("card_no", ""))
    if not re.fullmatch(r"[0-9]{13,19}", card_no):
        raise InputError("카드번호를 확인해 주세요 (숫자 13~19자리).")
    return card_no


def _bin_types(form: dict[str, str]) -> tuple[str, str]:
    personal = "1" if form.get("card_bin_type_01") == "1" else "0"
    credit = "1" if form.get("card_bin_type_02") == "1" else "0"
    return personal, credit


def _card(view: View, form: dict[str, str]) -> tuple[dict[str, Any], str, dict[str, str]]:
    company = _pick(form, "card_cd", view.card_companies, "카드사")
    card_no = _card_number(form)
    quota = _pick(form, "quota", view.quotas, "할부 개월").value if view.quotas else "00"
    months = view.noint.get(company.value, view.noint.get("ALL", []))
    easy_pay = view.easy_pay_direct or form.get("easy_pay", "").strip()
    if easy_pay and easy_pay not in EASY_PAYS:
        raise InputError("간편결제 수단을 확인해 주세요.")
    card_pay_method = EASY_PAYS[easy_pay].card_pay_method if easy_pay else ""
    personal, credit = _bin_types(form)
    selection = {
        "card_cd": company.value,
        "card_name": company.label,
        "card_no": methods.mask_card(card_no),
        "quota": quota,
        "noinf": "Y" if quota in months else "N",
        "partcanc_yn": "Y",
        "card_bin_type_01": personal,
        "card_bin_type_02": credit,
        "card_pay_method": card_pay_method,
        "easy_pay": easy_pay,
        "app_card": "Y" if view.app_card_only or _flag(form.get("app_card", "")) else "N",
    }
    return selection, scenarios.for_card(card_no).name, {"card_pay_method": card_pay_method}


def _cash_receipt(view: View, form: dict[str, str]) -> dict[str, str]:
    if not view.cash_receipt or not _flag(form.get("cash_yn", "")):
        return {"cash_yn": "N", "cash_tr_code": "", "cash_id_info": ""}
    id_info = re.sub(r"[^0-9]", "", form.get("cash_id_info", ""))
    if not 10 <= len(id_info) <= 18:
        raise InputError("현금영수증 발급 번호(휴대폰 번호 또는 사업자번호)를 확인해 주세요.")
    tr_code = "1" if form.get("cash_tr_code") == "1" else "0"
    return {"cash_yn": "Y", "cash_tr_code": tr_code, "cash_id_info": id_info}


def _batch(view: View, session: Session, form: dict[str, str]) -> tuple[dict[str, Any], str, dict[str, str]]:
    company = _pick(form, "card_cd", view.card_companies, "카드사")
    card_no = _card_number(form)
    if view.ask_taxno:
        taxno = re.sub(r"[^0-9]", "", form.get("card_taxno", ""))
        lengths = {"S": (6,), "C": (10,)}.get(view.taxno_choice, (6, 10))
        if len(taxno) not in lengths:
            raise InputError("생년월일 6자리 또는 사업자번호 10자리를 입력해 주세요.")
    personal, credit = _bin_types(form)
    selection = {
        "group_id": view.group_id,
        "card_cd": company.value,
        "card_name": company.label,
        "card_mask_no": methods.mask_card(card_no),
        "card_bin_type_01": personal,
        "card_bin_type_02": credit,
    }
    extra = {
        "card_mask_no": _returned_mask(card_no, session.get("batch_cardno_return_yn")),
        "kcp_group_id": view.group_id,
    }
    return selection, scenarios.for_card(card_no).name, extra


def authorize(sandbox: Sandbox, session: Session, view: View, form: dict[str, str]) -> Authorized:
    """Turn the buyer's form into a stored authentication (InputError: ask again)."""
    key = form.get("method", "").strip() or (view.methods[0].key if len(view.methods) == 1 else "")
    method = next((m for m in view.methods if m.key == key), None)
    if method is None:
        raise InputError("결제수단을 선택해 주세요.")
    scenario = "normal"
    extra: dict[str, str] = {}
    selection: dict[str, Any]
    if method.key == "card":
        selection, scenario, extra = _card(view, form)
    elif method.key == "bank":
        bank = _pick(form, "bank_code", view.banks, "은행")
        selection = {"bank_code": bank.value, "bank_name": bank.label}
        extra = _cash_receipt(view, form)
    elif method.key == "vbank":
        bank = _pick(form, "vbank_code", view.vbanks, "입금 은행")
        selection = {
            "bankcode": bank.value,
            "bankname": bank.label,
            "va_date": view.va_date,
            "depositor": methods.STAGE_DEPOSITOR,
            "buyr_name": session.get("buyr_name"),
        }
        extra = _cash_receipt(view, form)
    elif method.key == "phone":
        # A carrier fixed by the merchant (hp_commid) is not the buyer's to change.
        carrier = view.carriers[0] if view.fixed_carrier else _pick(form, "commid", view.carriers, "통신사")
        mobile_no = view.fixed_phone or re.sub(r"[^0-9]", "", form.get("mobile_no", ""))
        if not re.fullmatch(r"01[0-9]{8,9}", mobile_no):
            raise InputError("휴대폰 번호를 확인해 주세요.")
        selection = {"commid": carrier.value, "mobile_no": mobile_no}
    elif method.key == "point":
        point = _pick(form, "pnt_issue", view.points, "포인트")
        selection = {"pnt_issue": point.value}
    elif method.key == "gift":
        if not view.shop_user_id:
            raise WindowError(codes.MISSING_FIELD, _GIFT_NEEDS_USER)
        gift = _pick(form, "tk_van_code", view.gifts, "상품권")
        selection = {"tk_van_code": gift.value, "shop_user_id": view.shop_user_id}
    else:
        selection, scenario, extra = _batch(view, session, form)
    auth = auths.record_auth(
        sandbox,
        site_cd=view.site_cd,
        ordr_idxx=view.ordr_idxx,
        good_mny=view.good_mny,
        good_name=view.good_name,
        pay_type=method.pay_type,
        use_pay_method=method.use_pay_method,
        selection=selection,
        tran_cd=auths.TRAN_BATCH_KEY if method.key == "batch" else auths.TRAN_PAYMENT,
        scenario=scenario,
        escw_used="Y" if view.escrow else "N",
    )
    return Authorized(auth=dict(auth), method=method, extra=extra)


# --- results --------------------------------------------------------------------------


def _result_fields(
    session: Session,
    code: codes.Code,
    *,
    message: str = "",
    authorized: Authorized | None = None,
) -> dict[str, str]:
    """What the merchant receives (Ret_URL post or postMessage), in KCP's names."""
    auth = authorized.auth if authorized else {}
    method = authorized.method if authorized else None
    fields = {
        "res_cd": code.res_cd,
        "res_msg": message or code.res_msg,
        "res_en_msg": code.res_en_msg,
        "tran_cd": str(auth.get("tran_cd", "")),
        "enc_data": str(auth.get("enc_data", "")),
        "enc_info": str(auth.get("enc_info", "")),
        "site_cd": session.get("site_cd"),
        "ordr_idxx": session.get("ordr_idxx"),
        "good_name": session.get("good_name"),
        "good_mny": session.get("good_mny"),
        "use_pay_method": method.use_pay_method if method else "",
        "escw_used": "Y" if _flag(session.get("escw_used")) else "N",
    }
    for name in _ECHOED:
        fields[name] = session.fields.get(name, "")
    if session.channel == "pc":
        fields["ret_pay_method"] = method.ret_pay_method if method else ""
        fields["ordr_chk"] = f"{session.get('ordr_idxx')}|{session.get('good_mny')}"
    else:
        fields["req_tx"] = "pay"
        fields["trace_no"] = session.get("traceNo")
    if authorized:
        fields.update(authorized.extra)
    if session.get("pay_method").upper() in {"AUTH", "AUTH:CARD"}:
        fields.setdefault("card_mask_no", "")
    return fields


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _message_page(request: Request, title: str, message: str, status_code: int) -> Response:
    return _no_store(
        templates.TemplateResponse(
            request, "message.html", {"title": title, "message": message}, status_code=status_code
        )
    )


def _target_origin(session: Session) -> str:
    origin = session.get("sandbox_parent_origin")
    return origin if _ORIGIN.fullmatch(origin) else "*"


def _result_page(request: Request, session: Session, fields: dict[str, str], *, error: str = "") -> Response:
    """Hand the result to the merchant: auto-post to Ret_URL (mobile) or postMessage (PC)."""
    if session.channel == "pc":
        message = {
            "source": "homeport-kcp-sandbox",
            "type": "kcp_pay_result",
            "nonce": session.get("sandbox_nonce"),
            "fields": fields,
        }
        pc_context = {"message": message, "target_origin": _target_origin(session), "error": error}
        return _no_store(templates.TemplateResponse(request, "result_pc.html", pc_context))
    target = _http_url(session.get("Ret_URL"))
    if not target:
        return _message_page(request, "결제창 오류", error or fields["res_msg"], 400)
    context: dict[str, Any] = {
        "ret_url": target,
        "charset": session.charset,
        "fields": fields,
        "error": error,
        "success": fields["res_cd"] == codes.OK.res_cd,
    }
    return _no_store(templates.TemplateResponse(request, "result_mobile.html", context))


def _failure_page(request: Request, session: Session, failure: WindowError) -> Response:
    fields = _result_fields(session, failure.code, message=failure.detail)
    return _result_page(request, session, fields, error=failure.detail)


def _window_page(
    request: Request, session: Session, view: View, *, form: dict[str, str] | None = None, error: str = ""
) -> Response:
    form = form or {}
    context = {
        "view": view,
        "session": session,
        "form": form,
        "error": error,
        "selected_method": form.get("method") or view.methods[0].key,
        "card_no": form.get("card_no") or DEFAULT_CARD_NUMBER,
        "submit_url": request.url_for("sandbox_window_submit", window_id=session.window_id),
        "installment_minimum": INSTALLMENT_MINIMUM,
    }
    return _no_store(
        templates.TemplateResponse(request, "window.html", context, status_code=400 if error else 200)
    )


# --- routes -----------------------------------------------------------------------------


def _new_session(sandbox: Sandbox, channel: Channel, charset: str, fields: dict[str, str]) -> Session:
    return Session(
        window_id=secrets.token_urlsafe(18),
        channel=channel,
        charset=charset,
        fields=fields,
        created_at=kcp_time(sandbox.clock.now()),
    )


def _check_trade(sandbox: Sandbox, session: Session) -> None:
    """The trade behind a mobile form must agree with it; its Ret_URL is where results go."""
    approval_key = session.get("approval_key")
    trade = sandbox.ledger.get("trade", approval_key) if approval_key else None
    if trade is None:
        raise WindowError(TRADE_NOT_FOUND)
    ret_url = _http_url(str(trade.get("Ret_URL", ""))) or _http_url(session.get("Ret_URL"))
    session.fields["Ret_URL"] = ret_url
    if str(trade.get("site_cd", "")) != session.get("site_cd"):
        raise WindowError(TRADE_MISMATCH, "사이트코드(site_cd)가 거래등록 정보와 다릅니다.")
    if str(trade.get("ordr_idxx", "")) != session.get("ordr_idxx"):
        raise WindowError(TRADE_MISMATCH, "주문번호(ordr_idxx)가 거래등록 정보와 다릅니다.")
    if str(trade.get("good_mny", "")) != session.get("good_mny"):
        raise WindowError(codes.AMOUNT_MISMATCH, "결제금액(good_mny)이 거래등록 금액과 다릅니다.")
    trace_no = session.get("traceNo")
    if trace_no and trade.get("traceNo") and trace_no != trade.get("traceNo"):
        raise WindowError(TRADE_MISMATCH, "traceNo가 거래등록 정보와 다릅니다.")
    trade_method = str(trade.get("pay_method", "")).upper()
    action = _ACTION_RESULTS.get(session.get("ActionResult").lower())
    if trade_method and action and METHODS[action[0]].trade_pay_method != trade_method:
        raise WindowError(TRADE_MISMATCH, "결제수단이 거래등록 정보와 다릅니다.")


def _open(request: Request, session: Session) -> Response:
    sandbox = sandbox_of(request)
    try:
        view = build_view(sandbox, session)
    except WindowError as failure:
        return _failure_page(request, session, failure)
    sandbox.ledger.put("window", session.window_id, session.record())
    return _window_page(request, session, view)


async def _open_mobile(request: Request, default_charset: str) -> Response:
    sandbox = sandbox_of(request)
    fields = await _read_form(request, default_charset)
    # The result goes back in the form's encoding: UTF-8 only when asked (kcp.md §10.2).
    utf8 = fields.get("encoding_trans", "").strip().upper() in {"UTF-8", "UTF8"}
    session = _new_session(sandbox, "mobile", "UTF-8" if utf8 else "EUC-KR", fields)
    try:
        _check_trade(sandbox, session)
    except WindowError as failure:
        return _failure_page(request, session, failure)
    return _open(request, session)


@router.post("/pay/mobileGW.kcp", include_in_schema=False)
async def mobile_window(request: Request) -> Response:
    """The mobile window at ``PayUrl``: an EUC-KR form (kcp.md §10.2)."""
    return await _open_mobile(request, "euc-kr")


@router.post("/pay/jsp/encodingFilter/encodingFilter.jsp", include_in_schema=False)
async def mobile_window_utf8(request: Request) -> Response:
    """The mobile window behind KCP's encoding filter: a UTF-8 form carrying ``PayUrl``."""
    return await _open_mobile(request, "utf-8")


@router.post("/pay/pc", include_in_schema=False)
async def pc_window(request: Request) -> Response:
    """The PC window, opened by ``kcp_spay_hub.js`` in its overlay iframe (UTF-8 form)."""
    sandbox = sandbox_of(request)
    fields = await _read_form(request, "utf-8")
    return _open(request, _new_session(sandbox, "pc", "UTF-8", fields))


@router.post("/pay/window/{window_id}", name="sandbox_window_submit", include_in_schema=False)
async def submit_window(window_id: str, request: Request) -> Response:
    """The buyer pays (``action=pay``) or cancels (``action=cancel``); a window completes once."""
    sandbox = sandbox_of(request)
    form = await _read_form(request, "utf-8")
    record = sandbox.ledger.get("window", window_id)
    if record is None:
        return _message_page(request, "결제창 오류", "결제창 정보를 찾을 수 없습니다.", 404)
    session = Session.from_record(record)
    error = ""
    # Checking the status, storing the auth and closing the window is one step: a window
    # completes once even when the buyer double-clicks.
    with sandbox.ledger.transaction():
        if (sandbox.ledger.get("window", window_id) or {}).get("status") != "open":
            return _message_page(request, "결제창 오류", "이미 처리된 결제창입니다.", 409)
        try:
            fields = _complete(sandbox, session, form)
        except InputError as problem:
            return _window_page(request, session, build_view(sandbox, session), form=form, error=str(problem))
        except WindowError as failure:
            fields, error = _result_fields(session, failure.code, message=failure.detail), failure.detail
        session.status = "done"
        sandbox.ledger.update("window", window_id, session.record())
    return _result_page(request, session, fields, error=error)


def _complete(sandbox: Sandbox, session: Session, form: dict[str, str]) -> dict[str, str]:
    """The result fields for the buyer's action (InputError: show the window again)."""
    view = build_view(sandbox, session)
    if form.get("action", "pay") == "cancel":
        return _result_fields(session, codes.USER_CANCELLED)
    return _result_fields(session, codes.OK, authorized=authorize(sandbox, session, view, form))


def _hub_script() -> Response:
    return Response(
        _HUB_SCRIPT.read_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/plugin/kcp_spay_hub.js", include_in_schema=False)
async def spay_hub_script() -> Response:
    """KCP's PC window script: ``KCP_Pay_Execute_Web(form)``, ``GetField``, ``m_Completepayment``."""
    return _hub_script()


@router.get("/plugin/payplus_web.jsp", include_in_schema=False)
async def payplus_web_script() -> Response:
    """The older PC script URL (``KCP_Pay_Execute(form)``); the same script."""
    return _hub_script()
