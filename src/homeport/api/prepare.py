"""``/payments/prepare``: amount pre-registration (iamport-v1 §4.2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from homeport.api.body import Body, amount_field, text_field
from homeport.api.deps import Authenticated, BodyDep, ServicesDep
from homeport.api.envelope import EnvelopeResponse, success
from homeport.domain.prepares.models import Prepared

router = APIRouter()


def prepared_to_wire(prepared: Prepared) -> dict[str, Any]:
    """``{merchant_uid, amount, currency}`` (currency only in the newer schema; null = unchecked)."""
    return {"amount": prepared.amount, "currency": prepared.currency, "merchant_uid": prepared.merchant_uid}


def _fields(body: Body) -> tuple[str, int, str | None]:
    merchant_uid = text_field(body, "merchant_uid", required=True) or ""
    amount = amount_field(body, "amount", required=True) or 0
    return merchant_uid, amount, text_field(body, "currency")


@router.post("/payments/prepare")
async def register_prepare(merchant: Authenticated, services: ServicesDep, body: BodyDep) -> EnvelopeResponse:
    """Register the amount a merchant_uid must be paid with."""
    merchant_uid, amount, currency = _fields(body)
    prepared = await services.prepares.register(merchant.id, merchant_uid, amount, currency)
    return success(prepared_to_wire(prepared))


@router.put("/payments/prepare")
async def change_prepare(merchant: Authenticated, services: ServicesDep, body: BodyDep) -> EnvelopeResponse:
    """Change a registered amount (404 when nothing is registered)."""
    merchant_uid, amount, currency = _fields(body)
    prepared = await services.prepares.change(merchant.id, merchant_uid, amount, currency)
    return success(prepared_to_wire(prepared))


@router.get("/payments/prepare/{merchant_uid}")
async def get_prepare(merchant: Authenticated, services: ServicesDep, merchant_uid: str) -> EnvelopeResponse:
    """The registered amount of a merchant_uid."""
    prepared = await services.prepares.get(merchant.id, merchant_uid)
    return success(prepared_to_wire(prepared))
