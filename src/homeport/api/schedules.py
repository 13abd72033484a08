"""``/subscribe/payments/schedule``: scheduled payments (iamport-v1 §4.3, §4.4, §5.6, §8)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import QueryParams

from homeport.api.billing_keys import card_input, customer_info
from homeport.api.body import Body, amount_field, bool_field, int_field, json_text_field, text_field
from homeport.api.charges import charge_order
from homeport.api.deps import Authenticated, BodyDep, ServicesDep
from homeport.api.envelope import EnvelopeResponse, success
from homeport.api.params import query_choice, query_int
from homeport.api.schemas import paged_to_wire, payment_to_wire
from homeport.domain.errors import InvalidRequest, UnsupportedPaymentStatus
from homeport.domain.paging import page_request
from homeport.domain.schedules.models import (
    ChargeOptions,
    Schedule,
    ScheduledCharge,
    ScheduleSorting,
    ScheduleStatus,
    ScheduleWindow,
)

router = APIRouter()


def schedule_to_wire(schedule: Schedule) -> dict[str, Any]:
    """The ScheduleResult object (§5.6): every key always present, alphabetical.

    The Java client reads customer_uid, merchant_uid, schedule_at and amount unconditionally.
    """
    order = schedule.charge.order
    return {
        "amount": order.amount,
        "buyer_addr": order.buyer.addr,
        "buyer_email": order.buyer.email,
        "buyer_name": order.buyer.name,
        "buyer_postcode": order.buyer.postcode,
        "buyer_tel": order.buyer.tel,
        "currency": order.currency,
        "custom_data": order.custom_data,
        # Only some PGs (tosspayments) use a customer_id; KCP billing keys have none.
        "customer_id": None,
        "customer_uid": schedule.customer_uid,
        "executed_at": schedule.executed_at,
        "fail_reason": schedule.fail_reason,
        "imp_uid": schedule.imp_uid,
        "merchant_uid": order.merchant_uid,
        "name": order.name,
        "payment_status": schedule.payment_status.value if schedule.payment_status else None,
        "pg_id": schedule.pg_id,
        "pg_provider": schedule.pg_provider,
        "promotion_id": schedule.charge.options.promotion_id,
        "revoked_at": schedule.revoked_at,
        "schedule_at": schedule.schedule_at,
        "schedule_status": schedule.status.value,
    }


def _charge(body: Body, request: Request) -> ScheduledCharge:
    """One ``schedules`` entry (§5.6): ``again``'s fields, ``schedule_at`` and the rest."""
    return ScheduledCharge(
        order=charge_order(body, request),
        schedule_at=int_field(body, "schedule_at", required=True) or 0,
        options=ChargeOptions(
            vat_amount=amount_field(body, "vat_amount"),
            interest_free_by_merchant=bool_field(body, "interest_free_by_merchant"),
            use_card_point=bool_field(body, "use_card_point"),
            product_type=text_field(body, "product_type", limit=16),
            product_count=int_field(body, "product_count"),
            cash_receipt_type=text_field(body, "cash_receipt_type", limit=16),
            extra=json_text_field(body, "extra"),
            bypass=json_text_field(body, "bypass"),
            promotion_id=text_field(body, "promotion_id", limit=100),
        ),
    )


def _charges(body: Body, request: Request) -> list[ScheduledCharge]:
    """``schedules``: a JSON array of objects, or ``schedules[0][merchant_uid]=`` in a form."""
    entries = body.data.get("schedules")
    if entries in (None, "", []):
        raise InvalidRequest("schedules 파라메터가 누락되었습니다.")
    if not isinstance(entries, list):
        raise InvalidRequest("schedules는 결제예약 정보(객체)의 배열이어야 합니다.")
    charges = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise InvalidRequest(f"schedules[{index}]는 객체여야 합니다.")
        try:
            charges.append(_charge(Body(entry, from_form=body.from_form), request))
        except InvalidRequest as problem:
            raise type(problem)(f"schedules[{index}]: {problem.message}") from None
    return charges


def _merchant_uids(body: Body) -> list[str]:
    """``merchant_uid`` as a string (PY, NODE) or an array (JAVA, PHP; ``merchant_uid[]=`` forms)."""
    value = body.data.get("merchant_uid")
    if value is None or value == "":
        return []
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        raise InvalidRequest("merchant_uid는 문자열 또는 문자열의 배열이어야 합니다.")
    return [str(v) for v in values if v != ""]


@router.post("/subscribe/payments/schedule")
async def schedule_payments(
    request: Request, merchant: Authenticated, services: ServicesDep, body: BodyDep
) -> EnvelopeResponse:
    """Schedule charges of a billing key, issuing it first from card data when there is none."""
    checking = amount_field(body, "checking_amount")
    if checking:
        # A test charge cancelled at once needs the charge and cancel flows, not built yet.
        raise InvalidRequest(
            "checking_amount(카드 확인용 결제 후 즉시 취소)는 아직 지원하지 않습니다. "
            "0으로 보내거나 생략해 주세요."
        )
    card = card_input(body) if text_field(body, "card_number") else None
    scheduled = await services.schedules.schedule(
        merchant.id,
        text_field(body, "customer_uid", required=True) or "",
        _charges(body, request),
        card=card,
        customer=customer_info(body),
    )
    return success([schedule_to_wire(s) for s in scheduled])


@router.post("/subscribe/payments/unschedule")
async def unschedule_payments(
    merchant: Authenticated, services: ServicesDep, body: BodyDep
) -> EnvelopeResponse:
    """Revoke waiting schedules of a customer_uid and/or by merchant_uid."""
    revoked = await services.schedules.unschedule(
        merchant.id, text_field(body, "customer_uid"), _merchant_uids(body)
    )
    return success([schedule_to_wire(s) for s in revoked])


def _window(query: QueryParams) -> ScheduleWindow:
    since = query_int(query, "schedule_from", "from")
    until = query_int(query, "schedule_to", "to")
    if since is None:
        raise InvalidRequest("schedule_from(또는 from) 파라메터가 누락되었습니다.")
    if until is None:
        raise InvalidRequest("schedule_to(또는 to) 파라메터가 누락되었습니다.")
    return ScheduleWindow(since, until)


def _status(query: QueryParams) -> ScheduleStatus | None:
    # The spec and the Node/PHP clients say ``schedule-status``; the Java client ``schedule_status``.
    raw = query.get("schedule_status") or query.get("schedule-status")
    if not raw:
        return None
    try:
        return ScheduleStatus(raw)
    except ValueError:
        allowed = ", ".join(s.value for s in ScheduleStatus)
        raise UnsupportedPaymentStatus(f"지원되지 않는 상태값입니다. ({raw!r}; {allowed} 중 하나)") from None


async def _listing(
    request: Request, services: ServicesDep, merchant_id: int, customer_uid: str | None
) -> EnvelopeResponse:
    query = request.query_params
    page = await services.schedules.search(
        merchant_id,
        window=_window(query),
        status=_status(query),
        customer_uid=customer_uid,
        sorting=query_choice(query, "sorting", ScheduleSorting, ScheduleSorting.SCHEDULED_DESC),
        page=page_request(query_int(query, "page"), query_int(query, "limit")),
    )
    return success(paged_to_wire(page, schedule_to_wire))


@router.get("/subscribe/payments/schedule")
async def list_schedules(
    request: Request, merchant: Authenticated, services: ServicesDep
) -> EnvelopeResponse:
    """The merchant's schedules due in ``[schedule_from, schedule_to)``, paged."""
    return await _listing(request, services, merchant.id, None)


@router.get("/subscribe/payments/schedule/customers/{customer_uid}")
@router.get("/subscribe/customers/{customer_uid}/schedules")
async def list_customer_schedules(
    request: Request, merchant: Authenticated, services: ServicesDep, customer_uid: str
) -> EnvelopeResponse:
    """One customer_uid's schedules due in ``[from, to)``, paged (two paths, one listing)."""
    return await _listing(request, services, merchant.id, customer_uid)


@router.get("/subscribe/payments/schedule/{merchant_uid}")
async def get_schedule(merchant: Authenticated, services: ServicesDep, merchant_uid: str) -> EnvelopeResponse:
    """One schedule by merchant_uid; unknown (or another merchant's): 404."""
    return success(schedule_to_wire(await services.schedules.get(merchant.id, merchant_uid)))


@router.put("/subscribe/payments/schedule/{merchant_uid}")
async def move_schedule(
    merchant: Authenticated, services: ServicesDep, body: BodyDep, merchant_uid: str
) -> EnvelopeResponse:
    """Move a waiting schedule to another future time."""
    schedule_at = int_field(body, "schedule_at", required=True) or 0
    return success(schedule_to_wire(await services.schedules.move(merchant.id, merchant_uid, schedule_at)))


@router.post("/subscribe/payments/schedule/{merchant_uid}/reschedule")
async def reschedule(
    merchant: Authenticated, services: ServicesDep, body: BodyDep, merchant_uid: str
) -> EnvelopeResponse:
    """Bring a revoked or failed schedule back at a new time."""
    schedule_at = int_field(body, "schedule_at", required=True) or 0
    return success(
        schedule_to_wire(await services.schedules.reschedule(merchant.id, merchant_uid, schedule_at))
    )


@router.post("/subscribe/payments/schedule/{merchant_uid}/retry")
async def retry(merchant: Authenticated, services: ServicesDep, merchant_uid: str) -> EnvelopeResponse:
    """Charge a revoked or failed schedule now; the Payment, paid or failed (check ``status``).

    The Java client sends a body object; SW defines none. Either is accepted and ignored.
    """
    return success(payment_to_wire(await services.schedules.retry(merchant.id, merchant_uid)))
