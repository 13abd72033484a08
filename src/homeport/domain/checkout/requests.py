"""What ``IMP.request_pay(params, callback)`` asks for, and the rules it must pass before a
payment window opens (iamport-v1 §7.3; decision 0005).

The SDK posts ``params`` as JSON exactly as the merchant's page built them, so every rule
here reads a plain mapping and says, in Korean like the rest of the API, which parameter is
wrong. Nothing here touches storage, the clock or the PG: the current time is an argument.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from homeport.domain.errors import InvalidAmount, InvalidRequest
from homeport.domain.ids import validate_customer_uid, validate_merchant_uid
from homeport.domain.money import INSTALLMENT_MINIMUM, Won, parse_amount
from homeport.domain.payments.models import Buyer
from homeport.domain.payments.orders import SUPPORTED_CURRENCY, TEXT_LIMITS, ChargeOrder

#: Every pay_method the seeds use with KCP (§5.2 values homeport serves).
PAY_METHODS = (
    "card",
    "samsung",
    "trans",
    "vbank",
    "phone",
    "payco",
    "lpay",
    "cultureland",
    "smartculture",
    "happymoney",
    "booknlife",
    "point",
    "kakaopay",
    "naverpay",
    "applepay",
)
#: Gift certificates: KCP needs the merchant's id for the buyer (``bypass.shop_user_id``).
GIFT_CERTIFICATES = frozenset({"cultureland", "smartculture", "happymoney", "booknlife"})
LANGUAGES = ("ko", "en")
#: ``vbank_due`` is wall time in Korea (the SDK docs give dates without a zone).
KST = ZoneInfo("Asia/Seoul")
#: The formats §7.3 lists for ``vbank_due``, newest first; the 12-digit one is the old SDK's.
VBANK_DUE_FORMATS = {
    re.compile(r"\d{4}-\d{2}-\d{2}"): "%Y-%m-%d",
    re.compile(r"\d{8}"): "%Y%m%d",
    re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"): "%Y-%m-%d %H:%M:%S",
    re.compile(r"\d{14}"): "%Y%m%d%H%M%S",
    re.compile(r"\d{12}"): "%Y%m%d%H%M",
}
#: Installment plans go up to 36 months (KCP ``quotaopt``); 0 and 1 mean lump sum.
MAX_INSTALLMENT_MONTHS = 36
#: KCP's ``shop_user_id`` is at most 50 characters (kcp.md, gift certificates).
SHOP_USER_ID_MAX = 50
#: Plain text fields the window shows, with the longest value homeport keeps.
COMPANY_MAX = 100
CARD_CODE_MAX = 10
PRODUCT_TEXT_MAX = 100
PHONE_NUMBER_MAX = 32

#: The PG prefixes homeport serves: KCP window payments and KCP billing-key issuance.
PG_KCP = "kcp"
PG_KCP_BILLING = "kcp_billing"


@dataclass(frozen=True)
class PgSelection:
    """Which of the merchant's channels the window uses, from ``pg`` (§7.3).

    ``kind`` is ``default`` when ``pg`` is omitted (the merchant's default channel) and ``kcp``
    otherwise; ``site_cd`` names one KCP site (``kcp.{site_cd}``); ``billing`` is true for
    ``kcp_billing[.{site_cd}]``, which issues a billing key instead of charging.
    """

    kind: str = "default"
    site_cd: str | None = None
    billing: bool = False


def pg_selection(value: object) -> PgSelection:
    """Read ``pg``: omitted, ``kcp``, ``kcp.{site_cd}``, ``kcp_billing`` or ``kcp_billing.{site_cd}``."""
    if value is None or value == "":
        return PgSelection()
    if not isinstance(value, str):
        raise InvalidRequest("pg는 문자열이어야 합니다. (예: kcp, kcp.{사이트코드}, kcp_billing)")
    provider, _, site = value.strip().partition(".")
    if provider not in (PG_KCP, PG_KCP_BILLING):
        raise InvalidRequest(
            f"homeport는 NHN KCP만 지원합니다. pg는 kcp, kcp.{{사이트코드}}, kcp_billing 또는 "
            f"kcp_billing.{{사이트코드}}여야 합니다. (got {value!r})"
        )
    if "." in site or (_ and not site):
        raise InvalidRequest(f"pg의 사이트코드가 올바르지 않습니다. (got {value!r})")
    return PgSelection(kind=PG_KCP, site_cd=site or None, billing=provider == PG_KCP_BILLING)


@dataclass(frozen=True)
class CardOptions:
    """How the card window opens: a company directly, cards on or off, installments offered."""

    direct_code: str | None = None
    direct_quota: int | None = None
    #: (card_code, enabled) pairs; ``*`` means every card (§7.3 card.detail).
    detail: tuple[tuple[str, bool], ...] = ()
    #: Installment months offered (display.card_quota); None lets the PG offer its default.
    offered_quotas: tuple[int, ...] | None = None
    app_card_only: bool = False
    key_in: bool = False


@dataclass(frozen=True)
class EscrowProduct:
    """One line of a KCP escrow cart (``kcpProducts``); ``amount`` is the line's total."""

    order_number: str
    name: str
    quantity: int
    amount: Won


@dataclass(frozen=True)
class CheckoutRequest:
    """``request_pay``'s params, checked and typed."""

    merchant_uid: str
    amount: Won
    pg: PgSelection = field(default_factory=PgSelection)
    pay_method: str = "card"
    name: str | None = None
    tax_free: Won = 0
    buyer: Buyer = field(default_factory=Buyer)
    company: str | None = None
    language: str = "ko"
    m_redirect_url: str | None = None
    notice_urls: tuple[str, ...] = ()
    custom_data: str | None = None
    vbank_due: int | None = None
    card: CardOptions = field(default_factory=CardOptions)
    shop_user_id: str | None = None
    site_logo: str | None = None
    escrow: bool = False
    escrow_products: tuple[EscrowProduct, ...] = ()
    prefill_phone_number: str | None = None
    customer_uid: str | None = None

    @property
    def notice_url(self) -> str | None:
        """``notice_url`` as stored on the payment: one URL as is, several as a JSON array."""
        if not self.notice_urls:
            return None
        if len(self.notice_urls) == 1:
            return self.notice_urls[0]
        return json.dumps(list(self.notice_urls), separators=(",", ":"))

    @property
    def installment_months(self) -> int:
        """The installment plan chosen by the merchant (``card.direct.quota``), 0 if none."""
        return self.card.direct_quota or 0

    def order(self) -> ChargeOrder:
        """The fields every payment shares, for the steps payments go through (orders.py)."""
        return ChargeOrder(
            merchant_uid=self.merchant_uid,
            amount=self.amount,
            name=self.name,
            currency=SUPPORTED_CURRENCY,
            tax_free=self.tax_free,
            buyer=self.buyer,
            installment_months=self.installment_months,
            custom_data=self.custom_data,
            notice_url=self.notice_url,
        )


class _Params:
    """A JSON object of the SDK with typed readers that name the parameter in their errors."""

    def __init__(self, data: Mapping[str, Any], prefix: str = "") -> None:
        self._data = data
        self._prefix = prefix

    def name(self, key: str) -> str:
        return f"{self._prefix}{key}"

    def raw(self, key: str) -> Any:
        value = self._data.get(key)
        return None if value == "" else value

    def text(self, key: str, *, limit: int, required: bool = False) -> str | None:
        value = self.raw(key)
        if value is None:
            if required:
                raise InvalidRequest(f"{self.name(key)} 파라메터가 누락되었습니다.")
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # a phone number or postcode the page kept as a number
        if not isinstance(value, str):
            raise InvalidRequest(f"{self.name(key)}는 문자열이어야 합니다.")
        if len(value) > limit:
            raise InvalidRequest(f"{self.name(key)}는 {limit}자 이하여야 합니다.")
        return value

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise InvalidRequest(f"{self.name(key)}는 true 또는 false여야 합니다. (got {value!r})")
        return value

    def integer(self, key: str) -> int | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidRequest(f"{self.name(key)}는 정수여야 합니다. (got {value!r})")
        return value

    def amount(self, key: str, *, required: bool = False) -> Won:
        value = self.raw(key)
        if value is None:
            if required:
                raise InvalidRequest(f"{self.name(key)} 파라메터가 누락되었습니다.")
            return 0
        # The SDK posts JSON, so a string is the merchant's bug, not a form's limitation (§7.3).
        return parse_amount(value, field=self.name(key), from_form=False)

    def obj(self, key: str) -> _Params:
        value = self.raw(key)
        if value is None:
            return _Params({}, f"{self.name(key)}.")
        if not isinstance(value, Mapping):
            raise InvalidRequest(f"{self.name(key)}는 객체({{...}})여야 합니다.")
        return _Params(value, f"{self.name(key)}.")

    def items(self, key: str) -> list[Any]:
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise InvalidRequest(f"{self.name(key)}는 배열([...])이어야 합니다.")
        return value

    def objects(self, key: str) -> list[_Params]:
        result = []
        for index, item in enumerate(self.items(key)):
            if not isinstance(item, Mapping):
                raise InvalidRequest(f"{self.name(key)}[{index}]는 객체({{...}})여야 합니다.")
            result.append(_Params(item, f"{self.name(key)}[{index}]."))
        return result


def checkout_request(params: Mapping[str, Any], *, now: int) -> CheckoutRequest:
    """Check ``request_pay``'s params (as the SDK posts them) and type them.

    ``now`` (UNIX seconds) is when the window is asked for: ``vbank_due`` must be after it.
    """
    p = _Params(params)
    selection = pg_selection(p.raw("pg"))
    amount = p.amount("amount", required=True)
    pay_method = _pay_method(p)
    request = CheckoutRequest(
        merchant_uid=validate_merchant_uid(p.text("merchant_uid", limit=10_000, required=True) or ""),
        amount=amount,
        pg=selection,
        pay_method=pay_method,
        name=p.text("name", limit=TEXT_LIMITS["name"]),
        tax_free=p.amount("tax_free"),
        buyer=Buyer(
            name=p.text("buyer_name", limit=TEXT_LIMITS["buyer_name"]),
            email=p.text("buyer_email", limit=TEXT_LIMITS["buyer_email"]),
            tel=p.text("buyer_tel", limit=TEXT_LIMITS["buyer_tel"]),
            addr=p.text("buyer_addr", limit=TEXT_LIMITS["buyer_addr"]),
            postcode=p.text("buyer_postcode", limit=TEXT_LIMITS["buyer_postcode"]),
        ),
        company=p.text("company", limit=COMPANY_MAX),
        language=_language(p),
        m_redirect_url=_url(p, "m_redirect_url", TEXT_LIMITS["notice_url"]),
        notice_urls=_notice_urls(p),
        custom_data=_custom_data(p.raw("custom_data")),
        vbank_due=_vbank_due(p.raw("vbank_due"), now),
        card=_card_options(p),
        shop_user_id=p.obj("bypass").text("shop_user_id", limit=SHOP_USER_ID_MAX),
        site_logo=_url(p.obj("bypass"), "site_logo", TEXT_LIMITS["notice_url"]),
        escrow=p.flag("escrow"),
        escrow_products=tuple(_escrow_product(item) for item in p.objects("kcpProducts")),
        prefill_phone_number=p.obj("prefill").text("phoneNumber", limit=PHONE_NUMBER_MAX),
        customer_uid=_customer_uid(p),
    )
    _check_currency(p)
    _check_together(request)
    return request


def _pay_method(p: _Params) -> str:
    value = p.raw("pay_method")
    if value is None:
        return "card"  # the SDK's own default (§7.2)
    if value not in PAY_METHODS:
        raise InvalidRequest(
            f"지원하지 않는 pay_method입니다: {value!r} (가능한 값: {', '.join(PAY_METHODS)})"
        )
    return str(value)


def _language(p: _Params) -> str:
    value = p.raw("language")
    if value is None:
        return "ko"
    if value not in LANGUAGES:
        raise InvalidRequest(f"language는 ko 또는 en이어야 합니다. (got {value!r})")
    return str(value)


def _check_currency(p: _Params) -> None:
    currency = p.text("currency", limit=8)
    if currency is not None and currency.upper() != SUPPORTED_CURRENCY:
        raise InvalidRequest(f"KCP 결제는 KRW만 지원합니다. (currency {currency})")


def _url(p: _Params, key: str, limit: int) -> str | None:
    value = p.text(key, limit=limit)
    return None if value is None else http_url(value, p.name(key))


def http_url(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidRequest(f"{name}는 http:// 또는 https://로 시작하는 URL이어야 합니다. (got {value!r})")
    return value


def _notice_urls(p: _Params) -> tuple[str, ...]:
    """``notice_url``: one URL or a list of them (§7.3; webhooks §6)."""
    if isinstance(p.raw("notice_url"), str):
        return (_url(p, "notice_url", TEXT_LIMITS["notice_url"]) or "",)
    found = []
    for index, value in enumerate(p.items("notice_url")):
        if not isinstance(value, str):
            raise InvalidRequest(f"notice_url[{index}]는 문자열이어야 합니다.")
        found.append(http_url(value, f"notice_url[{index}]"))
    # One text column holds them all as a JSON array, so the whole list shares its limit.
    if len(json.dumps(found)) > TEXT_LIMITS["notice_url"]:
        raise InvalidRequest(f"notice_url 목록은 모두 합해 {TEXT_LIMITS['notice_url']}자 이하여야 합니다.")
    return tuple(found)


def _custom_data(value: object) -> str | None:
    """Kept as text; an object or array becomes its JSON (i'mport returns it as a string, §5.2)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _vbank_due(value: object, now: int) -> int | None:
    """``vbank_due`` in any format §7.3 lists, read as Korean time, as UNIX seconds.

    A date without a time means the end of that day (23:59:59 KST), as KCP's ``va_date`` does
    when only a day is given; the contract does not say, so this is homeport's reading.
    """
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # YYYYMMDD typed as a number
    if not isinstance(value, str):
        raise InvalidRequest("vbank_due는 문자열이어야 합니다. (예: 2026-12-31 또는 20261231235959)")
    text = value.strip()
    for pattern, form in VBANK_DUE_FORMATS.items():
        if pattern.fullmatch(text):
            try:
                due = datetime.strptime(text, form).replace(tzinfo=KST)
            except ValueError:
                break
            if "%H" not in form:
                due = due.replace(hour=23, minute=59, second=59)
            stamp = int(due.timestamp())
            if stamp <= now:
                raise InvalidRequest(f"vbank_due는 현재 이후여야 합니다. (got {value!r})")
            return stamp
    raise InvalidRequest(
        "vbank_due는 YYYY-MM-DD, YYYYMMDD, YYYY-MM-DD HH:mm:ss, YYYYMMDDHHmmss 또는 "
        f"YYYYMMDDhhmm 형식이어야 합니다. (got {value!r})"
    )


def _quota(p: _Params, key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INSTALLMENT_MONTHS:
        raise InvalidRequest(
            f"{p.name(key)}의 할부개월수는 0~{MAX_INSTALLMENT_MONTHS} 사이의 정수여야 합니다."
        )
    return value


def _card_options(p: _Params) -> CardOptions:
    card = p.obj("card")
    direct = card.obj("direct")
    direct_code = direct.text("code", limit=CARD_CODE_MAX)
    direct_quota = direct.raw("quota")
    if direct_quota is not None and direct_code is None:
        raise InvalidRequest("card.direct.code 파라메터가 누락되었습니다.")
    display = p.obj("display")
    quotas = display.raw("card_quota")
    offered = (
        None
        if quotas is None
        else tuple(_quota(display, "card_quota", q) for q in display.items("card_quota"))
    )
    auth_mode = p.raw("auth_mode")
    if auth_mode is not None and auth_mode != "key-in":
        raise InvalidRequest(f"auth_mode는 key-in만 지원합니다. (got {auth_mode!r})")
    return CardOptions(
        direct_code=direct_code,
        direct_quota=None if direct_quota is None else _quota(direct, "quota", direct_quota),
        detail=tuple(
            (item.text("card_code", limit=CARD_CODE_MAX, required=True) or "", _enabled(item))
            for item in card.objects("detail")
        ),
        offered_quotas=offered,
        app_card_only=p.flag("appCard"),
        key_in=auth_mode == "key-in",
    )


def _enabled(item: _Params) -> bool:
    if item.raw("enabled") is None:
        raise InvalidRequest(f"{item.name('enabled')} 파라메터가 누락되었습니다.")
    return item.flag("enabled")


def _escrow_product(item: _Params) -> EscrowProduct:
    quantity = item.integer("quantity")
    if quantity is None or quantity < 1:
        raise InvalidRequest(f"{item.name('quantity')}는 1 이상의 정수여야 합니다.")
    return EscrowProduct(
        order_number=item.text("orderNumber", limit=PRODUCT_TEXT_MAX, required=True) or "",
        name=item.text("name", limit=PRODUCT_TEXT_MAX, required=True) or "",
        quantity=quantity,
        amount=item.amount("amount", required=True),
    )


def _customer_uid(p: _Params) -> str | None:
    value = p.text("customer_uid", limit=10_000)
    return validate_customer_uid(value) if value is not None else None


def _check_together(request: CheckoutRequest) -> None:
    """Rules between parameters, once each one is valid on its own."""
    billing = request.pg.billing
    if billing and request.customer_uid is None:
        raise InvalidRequest("pg가 kcp_billing이면 빌링키를 저장할 customer_uid가 필요합니다.")
    if request.customer_uid is not None and not billing:
        # KCP issues billing keys from its batch window only (peer-anchors: KCP through PortOne).
        raise InvalidRequest("customer_uid로 빌링키를 발급하려면 pg를 kcp_billing으로 지정해야 합니다.")
    # Billing-key issuance charges nothing: its amount is only shown (§7.3 customer_uid).
    if not billing and request.amount < 1:
        raise InvalidAmount("amount는 1원 이상이어야 합니다.")
    if request.tax_free > request.amount:
        raise InvalidAmount(
            f"tax_free({request.tax_free}원)는 amount({request.amount}원)보다 클 수 없습니다."
        )
    quotas = [request.card.direct_quota or 0, *(request.card.offered_quotas or ())]
    if max(quotas) >= 2 and request.amount < INSTALLMENT_MINIMUM:
        raise InvalidRequest(
            f"할부결제는 {INSTALLMENT_MINIMUM:,}원 이상부터 가능합니다. (amount {request.amount}원)"
        )
    if request.pay_method in GIFT_CERTIFICATES and request.shop_user_id is None:
        raise InvalidRequest(
            f"상품권 결제(pay_method {request.pay_method})에는 bypass.shop_user_id(가맹점의 구매자 ID)가 "
            "필요합니다."
        )
    if request.escrow:
        _check_escrow_cart(request)


def _check_escrow_cart(request: CheckoutRequest) -> None:
    """An escrow payment needs its cart, and the cart cannot cost more than the payment.

    KCP's escrow window lists the goods (``good_info``) and refuses an empty cart. The lines may
    sum to less than ``amount`` (shipping is not a line), never to more. The contract does not
    say which KCP enforces, so this is homeport's rule (decision 0005).
    """
    if not request.escrow_products:
        raise InvalidRequest("에스크로 결제(escrow: true)에는 kcpProducts(상품 목록)가 필요합니다.")
    total = sum(product.amount for product in request.escrow_products)
    if total > request.amount:
        raise InvalidAmount(
            f"kcpProducts의 amount 합계({total}원)가 결제금액({request.amount}원)보다 큽니다."
        )
