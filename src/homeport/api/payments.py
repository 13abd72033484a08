"""``/payments``: looking payments up (iamport-v1 §4.1)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from homeport.api.deps import Authenticated, ServicesDep
from homeport.api.envelope import EnvelopeResponse, success
from homeport.api.params import query_bool, query_choice, query_int, query_list
from homeport.api.schemas import page_to_wire, payment_to_wire, payments_to_wire
from homeport.domain.errors import UnsupportedPaymentStatus
from homeport.domain.paging import page_request
from homeport.domain.payments.models import PaymentStatus, SortKey

router = APIRouter()

#: Path values clients send when they mean "no status": go-iamport and node-iamporter leave
#: the segment empty (trailing slash, handled by the path middleware), and the TypeScript
#: client interpolates a missing argument as the literal ``undefined``.
_NO_STATUS = {"", "undefined", "null"}


def _status(raw: str | None, *, allow_all: bool = False) -> PaymentStatus | None:
    """A path status; None means any. ``all`` is only meaningful for /payments/status."""
    if raw is None or raw in _NO_STATUS or (allow_all and raw == "all"):
        return None
    try:
        return PaymentStatus(raw)
    except ValueError:
        raise UnsupportedPaymentStatus(
            f"지원되지 않는 상태값입니다. ({raw!r}; ready, paid, failed, cancelled"
            + (", all" if allow_all else "")
            + " 중 하나)"
        ) from None


def _sorting(request: Request) -> SortKey:
    return query_choice(request.query_params, "sorting", SortKey, SortKey.STARTED_DESC)


def _check_include_sandbox(request: Request) -> None:
    # ``include_sandbox`` (default false) hides test-channel payments on PortOne, but on a
    # self-hosted gateway whose default channel is the sandbox that would hide everything a
    # merchant tries out; the Java client always sends false. We validate and ignore it.
    query_bool(request.query_params, "include_sandbox")


@router.get("/payments")
async def get_payments(request: Request, merchant: Authenticated, services: ServicesDep) -> EnvelopeResponse:
    """Several payments by ``imp_uid[]`` and/or ``merchant_uid[]`` (207 when some are missing)."""
    imp_uids = query_list(request.query_params, "imp_uid")
    merchant_uids = query_list(request.query_params, "merchant_uid")
    found, complete = await services.payments.get_many(merchant.id, imp_uids, merchant_uids)
    return success(payments_to_wire(found), status_code=200 if complete else 207)


@router.get("/payments/find/{merchant_uid}")
@router.get("/payments/find/{merchant_uid}/{payment_status}")
async def find_payment(
    request: Request,
    merchant: Authenticated,
    services: ServicesDep,
    merchant_uid: str,
    payment_status: str | None = None,
) -> EnvelopeResponse:
    """The first payment with a merchant_uid (and status) in ``sorting`` order."""
    payment = await services.payments.find(
        merchant.id, merchant_uid, _status(payment_status), _sorting(request)
    )
    return success(payment_to_wire(payment))


@router.get("/payments/findAll/{merchant_uid}")
@router.get("/payments/findAll/{merchant_uid}/{payment_status}")
async def find_all_payments(
    request: Request,
    merchant: Authenticated,
    services: ServicesDep,
    merchant_uid: str,
    payment_status: str | None = None,
) -> EnvelopeResponse:
    """Every payment with a merchant_uid, paged."""
    page = page_request(query_int(request.query_params, "page"), query_int(request.query_params, "limit"))
    result = await services.payments.find_all(
        merchant.id, merchant_uid, _status(payment_status), _sorting(request), page
    )
    return success(page_to_wire(result))


@router.get("/payments/status/{payment_status}")
async def payments_by_status(
    request: Request, merchant: Authenticated, services: ServicesDep, payment_status: str
) -> EnvelopeResponse:
    """Payments in a status (or ``all``) within a window of at most 90 days, paged."""
    query = request.query_params
    page = page_request(query_int(query, "page"), query_int(query, "limit"))
    result = await services.payments.list_by_status(
        merchant.id,
        _status(payment_status, allow_all=True),
        since=query_int(query, "from"),
        until=query_int(query, "to"),
        now=services.clock.now(),
        sorting=_sorting(request),
        page=page,
    )
    return success(page_to_wire(result))


@router.get("/payments/{imp_uid}")
async def get_payment(
    request: Request, merchant: Authenticated, services: ServicesDep, imp_uid: str
) -> EnvelopeResponse:
    """One payment by imp_uid."""
    _check_include_sandbox(request)
    payment = await services.payments.get(merchant.id, imp_uid)
    return success(payment_to_wire(payment))
