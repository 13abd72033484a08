"""Expectations shared by the scenarios: each raises ConformanceError naming what differed."""

from __future__ import annotations

from homeport.domain.money import Won
from homeport.pg.base import Approved, Cancelled, Declined, Inquiry, PgConnector, PgStatus
from homeport.testing.connector_conformance.target import (
    CLOCK_TOLERANCE_SECONDS,
    ConformanceError,
    ConformanceTarget,
)


def check(condition: bool, message: str) -> None:
    """Raise ConformanceError with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ConformanceError(message)


def describe(result: object) -> str:
    """A result for a failure message (a Declined shows its reason and the PG's code)."""
    if isinstance(result, Declined):
        return (
            f"Declined(reason={result.reason!r}, pg_code={result.pg_code!r}, "
            f"pg_message={result.pg_message!r})"
        )
    return repr(result)


def expect_approved(result: Approved | Declined, what: str) -> Approved:
    """``result`` as Approved, else ConformanceError."""
    if not isinstance(result, Approved):
        raise ConformanceError(f"{what}: expected Approved, got {describe(result)}")
    return result


def expect_declined(result: object, what: str) -> Declined:
    """``result`` as a Declined with a reason and a message, else ConformanceError."""
    if not isinstance(result, Declined):
        raise ConformanceError(f"{what}: expected Declined, got {describe(result)}")
    check(bool(result.reason), f"{what}: Declined.reason is empty: {result!r}")
    check(bool(result.message), f"{what}: Declined.message is empty: {result!r}")
    return result


def expect_declined_by_pg(result: object, what: str) -> Declined:
    """A Declined that the PG answered (it carries the PG's code), not one the connector made."""
    declined = expect_declined(result, what)
    check(bool(declined.pg_code), f"{what}: expected the PG's refusal, got no pg_code: {declined!r}")
    return declined


def expect_cancelled(result: Cancelled | Declined, what: str) -> Cancelled:
    """``result`` as Cancelled, else ConformanceError."""
    if not isinstance(result, Cancelled):
        raise ConformanceError(f"{what}: expected Cancelled, got {describe(result)}")
    return result


def check_time(target: ConformanceTarget, at: int, what: str) -> None:
    """``at`` is a UNIX time near the target's clock (when the target has one)."""
    check(at > 0, f"{what}: expected a UNIX time, got {at}")
    if target.now is not None:
        now = target.now()
        check(
            abs(at - now) <= CLOCK_TOLERANCE_SECONDS,
            f"{what}: {at} is {at - now:+d} s from now ({now}); a time zone read wrongly?",
        )


def check_masked(masked: str | None, card_number: str, what: str) -> None:
    """``masked`` is a masked card number ending in ``card_number``'s last four digits."""
    text = masked or ""
    check(bool(text), f"{what}: no masked card number")
    check("*" in text, f"{what}: card number {text!r} is not masked")
    check(card_number not in text.replace("-", ""), f"{what}: the clear card number leaked")
    check(
        text.endswith(card_number[-4:]),
        f"{what}: masked number {text!r} does not end with the card's last four digits",
    )


def check_card_approval(
    target: ConformanceTarget, approved: Approved, *, amount: Won, card_number: str, what: str
) -> None:
    """A card approval of ``amount``: tid, time, approval number, card company, masked number."""
    check(bool(approved.pg_tid), f"{what}: no pg_tid")
    check(approved.amount == amount, f"{what}: amount {approved.amount}, expected {amount}")
    check(approved.pay_method == "card", f"{what}: pay_method {approved.pay_method!r}, expected 'card'")
    check_time(target, approved.approved_at, f"{what}: approved_at")
    check(bool(approved.approval_number), f"{what}: no approval number")
    card = approved.card
    if card is None:
        raise ConformanceError(f"{what}: no card details")
    check(bool(card.company_code or card.company_name), f"{what}: the card company is unknown: {card!r}")
    check(card.installment_months == 0, f"{what}: installment_months {card.installment_months}, expected 0")
    check_masked(card.masked_number, card_number, f"{what}: card")


async def inquire(connector: PgConnector, pg_tid: str, pay_method: str, what: str) -> Inquiry:
    """The PG's Inquiry of ``pg_tid``, else ConformanceError."""
    result = await connector.inquire(pg_tid, pay_method)
    if not isinstance(result, Inquiry):
        raise ConformanceError(f"{what}: expected Inquiry, got {describe(result)}")
    check(result.pg_tid == pg_tid, f"{what}: inquiry answered pg_tid {result.pg_tid!r}, asked {pg_tid!r}")
    return result


async def expect_standing(
    connector: PgConnector,
    approved: Approved,
    *,
    status: PgStatus,
    remaining: Won,
    order_id: str,
    what: str,
) -> None:
    """Inquiry reports ``approved`` with ``status`` and ``remaining`` left."""
    inquiry = await inquire(connector, approved.pg_tid, approved.pay_method, what)
    check(inquiry.status == status, f"{what}: status {inquiry.status!r}, expected {status!r}")
    check(inquiry.amount == approved.amount, f"{what}: amount {inquiry.amount}, expected {approved.amount}")
    check(inquiry.remaining == remaining, f"{what}: remaining {inquiry.remaining}, expected {remaining}")
    check(
        inquiry.order_id in (None, order_id), f"{what}: order_id {inquiry.order_id!r}, expected {order_id!r}"
    )
