"""``POST /checkout/v1/orders``: the SDK registers the order before opening KCP's window.

The browser's ``IMP.request_pay(params, callback)`` posts ``{merchant_code, params, device}``;
the answer is the i'mport envelope with ``{imp_uid, merchant_uid, ...}``, and every refusal
is the envelope with HTTP 400 so the SDK can hand ``message`` to the callback as
``success: false, error_msg`` (§7.4) or to ``m_redirect_url`` (§7.5).

This endpoint is public: no REST token, only the merchant's identification code, which is in
every merchant page anyway. That is what i'mport's own SDK does (§7.2: ``IMP.init(code)`` is
all the browser has), and it is safe because the call only creates a ``ready`` payment: the
amount it stores is re-checked against a pre-registered amount (``/payments/prepare``) here
and is the one used at approval, and merchants confirm every result with
``GET /payments/{imp_uid}`` (§7.4). Limits: the body is capped by ``api.body.MAX_BODY_BYTES``
(1 MB) and every text parameter by the lengths in ``domain.checkout.requests``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from homeport.api.body import Body, text_field
from homeport.api.deps import BodyDep, ServicesDep
from homeport.api.envelope import EnvelopeResponse, failure, success
from homeport.api.errors import status_for
from homeport.domain.checkout.requests import checkout_request
from homeport.domain.errors import GatewayError, InvalidRequest
from homeport.domain.payments.models import Payment, PaymentChannel

router = APIRouter()

DEVICES = (PaymentChannel.PC.value, PaymentChannel.MOBILE.value)


def order_to_wire(payment: Payment) -> dict[str, Any]:
    """What the SDK needs to open the window and, on failure, to answer the callback."""
    return {
        "imp_uid": payment.imp_uid,
        "merchant_uid": payment.merchant_uid,
        "amount": payment.amount,
        "pay_method": payment.pay_method,
        "pg_provider": payment.pg_provider,
        "pg_id": payment.pg_id,
        "channel": payment.channel.value if payment.channel else None,
        "status": payment.status.value,
        "customer_uid": payment.customer_uid,
    }


def _device(body: Body) -> PaymentChannel:
    device = text_field(body, "device") or PaymentChannel.PC.value
    if device not in DEVICES:
        raise InvalidRequest(f"device는 pc 또는 mobile이어야 합니다. (got {device!r})")
    return PaymentChannel(device)


@router.post("/checkout/v1/orders")
async def register_order(services: ServicesDep, body: BodyDep) -> EnvelopeResponse:
    """Check ``request_pay``'s params and store the ``ready`` payment the window approves."""
    try:
        merchant_code = text_field(body, "merchant_code", required=True) or ""
        params = body.data.get("params")
        if not isinstance(params, dict):
            raise InvalidRequest("params(결제요청 파라메터)가 누락되었거나 객체가 아닙니다.")
        request = checkout_request(params, now=services.clock.now())
        payment = await services.checkout.register(merchant_code, request, device=_device(body))
    except GatewayError as error:
        status, code = status_for(error)
        if status >= 500:
            raise  # homeport's or the PG's failure, not the buyer's: the usual 5xx envelope
        # Every refusal the caller caused is a 400 here, whatever the REST API would answer,
        # so the SDK has one rule: not 200 means the window does not open.
        return failure(error.message, code=code, status_code=400)
    return success(order_to_wire(payment))
