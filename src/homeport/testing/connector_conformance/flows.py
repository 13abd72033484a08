"""Building blocks of the scenarios: fresh orders, windows, card payments, cancels."""

from __future__ import annotations

import secrets

from homeport.domain.money import Won
from homeport.pg.base import (
    Approved,
    Buyer,
    Cancelled,
    CancelRequest,
    CardInput,
    Charge,
    Declined,
    PgConnector,
    WindowResult,
)
from homeport.testing.connector_conformance.checks import check, check_time, expect_approved, expect_cancelled
from homeport.testing.connector_conformance.target import ConformanceError, ConformanceTarget, WindowOrder

#: The buyer of every scenario's orders.
BUYER = Buyer(name="홍길동", email="buyer@example.com", tel="01012345678")


def new_order_id(target: ConformanceTarget, label: str) -> str:
    """A fresh order id: the target's prefix, a short label and 12 random hex digits."""
    return f"{target.order_prefix}{label}{secrets.token_hex(6)}"


def window_order(
    target: ConformanceTarget,
    label: str,
    pay_method: str,
    *,
    amount: Won | None = None,
    card_number: str | None = None,
    billing_group_id: str | None = None,
    escrow: bool = False,
) -> WindowOrder:
    """A window order of the target's amount (or ``amount``) for a fresh order id."""
    return WindowOrder(
        order_id=new_order_id(target, label),
        amount=target.amount if amount is None else amount,
        name="적합성 시험 상품",
        pay_method=pay_method,
        card_number=card_number or target.window_card_number,
        billing_group_id=billing_group_id,
        buyer=BUYER,
        escrow=escrow,
    )


async def complete_window(
    connector: PgConnector, target: ConformanceTarget, order: WindowOrder
) -> WindowResult:
    """Have the target's window driver complete ``order``; what the window returned."""
    if target.window is None:
        raise ConformanceError(f"{target.name}: this scenario needs a window driver")
    result = await target.window(connector, order)
    check(bool(result.fields), f"window for {order.order_id}: the window returned nothing")
    return result


async def approve_window(
    connector: PgConnector, target: ConformanceTarget, order: WindowOrder
) -> tuple[WindowResult, Approved | Declined]:
    """Complete a window and approve its result for the ordered amount."""
    result = await complete_window(connector, target, order)
    answer = await connector.approve(
        result, order_id=order.order_id, amount=order.amount, pay_method=order.pay_method
    )
    return result, answer


def keyin_charge(
    target: ConformanceTarget, order_id: str, amount: Won, card: CardInput | None = None
) -> Charge:
    """A key-in charge of ``amount`` with the target's card (or ``card``)."""
    return Charge(
        order_id=order_id,
        amount=amount,
        name="적합성 시험 수기결제",
        buyer=BUYER,
        card=card or target.keyin_card,
        customer_ip="127.0.0.1",
    )


async def paid_card(
    connector: PgConnector, target: ConformanceTarget, amount: Won, label: str
) -> tuple[Approved, str]:
    """A card payment of ``amount``: through the window when there is one, else key-in."""
    if target.window is not None:
        order = window_order(target, label, "card", amount=amount)
        _, answer = await approve_window(connector, target, order)
        return expect_approved(answer, f"card window payment of {amount}"), order.order_id
    if not target.keyin:
        raise ConformanceError(f"{target.name}: a card payment needs a window driver or key-in")
    order_id = new_order_id(target, label)
    answer = await connector.charge(keyin_charge(target, order_id, amount))
    return expect_approved(answer, f"key-in charge of {amount}"), order_id


async def cancel(
    connector: PgConnector,
    approved: Approved,
    *,
    amount: Won | None,
    remaining_before: Won,
    reason: str = "적합성 시험 취소",
) -> Cancelled | Declined:
    """Ask the connector to cancel ``amount`` (None: everything) of ``approved``."""
    return await connector.cancel(
        CancelRequest(
            pg_tid=approved.pg_tid,
            pay_method=approved.pay_method,
            amount=amount,
            remaining_before=remaining_before,
            reason=reason,
        )
    )


async def cancel_fully(
    connector: PgConnector, target: ConformanceTarget, approved: Approved, *, remaining_before: Won, what: str
) -> Cancelled:
    """Cancel everything left of ``approved`` and check the Cancelled."""
    cancelled = expect_cancelled(
        await cancel(connector, approved, amount=None, remaining_before=remaining_before), what
    )
    check(
        cancelled.pg_tid == approved.pg_tid,
        f"{what}: pg_tid {cancelled.pg_tid!r}, expected {approved.pg_tid!r}",
    )
    check(
        cancelled.cancelled_amount == remaining_before,
        f"{what}: cancelled {cancelled.cancelled_amount}, expected everything left ({remaining_before})",
    )
    check(cancelled.remaining == 0, f"{what}: remaining {cancelled.remaining}, expected 0")
    check(bool(cancelled.cancellation_id), f"{what}: no cancellation id")
    check_time(target, cancelled.cancelled_at, f"{what}: cancelled_at")
    return cancelled
