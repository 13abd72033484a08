"""SQL repository for checkout windows; the window options are one JSON text column.

The options are only ever read back whole with their window, so one JSON document keeps the
table stable while ``request_pay`` grows options. Its keys are the domain's own names.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from homeport.domain.checkout.requests import CardOptions, EscrowProduct
from homeport.domain.checkout.windows import CheckoutWindow
from homeport.domain.payments.models import PaymentChannel
from homeport.store.tables import checkout_windows


def options_json(window: CheckoutWindow) -> str:
    """The window's options as the JSON text stored in ``checkout_windows.options``."""
    card = window.card
    document = {
        "card": {
            "direct_code": card.direct_code,
            "direct_quota": card.direct_quota,
            "detail": [[code, enabled] for code, enabled in card.detail],
            "offered_quotas": None if card.offered_quotas is None else list(card.offered_quotas),
            "app_card_only": card.app_card_only,
            "key_in": card.key_in,
        },
        "shop_user_id": window.shop_user_id,
        "site_logo": window.site_logo,
        "company": window.company,
        "language": window.language,
        "escrow_products": [
            {"order_number": p.order_number, "name": p.name, "quantity": p.quantity, "amount": p.amount}
            for p in window.escrow_products
        ],
        "prefill_phone_number": window.prefill_phone_number,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _window(row: Any) -> CheckoutWindow:
    options: dict[str, Any] = json.loads(row["options"])
    card: dict[str, Any] = options.get("card") or {}
    offered = card.get("offered_quotas")
    return CheckoutWindow(
        imp_uid=row["imp_uid"],
        merchant_id=row["merchant_id"],
        device=PaymentChannel(row["device"]),
        created_at=row["created_at"],
        m_redirect_url=row["m_redirect_url"],
        origin=row["origin"],
        card=CardOptions(
            direct_code=card.get("direct_code"),
            direct_quota=card.get("direct_quota"),
            detail=tuple((str(code), bool(enabled)) for code, enabled in card.get("detail", [])),
            offered_quotas=None if offered is None else tuple(int(q) for q in offered),
            app_card_only=bool(card.get("app_card_only")),
            key_in=bool(card.get("key_in")),
        ),
        shop_user_id=options.get("shop_user_id"),
        site_logo=options.get("site_logo"),
        company=options.get("company"),
        language=options.get("language") or "ko",
        escrow_products=tuple(EscrowProduct(**p) for p in options.get("escrow_products", [])),
        prefill_phone_number=options.get("prefill_phone_number"),
    )


class SqlCheckoutWindowRepository:
    """Implements ``homeport.domain.checkout.repository.CheckoutWindowRepository``."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, window: CheckoutWindow) -> None:
        await self._conn.execute(
            insert(checkout_windows).values(
                imp_uid=window.imp_uid,
                merchant_id=window.merchant_id,
                device=window.device.value,
                m_redirect_url=window.m_redirect_url,
                origin=window.origin,
                options=options_json(window),
                created_at=window.created_at,
            )
        )

    async def get(self, merchant_id: int, imp_uid: str) -> CheckoutWindow | None:
        query = select(checkout_windows).where(
            checkout_windows.c.imp_uid == imp_uid, checkout_windows.c.merchant_id == merchant_id
        )
        row = (await self._conn.execute(query)).mappings().first()
        return _window(row) if row is not None else None
