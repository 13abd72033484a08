"""``/vbanks``: virtual accounts issued by API, without a window (iamport-v1 §4.6).

- ``POST /vbanks`` answers the Payment (``ready``, ``pay_method`` vbank, ``vbank_*`` filled,
  ``vbank_date`` the deadline). A PG refusal is HTTP 200 code -1 with the reason, as every
  failure the contract reports (a bank without a contract says ``계약이 필요합니다.``, NIMP);
  the failed payment is stored all the same and found by merchant_uid.
- ``PUT /vbanks/{imp_uid}`` (and ``PUT /vbanks`` with ``imp_uid`` in the body, as the
  fake-iamport SDK sends it, §4.6): only the ``settle`` PG can change an account; for KCP the
  answer is HTTP 400 code -1 pointing at DELETE + POST.
- ``DELETE /vbanks/{imp_uid}`` revokes an unpaid account; the Payment, ``cancelled``.
- ``GET /vbanks/holder`` (``bank_code``, ``bank_num``): KCP has no holder inquiry, so it is
  the contract's failed lookup, HTTP 404 code -1 (400 for a missing or malformed parameter).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from homeport.api.body import Body, int_field, text_field
from homeport.api.charges import charge_order
from homeport.api.deps import Authenticated, BodyDep, ServicesDep
from homeport.api.envelope import EnvelopeResponse, success
from homeport.api.schemas import payment_to_wire
from homeport.domain.errors import InvalidRequest, PgRefused
from homeport.domain.payments.models import PaymentStatus
from homeport.domain.payments.virtual_accounts import ISSUE_FAILED, VirtualAccountOrder

router = APIRouter()


def _order(body: Body, request: Request) -> VirtualAccountOrder:
    due_at = int_field(body, "vbank_due")
    if due_at is None:
        raise InvalidRequest("vbank_due 파라메터가 누락되었습니다. (입금기한, UNIX timestamp)")
    return VirtualAccountOrder(
        order=charge_order(body, request),
        bank_code=text_field(body, "vbank_code", required=True, limit=8) or "",
        due_at=due_at,
        holder=text_field(body, "vbank_holder", limit=64),
    )


@router.post("/vbanks")
async def issue_vbank(
    request: Request, merchant: Authenticated, services: ServicesDep, body: BodyDep
) -> EnvelopeResponse:
    """Issue a virtual account on the merchant's default channel."""
    payment = await services.virtual_accounts.issue(merchant.id, _order(body, request))
    if payment.status is PaymentStatus.FAILED:
        detail = f" ({payment.fail_reason})" if payment.fail_reason else ""
        raise PgRefused(f"{ISSUE_FAILED}{detail}")
    return success(payment_to_wire(payment))


@router.put("/vbanks/{imp_uid}")
async def change_vbank(imp_uid: str, merchant: Authenticated, services: ServicesDep) -> EnvelopeResponse:
    """Change amount or deadline: KCP cannot (refused after the payment's own checks)."""
    await services.virtual_accounts.refuse_change(merchant.id, imp_uid)


@router.put("/vbanks")
async def change_vbank_by_body(
    merchant: Authenticated, services: ServicesDep, body: BodyDep
) -> EnvelopeResponse:
    """fake-iamport's form of the same call: ``imp_uid`` in the body (§4.6)."""
    imp_uid = text_field(body, "imp_uid", required=True, limit=32) or ""
    await services.virtual_accounts.refuse_change(merchant.id, imp_uid)


@router.get("/vbanks/holder")
async def vbank_holder(request: Request, merchant: Authenticated, services: ServicesDep) -> EnvelopeResponse:
    """The holder of a bank account: a failed lookup for KCP (404)."""
    query = request.query_params
    services.virtual_accounts.refuse_holder_lookup(query.get("bank_code", ""), query.get("bank_num", ""))


@router.delete("/vbanks/{imp_uid}")
async def revoke_vbank(
    imp_uid: str, request: Request, merchant: Authenticated, services: ServicesDep
) -> EnvelopeResponse:
    """Revoke an account nobody paid into; ``reason`` (query) becomes the cancel reason."""
    reason = request.query_params.get("reason") or None
    if reason is not None and len(reason) > 256:
        raise InvalidRequest("reason은 256자 이하여야 합니다.")
    payment = await services.virtual_accounts.revoke(merchant.id, imp_uid, reason)
    return success(payment_to_wire(payment))
