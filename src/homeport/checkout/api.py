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

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from homeport.api.body import Body, text_field
from homeport.api.deps import BodyDep, ServicesDep
from homeport.api.envelope import EnvelopeResponse, failure, success
from homeport.api.errors import status_for
from homeport.domain.checkout.requests import checkout_request
from homeport.domain.errors import GatewayError, InvalidRequest
from homeport.domain.payments.models import Payment, PaymentChannel, PaymentStatus

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


def device_of(body: Body) -> PaymentChannel:
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
        payment = await services.checkout.register(
            merchant_code, request, device=device_of(body), origin=text_field(body, "origin")
        )
    except GatewayError as error:
        status, code = status_for(error)
        if status >= 500:
            raise  # homeport's or the PG's failure, not the buyer's: the usual 5xx envelope
        # Every refusal the caller caused is a 400 here, whatever the REST API would answer,
        # so the SDK has one rule: not 200 means the window does not open.
        return failure(error.message, code=code, status_code=400)
    return success(order_to_wire(payment))


def callback_result(payment: Payment) -> dict[str, Any]:
    """The ``IMP.request_pay`` callback's fields (§7.4), built from the stored payment only."""
    account = payment.virtual_account
    card = payment.card
    success_ = payment.status is PaymentStatus.PAID or (
        payment.status is PaymentStatus.READY and account is not None and bool(account.number)
    )
    return {
        "success": success_,
        "imp_uid": payment.imp_uid,
        "merchant_uid": payment.merchant_uid,
        "pay_method": payment.pay_method,
        "pg_provider": payment.pg_provider,
        "emb_pg_provider": payment.emb_pg_provider,
        "pg_tid": payment.pg_tid,
        "status": payment.status.value,
        "paid_amount": payment.amount if payment.status is PaymentStatus.PAID else 0,
        "paid_at": payment.paid_at,
        "name": payment.name,
        "currency": payment.currency,
        "card_name": card.company_name if card else None,
        "card_number": card.masked_number if card else None,
        "card_quota": card.installment_months if card else 0,
        "apply_num": payment.approval_number,
        "vbank_num": account.number if account else None,
        "vbank_name": account.bank_name if account else None,
        "vbank_holder": account.holder if account else None,
        "vbank_date": account.due_at if account else 0,
        "custom_data": payment.custom_data,
        "error_code": None if success_ else _error_code(payment.fail_reason),
        "error_msg": None if success_ else payment.fail_reason,
        "bank_name": payment.bank.name if payment.bank else None,
        "receipt_url": payment.receipt_url,
        "buyer_name": payment.buyer.name,
        "buyer_email": payment.buyer.email,
        "buyer_tel": payment.buyer.tel,
        "buyer_addr": payment.buyer.addr,
        "buyer_postcode": payment.buyer.postcode,
        # A billing window's result (decision 0008): the key is stored under this customer_uid.
        "customer_uid": payment.customer_uid,
    }


#: ``fail_reason`` starts with the PG's code in brackets (``[8016] ...``, orders.fail_reason).
_PG_CODE = re.compile(r"^\[([^\]]{1,20})\]")
#: When no PG code is known (a void, homeport's own refusal). The contract has no unified list
#: of callback codes (§7.4: "PG's original code"), so this one is homeport's.
NO_PG_CODE = "F400"


def _error_code(reason: str | None) -> str:
    found = _PG_CODE.match(reason or "")
    return found.group(1) if found else NO_PG_CODE


def return_url(request: Request, imp_uid: str, merchant_code: str) -> str:
    """The Ret_URL KCP posts a window's result to (pages.window_return); the code finds the merchant."""
    query = urlencode({"merchant_code": merchant_code})
    return f"{str(request.base_url).rstrip('/')}/checkout/v1/return/{imp_uid}?{query}"


def sandbox_url(request: Request) -> str | None:
    """Where browsers reach the embedded sandbox: homeport's ``/sandbox`` mount (app.py)."""
    return f"{request.base_url}sandbox" if getattr(request.app.state, "sandbox_mounted", False) else None


@router.post("/checkout/v1/orders/{imp_uid}/window")
async def start_window(
    imp_uid: str, request: Request, services: ServicesDep, body: BodyDep
) -> EnvelopeResponse:
    """Open KCP's window for a ready order: mobile registers the trade (the page POSTs ``form``
    to ``action``), PC answers the script to load (``script_url``) and its ``form``.

    Public like ``/checkout/v1/orders``: the window is built from what homeport stored (amount,
    options, ``m_redirect_url``), so nothing a page sends here can change what is approved or
    where the buyer is sent afterwards.
    """
    try:
        merchant_code = text_field(body, "merchant_code", required=True) or ""
        if text_field(body, "m_redirect_url") is not None:
            # Bound to the order at registration (decision 0007): never taken from here.
            raise InvalidRequest(
                "m_redirect_url은 주문 등록(POST /checkout/v1/orders)의 params로만 받습니다."
            )
        start = await services.checkout.approval.start_window(
            merchant_code,
            imp_uid,
            return_url(request, imp_uid, merchant_code),
            user_agent=request.headers.get("user-agent", ""),
            sandbox_url=sandbox_url(request),
        )
    except GatewayError as error:
        status, code = status_for(error)
        if status >= 500:
            raise
        return failure(error.message, code=code, status_code=400)
    return success(
        {
            "imp_uid": start.imp_uid,
            "device": start.device,
            "action": start.action,
            "script_url": start.script_url,
            "approval_key": start.approval_key,
            "trace_no": start.trace_no,
            "form": dict(start.form),
        }
    )
