"""``/subscribe/customers``: billing keys (iamport-v1 §4.3, Customer object §5.5).

Card fields (number, expiry, birth, pwd_2digit) are handed to the connector and forgotten:
never stored, never logged, never echoed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from homeport.api.body import Body, text_field
from homeport.api.deps import Authenticated, BodyDep, ServicesDep
from homeport.api.envelope import EnvelopeResponse, success
from homeport.api.params import query_int, query_list
from homeport.api.schemas import page_to_wire
from homeport.domain.billing_keys.models import BillingKey, CustomerInfo
from homeport.domain.errors import InvalidRequest
from homeport.domain.paging import page_request
from homeport.pg.base import CardInput

router = APIRouter()


#: Customer fields and the contract's length limits (§4.3).
CUSTOMER_FIELDS = {
    "customer_name": 20,
    "customer_tel": 20,
    "customer_email": 200,
    "customer_addr": 200,
    "customer_postcode": 8,
}


def customer_to_wire(key: BillingKey) -> dict[str, Any]:
    """The Customer object: every key always present, alphabetical (§5.5)."""
    return {
        "card_code": key.card_code,
        "card_issuer_code": None,
        "card_issuer_name": None,
        "card_name": key.card_name,
        "card_number": key.card_number,
        "card_publisher_code": None,
        "card_publisher_name": None,
        "card_type": key.card_type,
        "customer_addr": key.customer.addr,
        "customer_email": key.customer.email,
        "customer_id": None,
        "customer_name": key.customer.name,
        "customer_postcode": key.customer.postcode,
        "customer_tel": key.customer.tel,
        "customer_uid": key.customer_uid,
        "inserted": key.inserted,
        "pg_id": key.pg_id,
        "pg_provider": key.pg_provider,
        "sandbox": key.sandbox,
        "updated": key.updated,
    }


def card_input(body: Body) -> CardInput:
    """The typed-in card of a request (never stored, never logged, never echoed)."""
    number = text_field(body, "card_number", required=True) or ""
    digits = number.replace("-", "").replace(" ", "")
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        # The number itself is not repeated: it may be a real card.
        raise InvalidRequest("card_number는 dddd-dddd-dddd-dddd 형식의 카드번호여야 합니다.")
    return CardInput(
        number=digits,
        expiry=text_field(body, "expiry", required=True) or "",
        birth=text_field(body, "birth"),
        password_2digit=text_field(body, "pwd_2digit"),
    )


def customer_info(body: Body) -> CustomerInfo:
    """The ``customer_*`` fields kept with a billing key."""
    values = {name: text_field(body, name, limit=limit) for name, limit in CUSTOMER_FIELDS.items()}
    return CustomerInfo(
        name=values["customer_name"],
        tel=values["customer_tel"],
        email=values["customer_email"],
        addr=values["customer_addr"],
        postcode=values["customer_postcode"],
    )


@router.get("/subscribe/customers")
async def get_customers(request: Request, merchant: Authenticated, services: ServicesDep) -> EnvelopeResponse:
    """Several billing keys by ``customer_uid[]`` (207 when some are missing, 404 when all)."""
    uids = query_list(request.query_params, "customer_uid")
    found, complete = await services.billing_keys.get_many(merchant.id, uids)
    return success([customer_to_wire(k) for k in found], status_code=200 if complete else 207)


@router.post("/subscribe/customers/{customer_uid}")
async def issue_customer(
    customer_uid: str, merchant: Authenticated, services: ServicesDep, body: BodyDep
) -> EnvelopeResponse:
    """Issue a billing key from a card (``pg`` and a repeated ``customer_uid`` are accepted)."""
    key = await services.billing_keys.issue(merchant.id, customer_uid, card_input(body), customer_info(body))
    return success(customer_to_wire(key))


@router.get("/subscribe/customers/{customer_uid}/payments")
async def get_customer_payments(
    customer_uid: str, request: Request, merchant: Authenticated, services: ServicesDep
) -> EnvelopeResponse:
    """Payments of a customer_uid, 20 a page (query ``page``), newest first (§4.3)."""
    page = page_request(query_int(request.query_params, "page"), 20)
    return success(page_to_wire(await services.payments.list_by_customer(merchant.id, customer_uid, page)))


@router.get("/subscribe/customers/{customer_uid}")
async def get_customer(customer_uid: str, merchant: Authenticated, services: ServicesDep) -> EnvelopeResponse:
    """A billing key's Customer object; unknown: HTTP 200 code 1 (observed behaviour)."""
    return success(customer_to_wire(await services.billing_keys.get(merchant.id, customer_uid)))


@router.delete("/subscribe/customers/{customer_uid}")
async def delete_customer(
    customer_uid: str, merchant: Authenticated, services: ServicesDep
) -> EnvelopeResponse:
    """Delete a billing key at KCP and here (query ``reason``, ``extra[requester]`` accepted)."""
    return success(customer_to_wire(await services.billing_keys.delete(merchant.id, customer_uid)))
