"""``/demo``: a shop page to try every pay method through the SDK, with no code of one's own.

It is an ordinary merchant page of the demo merchant (``homeport serve``'s first start creates
it): it loads ``/v1/iamport.js``, calls ``IMP.init(code)`` and ``IMP.request_pay``, and shows
the callback (PC) or the ``m_redirect_url`` query (redirect), then the payment as
``GET /payments/{imp_uid}`` returns it. A merchant's server would fetch that with its REST
token; the demo's "server" is the two JSON routes below, which serve only the demo merchant and
only while every channel of it is the sandbox's, so no real payment is ever shown here.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from homeport.api.body import amount_field, text_field
from homeport.api.deps import BodyDep, ServicesDep
from homeport.api.envelope import EnvelopeResponse, failure, success
from homeport.api.errors import status_for
from homeport.api.schemas import payment_to_wire
from homeport.domain.checkout.requests import PAY_METHODS
from homeport.domain.errors import GatewayError
from homeport.domain.payments.orders import ChargeOrder

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
NO_DEMO = "데모 가맹점이 없습니다. (HOMEPORT_DEMO=true로 빈 데이터베이스에서 시작하면 만들어집니다.)"


@router.get("/demo")
@router.get("/demo/complete")
async def demo_page(request: Request, services: ServicesDep) -> Response:
    """The shop page; ``/demo/complete`` is its ``m_redirect_url`` (the same page reads the query)."""
    merchant = await services.merchants.demo()
    if merchant is None:
        return HTMLResponse(f"<!doctype html><meta charset=utf-8><p>{NO_DEMO}</p>", status_code=404)
    context = {"merchant_code": merchant.code, "pay_methods": PAY_METHODS}
    return templates.TemplateResponse(request, "demo.html", context)


@router.get("/demo/payments/{imp_uid}")
async def demo_payment(imp_uid: str, services: ServicesDep) -> EnvelopeResponse:
    """The demo merchant's payment exactly as ``GET /payments/{imp_uid}`` answers it."""
    merchant = await services.merchants.demo()
    if merchant is None:
        return failure(NO_DEMO, status_code=404)
    try:
        payment = await services.payments.get(merchant.id, imp_uid)
    except GatewayError as error:
        status, code = status_for(error)
        return failure(error.message, code=code, status_code=status)
    return success(payment_to_wire(payment))


@router.post("/demo/again")
async def demo_again(services: ServicesDep, body: BodyDep) -> EnvelopeResponse:
    """What a merchant's server does with an issued billing key: ``POST /subscribe/payments/again``."""
    merchant = await services.merchants.demo()
    if merchant is None:
        return failure(NO_DEMO, status_code=404)
    try:
        customer_uid = text_field(body, "customer_uid", required=True) or ""
        order = ChargeOrder(
            merchant_uid=text_field(body, "merchant_uid", required=True) or "",
            amount=amount_field(body, "amount", required=True) or 0,
            name=text_field(body, "name"),
        )
        payment = await services.charges.again(merchant.id, customer_uid, order)
    except GatewayError as error:
        status, code = status_for(error)
        return failure(error.message, code=code, status_code=status)
    return success(payment_to_wire(payment))
