"""``/subscribe/payments/again``, ``/onetime`` (and legacy ``/foreign``): server-side charges
(iamport-v1 §4.4).

How outcomes reach the merchant, as the contract and the clients expect them:
- ``again``: the payment is returned with code 0 whether it is ``paid`` or ``failed`` (the
  merchant checks ``status``); an unknown customer_uid is HTTP 200 code 1
  ``등록되지 않은 구매자입니다.``;
- ``onetime``: a declined card is HTTP 200 code -1 ``카드정보 인증에 실패하였습니다.`` with the
  PG's reason (PY's and IMPY's tests expect an error); the failed payment is stored all the same;
- a duplicate merchant_uid is HTTP 200 code 1; a lost PG answer is HTTP 500 code -1 saying the
  outcome is being checked (never "failed": the card may have been charged).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from homeport.api.billing_keys import CUSTOMER_FIELDS, card_input, customer_info
from homeport.api.body import Body, amount_field, int_field, json_text_field, text_field
from homeport.api.deps import Authenticated, BodyDep, ServicesDep
from homeport.api.envelope import EnvelopeResponse, success
from homeport.api.schemas import payment_to_wire
from homeport.domain.billing_keys.models import CustomerInfo
from homeport.domain.errors import PgRefused
from homeport.domain.payments.models import Buyer, Payment, PaymentStatus
from homeport.domain.payments.orders import TEXT_LIMITS, ChargeOrder

router = APIRouter()

#: The contract's text for a declined key-in card (§8); the PG's reason follows.
ONETIME_FAILED = "카드정보 인증에 실패하였습니다."

#: Text fields of a charge and the longest value homeport stores for each.
_LIMITS = {**TEXT_LIMITS, "browser_ip": 64}


def charge_order(body: Body, request: Request) -> ChargeOrder:
    """The fields ``again`` and ``onetime`` share; amounts are whole won."""
    text = {name: text_field(body, name, limit=limit) for name, limit in _LIMITS.items()}
    # vat_amount is checked like any amount; KCP takes no VAT split for a normal site.
    amount_field(body, "vat_amount")
    return ChargeOrder(
        merchant_uid=text_field(body, "merchant_uid", required=True, limit=40) or "",
        amount=amount_field(body, "amount", required=True) or 0,
        name=text["name"],
        currency=text_field(body, "currency") or "KRW",
        tax_free=amount_field(body, "tax_free") or 0,
        buyer=Buyer(
            name=text["buyer_name"],
            email=text["buyer_email"],
            tel=text["buyer_tel"],
            addr=text["buyer_addr"],
            postcode=text["buyer_postcode"],
        ),
        installment_months=int_field(body, "card_quota") or 0,
        custom_data=json_text_field(body, "custom_data"),
        notice_url=text["notice_url"],
        customer_ip=text["browser_ip"] or (request.client.host if request.client else ""),
    )


@router.post("/subscribe/payments/again")
async def pay_again(
    request: Request, merchant: Authenticated, services: ServicesDep, body: BodyDep
) -> EnvelopeResponse:
    """Charge a stored billing key (``customer_uid``)."""
    customer_uid = text_field(body, "customer_uid", required=True) or ""
    payment = await services.charges.again(merchant.id, customer_uid, charge_order(body, request))
    return success(payment_to_wire(payment))


@router.post("/subscribe/payments/onetime")
async def pay_onetime(
    request: Request, merchant: Authenticated, services: ServicesDep, body: BodyDep
) -> EnvelopeResponse:
    """Charge a typed-in card; with ``customer_uid`` the card is also kept as a billing key."""
    customer_uid = text_field(body, "customer_uid")
    order = charge_order(body, request)
    payment = await services.charges.onetime(
        merchant.id,
        order,
        card_input(body),
        customer_uid=customer_uid,
        customer=kept_customer(body, order.buyer) if customer_uid else None,
    )
    return _onetime_answer(payment)


def kept_customer(body: Body, buyer: Buyer) -> CustomerInfo:
    """The customer fields of the billing key ``onetime`` keeps when given a ``customer_uid``.

    i'mport's description of onetime, as IMPY (``Subscribe.post_payments_onetime``) and
    go-iamport (``subscribe.Onetime``) quote it: "빌링키 저장 시, buyer_email, buyer_name 등의
    정보는 customer 부가정보인 customer_email, customer_name 등으로 함께 저장됩니다." IMPY sends no
    customer_* to onetime at all. customer_* sent explicitly win; a buyer value longer than the
    Customer field allows (§4.3: name and tel 20, addr 200) is left out rather than cut, since
    the contract does not say what i'mport does with it.
    """
    given = customer_info(body)

    def kept(explicit: str | None, from_buyer: str | None, field: str) -> str | None:
        if explicit:
            return explicit
        return from_buyer if from_buyer and len(from_buyer) <= CUSTOMER_FIELDS[field] else None

    return CustomerInfo(
        name=kept(given.name, buyer.name, "customer_name"),
        tel=kept(given.tel, buyer.tel, "customer_tel"),
        email=kept(given.email, buyer.email, "customer_email"),
        addr=kept(given.addr, buyer.addr, "customer_addr"),
        postcode=kept(given.postcode, buyer.postcode, "customer_postcode"),
    )


@router.post("/subscribe/payments/foreign")
async def pay_foreign(
    request: Request, merchant: Authenticated, services: ServicesDep, body: BodyDep
) -> EnvelopeResponse:
    """Legacy key-in charge still called by PY, APY and node-iamporter (absent from the newest
    spec, §10.9): served as ``onetime`` without a billing key."""
    payment = await services.charges.onetime(merchant.id, charge_order(body, request), card_input(body))
    return _onetime_answer(payment)


def _onetime_answer(payment: Payment) -> EnvelopeResponse:
    if payment.status is PaymentStatus.FAILED:
        detail = f" ({payment.fail_reason})" if payment.fail_reason else ""
        raise PgRefused(f"{ONETIME_FAILED}{detail}")
    return success(payment_to_wire(payment))
