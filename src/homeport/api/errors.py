"""Every error, mapped once to i'mport's envelope and HTTP status.

The table below is the only place that decides statuses and codes. A test walks every
``GatewayError`` subclass and fails if one is missing, so a new error cannot silently
become a 500.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from homeport.api.envelope import EnvelopeResponse, failure
from homeport.domain import errors

log = structlog.get_logger("homeport.api")

#: error class -> (HTTP status, envelope code). Looked up along the MRO, most specific first.
STATUS_TABLE: dict[type[errors.GatewayError], tuple[int, int]] = {
    errors.GatewayError: (500, -1),
    errors.ConfigurationError: (500, -1),
    errors.InvalidRequest: (400, -1),
    errors.InvalidAmount: (400, -1),
    errors.UnsupportedPaymentStatus: (400, -1),
    errors.PageOutOfRange: (400, -1),
    errors.AuthenticationFailed: (401, -1),
    errors.TokenInvalid: (401, -1),
    # i'mport answers unknown payments with 404 and code -1 (seen by node-iamporter's tests).
    errors.NotFound: (404, -1),
    errors.PaymentNotFound: (404, -1),
    errors.PrepareNotFound: (404, -1),
    errors.MerchantNotFound: (404, -1),
    # Observed: unknown customer_uid is HTTP 200 with code 1 (PY, APY, IMPY, NIMP expect it).
    errors.CustomerNotFound: (200, 1),
    errors.BillingNotConfigured: (200, 1),
    # Observed: again with an unknown customer_uid and cancel of an unknown payment are HTTP 200
    # with code 1 (IMPY, NIMP, PY tests; iamport-v1 §8).
    errors.UnregisteredCustomer: (200, 1),
    errors.CancelTargetNotFound: (200, 1),
    # Failed cancels are HTTP 200 with a non-zero code ("a 200 with code != 0 means the refund
    # failed", iamport-v1 §3); duplicates are business failures reported the same way.
    errors.CancelRefused: (200, 1),
    errors.DuplicatePayment: (200, 1),
    # A caller error like any other bad parameter.
    errors.AmountMismatch: (400, -1),
    # Billing-key issue failures are HTTP 200 with code -1 (iamport-v1 §4.3, §8).
    errors.PgRefused: (200, -1),
    errors.Conflict: (409, -1),
    errors.DuplicateMerchant: (409, -1),
    # i'mport answers PG and internal failures with 500.
    errors.PgError: (500, -1),
    errors.PgUnavailable: (503, -1),
    errors.PgOutcomeUnknown: (500, -1),
    # Schedules (iamport-v1 §4.4, §8): unknown schedule 404; the endpoint's state-dependent
    # refusals are HTTP 200 with code 1 like its observed ones; a forbidden change is 400.
    errors.ScheduleNotFound: (404, -1),
    errors.ScheduleCustomerNotFound: (200, 1),
    errors.NothingToUnschedule: (200, 1),
    errors.DuplicateSchedule: (200, 1),
    errors.ScheduleNotChangeable: (400, -1),
    # §4.6: PUT/DELETE /vbanks/{imp_uid} answer 400 for "not vbank / not ready".
    errors.VirtualAccountRefused: (400, -1),
    # §4.5: escrow "already registered / not registrable / no logistics info" is 409.
    errors.EscrowRefused: (409, -1),
}

#: The 2015 maintainers' decision: 401s carry this header so clients can tell auth failures.
WWW_AUTHENTICATE = {"WWW-Authenticate": "iamport"}


def status_for(error: errors.GatewayError) -> tuple[int, int]:
    """HTTP status and envelope code for an error."""
    for klass in type(error).__mro__:
        if klass in STATUS_TABLE:
            return STATUS_TABLE[klass]
    return STATUS_TABLE[errors.GatewayError]


def error_response(error: errors.GatewayError) -> EnvelopeResponse:
    """The envelope for a domain error."""
    status, code = status_for(error)
    headers = WWW_AUTHENTICATE if status == 401 else None
    return failure(error.message, code=code, status_code=status, headers=headers)


_PYDANTIC_MESSAGES = {
    "missing": "{field} 파라메터가 누락되었습니다.",
    "string_type": "{field}는 문자열이어야 합니다.",
    "int_type": "{field}는 정수여야 합니다.",
    "int_parsing": "{field}는 정수여야 합니다.",
    "int_from_float": "{field}는 정수여야 합니다.",
    "bool_type": "{field}는 true 또는 false여야 합니다.",
    "bool_parsing": "{field}는 true 또는 false여야 합니다.",
    "string_too_long": "{field}가 너무 깁니다.",
    "string_too_short": "{field}가 비어 있습니다.",
}


def describe_validation(details: list[Any]) -> str:
    """One readable sentence per invalid field, in the contract's Korean style."""
    sentences = []
    for detail in details:
        location = [str(p) for p in detail.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(location) or "요청"
        template = _PYDANTIC_MESSAGES.get(detail.get("type", ""))
        text = template.format(field=field) if template else f"{field}: {detail.get('msg')}"
        sentences.append(text)
    return " ".join(dict.fromkeys(sentences))


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into an envelope."""

    async def on_gateway_error(_request: Request, exc: Exception) -> EnvelopeResponse:
        if not isinstance(exc, errors.GatewayError):  # registered for this type only
            raise exc
        return error_response(exc)

    async def on_validation_error(_request: Request, exc: Exception) -> EnvelopeResponse:
        details = exc.errors() if isinstance(exc, RequestValidationError | ValidationError) else []
        return failure(describe_validation(list(details)), status_code=400)

    async def on_http_error(request: Request, exc: Exception) -> EnvelopeResponse:
        if not isinstance(exc, StarletteHTTPException):  # registered for this type only
            raise exc
        if exc.status_code == 404:
            message = f"요청하신 API가 존재하지 않습니다: {request.method} {request.url.path}"
        elif exc.status_code == 405:
            message = f"지원하지 않는 HTTP 메소드입니다: {request.method} {request.url.path}"
        else:
            message = str(exc.detail)
        return failure(message, status_code=exc.status_code)

    async def on_unexpected(request: Request, exc: Exception) -> EnvelopeResponse:
        log.exception("api.unexpected_error", method=request.method, path=request.url.path)
        return failure("서버 내부 오류가 발생하였습니다. 잠시 후 다시 시도해주세요.", status_code=500)

    app.add_exception_handler(errors.GatewayError, on_gateway_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(ValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
