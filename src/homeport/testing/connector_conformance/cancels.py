"""Scenarios: partial and full cancels, over-cancels, and inquiry after each."""

from __future__ import annotations

from homeport.pg.base import PgConnector, PgStatus
from homeport.testing.connector_conformance.checks import (
    check,
    check_time,
    expect_cancelled,
    expect_declined,
    expect_declined_by_pg,
    expect_standing,
)
from homeport.testing.connector_conformance.flows import cancel, cancel_fully, paid_card
from homeport.testing.connector_conformance.target import ConformanceTarget


async def partial_then_full_cancel_tracks_the_remaining_amount(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A partial cancel leaves the rest (10000 - 3000 = 7000, inquiry: partially cancelled); a
    full cancel then takes exactly the rest (inquiry: cancelled, 0 left)."""
    amount, part = 10_000, 3_000
    approved, order_id = await paid_card(connector, target, amount, "pcan")

    partial = expect_cancelled(
        await cancel(connector, approved, amount=part, remaining_before=amount), "partial cancel of 3000"
    )
    check(partial.pg_tid == approved.pg_tid, f"partial cancel: pg_tid {partial.pg_tid!r}")
    check(
        partial.cancelled_amount == part,
        f"partial cancel: cancelled {partial.cancelled_amount}, expected {part}",
    )
    check(partial.remaining == amount - part, f"partial cancel: remaining {partial.remaining}, expected 7000")
    check(bool(partial.cancellation_id), "partial cancel: no cancellation id")
    check_time(target, partial.cancelled_at, "partial cancel: cancelled_at")
    await expect_standing(
        connector,
        approved,
        status=PgStatus.PARTIALLY_CANCELLED,
        remaining=amount - part,
        order_id=order_id,
        what="inquiry after a partial cancel",
    )

    full = await cancel_fully(
        connector, target, approved, remaining_before=amount - part, what="full cancel after a partial one"
    )
    check(
        full.cancellation_id != partial.cancellation_id,
        f"two cancels share the cancellation id {full.cancellation_id!r}",
    )
    await expect_standing(
        connector,
        approved,
        status=PgStatus.CANCELLED,
        remaining=0,
        order_id=order_id,
        what="inquiry after the full cancel",
    )


async def cancelling_more_than_remains_is_declined_without_change(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """After 1000 of 5000 is cancelled, cancelling 4001 is Declined and changes nothing (inquiry
    still shows 4000 left), also when the caller believes 5000 is left (the PG refuses then);
    the 4000 can then be cancelled."""
    amount, part = 5_000, 1_000
    approved, order_id = await paid_card(connector, target, amount, "over")
    expect_cancelled(
        await cancel(connector, approved, amount=part, remaining_before=amount), "partial cancel of 1000"
    )

    refused = await cancel(connector, approved, amount=amount - part + 1, remaining_before=amount - part)
    expect_declined(refused, "cancelling 4001 of the 4000 left")
    await expect_standing(
        connector,
        approved,
        status=PgStatus.PARTIALLY_CANCELLED,
        remaining=amount - part,
        order_id=order_id,
        what="inquiry after a refused over-cancel",
    )

    stale = await cancel(connector, approved, amount=amount - part + 1, remaining_before=amount)
    expect_declined_by_pg(stale, "cancelling 4001 of the 4000 left, believing 5000 left")
    await expect_standing(
        connector,
        approved,
        status=PgStatus.PARTIALLY_CANCELLED,
        remaining=amount - part,
        order_id=order_id,
        what="inquiry after an over-cancel the PG refused",
    )

    await cancel_fully(
        connector, target, approved, remaining_before=amount - part, what="cancelling the rest"
    )


async def inquiry_follows_approval_and_cancel(connector: PgConnector, target: ConformanceTarget) -> None:
    """Inquiry reports an approved payment as approved with all of it left, and as cancelled with
    nothing left once it is cancelled."""
    approved, order_id = await paid_card(connector, target, target.amount, "inq")
    await expect_standing(
        connector,
        approved,
        status=PgStatus.APPROVED,
        remaining=approved.amount,
        order_id=order_id,
        what="inquiry after approval",
    )
    await cancel_fully(connector, target, approved, remaining_before=approved.amount, what="full cancel")
    await expect_standing(
        connector,
        approved,
        status=PgStatus.CANCELLED,
        remaining=0,
        order_id=order_id,
        what="inquiry after cancel",
    )


async def cancelled_payment_cannot_be_cancelled_again(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A second full cancel of a cancelled payment is Declined (never a second refund)."""
    approved, order_id = await paid_card(connector, target, target.amount, "again")
    await cancel_fully(connector, target, approved, remaining_before=approved.amount, what="full cancel")
    again = await cancel(connector, approved, amount=None, remaining_before=approved.amount)
    expect_declined_by_pg(again, "cancelling a cancelled payment")
    await expect_standing(
        connector,
        approved,
        status=PgStatus.CANCELLED,
        remaining=0,
        order_id=order_id,
        what="inquiry after a refused second cancel",
    )
