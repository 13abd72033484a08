"""What a payment window needs that a Payment does not hold (decision 0007).

A window is opened after the order is registered, by a page the merchant does not control
(homeport's checkout) and possibly in another process. Everything ``request_pay`` asked of
the window itself (the card options, the escrow cart, the shop's name and logo, the language,
where the buyer goes afterwards) is kept here, keyed by the payment's ``imp_uid``, written in
the same transaction as the ``ready`` payment. The amount, tax-free part, buyer and vbank
deadline stay on the Payment: one copy of each.

``m_redirect_url`` is bound to the order here, so the Ret_URL redirects only where the
merchant's page asked at registration, never where a crafted Ret_URL query says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from homeport.domain.checkout.requests import CardOptions, CheckoutRequest, EscrowProduct
from homeport.domain.errors import InvalidRequest
from homeport.domain.payments.models import PaymentChannel

#: An origin (``scheme://host[:port]``) is short; a longer value is not one.
ORIGIN_MAX = 300


@dataclass(frozen=True)
class CheckoutWindow:
    """One order's window: the device it opens on, where results go, and its options."""

    imp_uid: str
    merchant_id: int
    device: PaymentChannel  # PC or MOBILE
    created_at: int
    #: Where the mobile window's result is redirected (§7.5), as registered.
    m_redirect_url: str | None = None
    #: The merchant page's origin, the only target of the PC result's ``postMessage``.
    origin: str | None = None
    card: CardOptions = field(default_factory=CardOptions)
    shop_user_id: str | None = None
    site_logo: str | None = None
    company: str | None = None
    language: str = "ko"
    escrow_products: tuple[EscrowProduct, ...] = ()
    prefill_phone_number: str | None = None


def checkout_window(
    request: CheckoutRequest,
    *,
    imp_uid: str,
    merchant_id: int,
    device: PaymentChannel,
    origin: str | None,
    now: int,
) -> CheckoutWindow:
    """The window of a registered order, from ``request_pay``'s checked params."""
    if device not in (PaymentChannel.PC, PaymentChannel.MOBILE):
        raise InvalidRequest(f"device는 pc 또는 mobile이어야 합니다. (got {device.value!r})")
    return CheckoutWindow(
        imp_uid=imp_uid,
        merchant_id=merchant_id,
        device=device,
        created_at=now,
        m_redirect_url=request.m_redirect_url,
        origin=None if origin is None else window_origin(origin),
        card=request.card,
        shop_user_id=request.shop_user_id,
        site_logo=request.site_logo,
        company=request.company,
        language=request.language,
        escrow_products=request.escrow_products,
        prefill_phone_number=request.prefill_phone_number,
    )


def window_origin(value: str) -> str:
    """``value`` if it is a web origin, ``http(s)://host[:port]`` with nothing after it.

    It becomes a ``postMessage`` target: a path, query, user or other scheme would either
    never match a page or widen who receives the result, so anything else is refused.
    """
    if len(value) > ORIGIN_MAX:
        raise InvalidRequest(f"origin은 {ORIGIN_MAX}자 이하여야 합니다.")
    if not _is_origin(value):
        raise InvalidRequest(
            "origin은 결제를 요청한 페이지의 출처(scheme://host[:port], 예: https://shop.example)여야 "
            f"합니다. (got {value!r})"
        )
    return value


def _is_origin(value: str) -> bool:
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port that is not a number raises ValueError
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and "@" not in parts.netloc
        and value == f"{parts.scheme}://{parts.netloc}"
    )


def browser_url(url: str, *, internal_base: str, public_base: str | None) -> str:
    """``url`` as a browser reaches it: ``internal_base`` replaced by ``public_base``.

    homeport reaches its embedded KCP sandbox in-process at ``internal_base`` (a host no
    browser can resolve), while browsers reach the same sandbox at homeport's ``/sandbox``
    mount (``public_base``). Only URLs on ``internal_base`` change; a real KCP URL never does.
    """
    if not public_base or not internal_base:
        return url
    internal = internal_base.rstrip("/")
    if url == internal or url.startswith(internal + "/"):
        return public_base.rstrip("/") + url[len(internal) :]
    return url
