"""``/escrows/logis/{imp_uid}``: the delivery of an escrow payment (iamport-v1 §4.5).

The body is a 2-level object, as JSON or as a PHP bracket form (``logis[company]=CJGLS``):
``logis`` {``company``, ``invoice``, ``sent_at``} is required, ``sender`` and ``receiver``
{``name``, ``tel``, ``addr``, ``postcode``} are passed on to the PG. The answer is EscrowLogis
``{company, invoice, sent_at, applied_at}``; refusals are 409 as the contract's are.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from homeport.api.body import Body, int_field, text_field
from homeport.api.deps import Authenticated, BodyDep, ServicesDep
from homeport.api.envelope import EnvelopeResponse, success
from homeport.domain.errors import InvalidRequest
from homeport.domain.escrows.models import EscrowDelivery
from homeport.domain.escrows.service import Shipment
from homeport.pg.base import EscrowParty

router = APIRouter()

#: Text fields of a party and the longest value accepted for each.
_PARTY_LIMITS = {"name": 64, "tel": 32, "addr": 256, "postcode": 16}


def _part(body: Body, name: str, *, required: bool = False) -> Body:
    """One of the body's objects (``logis``, ``sender``, ``receiver``) as a body of its own."""
    value: Any = body.data.get(name)
    if value is None or value == "":
        if required:
            raise InvalidRequest(f"{name} 파라메터가 누락되었습니다. ({name}[company], {name}[invoice] ...)")
        return Body(from_form=body.from_form)
    if not isinstance(value, dict):
        raise InvalidRequest(f"{name}는 객체여야 합니다. (JSON object, or {name}[field]=... in a form)")
    return Body(data=value, from_form=body.from_form)


def _party(body: Body, name: str) -> EscrowParty:
    part = _part(body, name)
    text = {field: text_field(part, field, limit=limit) for field, limit in _PARTY_LIMITS.items()}
    return EscrowParty(name=text["name"], tel=text["tel"], address=text["addr"], postcode=text["postcode"])


def _shipment(body: Body) -> Shipment:
    logis = _part(body, "logis", required=True)
    sent_at = int_field(logis, "sent_at")
    if sent_at is None:
        raise InvalidRequest("logis.sent_at(발송일시, UNIX timestamp) 파라메터가 누락되었습니다.")
    return Shipment(
        company=text_field(logis, "company", required=True, limit=16) or "",
        invoice=text_field(logis, "invoice", required=True, limit=64) or "",
        sent_at=sent_at,
        sender=_party(body, "sender"),
        receiver=_party(body, "receiver"),
    )


def _logis(delivery: EscrowDelivery) -> dict[str, Any]:
    """i'mport's EscrowLogis (§5.9)."""
    return {
        "company": delivery.company,
        "invoice": delivery.invoice,
        "sent_at": delivery.sent_at,
        "applied_at": delivery.applied_at,
    }


@router.post("/escrows/logis/{imp_uid}")
async def register_delivery(
    imp_uid: str, merchant: Authenticated, services: ServicesDep, body: BodyDep
) -> EnvelopeResponse:
    """Register the shipment of a paid escrow payment."""
    delivery = await services.escrows.register(merchant.id, imp_uid, _shipment(body))
    return success(_logis(delivery))


@router.put("/escrows/logis/{imp_uid}")
async def change_delivery(imp_uid: str, merchant: Authenticated, services: ServicesDep) -> EnvelopeResponse:
    """Modify a registered shipment: KCP cannot (409)."""
    await services.escrows.refuse_change(merchant.id, imp_uid)


@router.get("/escrows/logis/{imp_uid}")
async def get_delivery(imp_uid: str, merchant: Authenticated, services: ServicesDep) -> EnvelopeResponse:
    """The registered shipment; 409 when none is (§4.5)."""
    return success(_logis(await services.escrows.get(merchant.id, imp_uid)))
