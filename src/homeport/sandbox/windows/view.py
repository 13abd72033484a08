"""What a window page shows, computed from the merchant's fields (:func:`build_view`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from homeport.sandbox import codes
from homeport.sandbox.clock import parse_kcp_time
from homeport.sandbox.context import Sandbox
from homeport.sandbox.windows import forms, options
from homeport.sandbox.windows.forms import flag, http_url, only_digits
from homeport.sandbox.windows.options import CARD_COMPANIES, CARRIERS, GIFTS, POINTS, CartItem, Choice, Method
from homeport.sandbox.windows.session import Channel, Session, WindowError

GIFT_NEEDS_USER = "상품권 결제에는 shop_user_id(가맹점 회원 ID)가 필요합니다."


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


def build_view(sandbox: Sandbox, session: Session) -> View:
    """The window for a session; WindowError when it cannot open."""
    site_cd = session.get("site_cd")
    if sandbox.site(site_cd) is None:
        raise WindowError(codes.UNKNOWN_SITE, f"{codes.UNKNOWN_SITE.res_msg}: {site_cd or '(없음)'}")
    if not session.get("ordr_idxx"):
        raise WindowError(codes.MISSING_FIELD, "주문번호(ordr_idxx)가 없습니다.")
    methods, kind = options.offered_methods(session)
    batch = methods[0].key == "batch"
    amount = forms.amount(session, allow_zero=batch)
    view = View(
        channel=session.channel,
        site_cd=site_cd,
        shop_name=session.get("shop_name") or session.get("site_name") or site_cd,
        ordr_idxx=session.get("ordr_idxx"),
        good_name=session.get("good_name"),
        good_mny=amount,
        ret_url=http_url(session.get("Ret_URL")),
        methods=methods,
        site_logo=http_url(session.get("site_logo")),
        buyr_name=session.get("buyr_name"),
        shop_user_id=session.get("shop_user_id"),
        cash_receipt=session.get("disp_tax_yn").upper() != "N",
    )
    if session.channel == "mobile" and not view.ret_url:
        raise WindowError(codes.MISSING_FIELD, "결과를 받을 Ret_URL이 없거나 올바르지 않습니다.")
    _add_method_details(sandbox, session, view, kind)
    if flag(session.get("escw_used")):
        view.escrow = True
        view.cart = options.cart(session.fields.get("good_info", ""))
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
        view.card_companies = options.card_companies(session)
    if view.offers("card"):
        view.quotas = options.quotas(session, view.good_mny)
        view.noint = options.noint(session, view.quotas)
        view.easy_pays, view.easy_pay_direct = options.easy_pays(session)
        view.app_card_only = flag(session.get("kcp_app_card_yn"))
    if view.offers("bank"):
        view.banks = [Choice(f"BK{code}", name) for code, name in options.TRANSFER_BANKS.items()]
    if view.offers("vbank"):
        view.vbanks = options.vbanks(session)
        view.va_date = options.va_deadline(session, sandbox.clock.now())
    if view.offers("phone"):
        fixed = session.get("hp_commid").upper()
        view.fixed_carrier = fixed if fixed in CARRIERS else ""
        carriers = [view.fixed_carrier] if view.fixed_carrier else list(CARRIERS)
        view.carriers = [Choice(c, CARRIERS[c]) for c in carriers]
        view.fixed_phone = only_digits(session.get("hp_no"))
    if view.offers("point"):
        view.points = options.kind_choices(POINTS, kind)
    if view.offers("gift"):
        view.gifts = options.kind_choices(GIFTS, kind)
        if len(view.methods) == 1 and not view.shop_user_id:
            raise WindowError(codes.MISSING_FIELD, GIFT_NEEDS_USER)
    if view.offers("batch"):
        view.group_id = forms.group_id(sandbox, session)
        view.good_expr_label = options.good_expr_label(session.get("good_expr"))
        view.ask_taxno = session.get("batch_soc").upper() != "N"
        choice = session.get("batch_soc_choice").upper()
        view.taxno_choice = choice if choice in {"S", "C"} else ""
