"""Scenarios: lost replies, broken replies and an unreachable PG (PgOutcomeUnknown vs PgUnavailable)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from homeport.domain.errors import PgOutcomeUnknown, PgUnavailable
from homeport.domain.money import Won
from homeport.pg.base import (
    CancelRequest,
    EscrowDelivery,
    PgConnector,
    PgStatus,
    TradeRequest,
    VirtualAccountRequest,
    WindowResult,
)
from homeport.testing.connector_conformance.checks import check, describe, expect_cancelled, inquire
from homeport.testing.connector_conformance.flows import keyin_charge, new_order_id
from homeport.testing.connector_conformance.target import (
    ConformanceError,
    ConformanceTarget,
    FaultInjection,
)

#: A deposit deadline for a call that never reaches the PG (2030-03-17, UNIX seconds).
_SOME_DEADLINE = 1_900_000_000


def _faults(target: ConformanceTarget) -> FaultInjection:
    if target.faults is None:
        raise ConformanceError(f"{target.name}: this scenario needs fault injection")
    return target.faults


async def _expect_outcome_unknown(
    connector: PgConnector, target: ConformanceTarget, amount: Won, label: str
) -> str:
    order_id = new_order_id(target, label)
    try:
        answer = await connector.charge(keyin_charge(target, order_id, amount))
    except PgOutcomeUnknown:
        return order_id
    except PgUnavailable as problem:
        raise ConformanceError(
            f"charge of {amount}: PgUnavailable ({problem}) says 'not processed, retry', but the "
            "request reached the PG; expected PgOutcomeUnknown"
        ) from problem
    raise ConformanceError(f"charge of {amount}: expected PgOutcomeUnknown, got {describe(answer)}")


async def lost_reply_is_outcome_unknown_and_settled_by_inquiry(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A charge whose reply never comes in time raises PgOutcomeUnknown (sent once, never
    again); the PG did charge, inquiry finds it approved, and a cancel settles it."""
    faults = _faults(target)
    amount = faults.timeout_amount
    order_id = await _expect_outcome_unknown(connector, target, amount, "lost")
    pg_tids = list(await faults.find_pg_tids(order_id))
    check(
        len(pg_tids) == 1,
        f"after a lost reply the PG holds {len(pg_tids)} transactions for {order_id} "
        "(a connector must never send a charge again on its own)",
    )
    inquiry = await inquire(connector, pg_tids[0], "card", "inquiry after a lost reply")
    check(inquiry.status == PgStatus.APPROVED, f"inquiry after a lost reply: status {inquiry.status!r}")
    check(inquiry.amount == amount, f"inquiry after a lost reply: amount {inquiry.amount}, expected {amount}")
    check(inquiry.remaining == amount, f"inquiry after a lost reply: remaining {inquiry.remaining}")

    settled = expect_cancelled(
        await connector.cancel(
            CancelRequest(
                pg_tid=pg_tids[0],
                pay_method="card",
                amount=None,
                remaining_before=inquiry.remaining,
                reason="결과 불명 거래 취소",
            )
        ),
        "cancelling the charge whose reply was lost",
    )
    check(settled.remaining == 0, f"settling cancel: remaining {settled.remaining}, expected 0")
    after = await inquire(connector, pg_tids[0], "card", "inquiry after the settling cancel")
    check(after.status == PgStatus.CANCELLED, f"inquiry after the settling cancel: status {after.status!r}")
    check(after.remaining == 0, f"inquiry after the settling cancel: remaining {after.remaining}")


async def server_error_is_outcome_unknown(connector: PgConnector, target: ConformanceTarget) -> None:
    """An HTTP 500 reply to a charge raises PgOutcomeUnknown: the PG may have processed it."""
    await _expect_outcome_unknown(connector, target, _faults(target).server_error_amount, "e500")


async def bad_gateway_is_outcome_unknown(connector: PgConnector, target: ConformanceTarget) -> None:
    """An HTTP 502 with an empty body raises PgOutcomeUnknown."""
    await _expect_outcome_unknown(connector, target, _faults(target).bad_gateway_amount, "e502")


async def unreadable_reply_is_outcome_unknown(connector: PgConnector, target: ConformanceTarget) -> None:
    """An HTTP 200 whose body is not JSON raises PgOutcomeUnknown, never an approval or decline."""
    await _expect_outcome_unknown(connector, target, _faults(target).malformed_amount, "junk")


async def unreachable_pg_is_unavailable(connector: PgConnector, target: ConformanceTarget) -> None:
    """With nothing listening at the PG's address every call raises PgUnavailable (provably not
    processed: safe to retry) — never PgOutcomeUnknown, never another exception."""
    order_id = new_order_id(target, "down")
    calls: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        (
            "register_trade",
            lambda: connector.register_trade(
                TradeRequest(
                    order_id=order_id,
                    amount=target.amount,
                    name="적합성 시험 상품",
                    pay_method="card",
                    return_url="https://shop.example/kcp/return",
                )
            ),
        ),
        ("charge", lambda: connector.charge(keyin_charge(target, order_id, target.amount))),
        (
            "cancel",
            lambda: connector.cancel(
                CancelRequest(pg_tid="20260302000000", pay_method="card", amount=None, remaining_before=1004)
            ),
        ),
        ("inquire", lambda: connector.inquire("20260302000000", "card")),
        (
            "issue_virtual_account",
            lambda: connector.issue_virtual_account(
                VirtualAccountRequest(
                    order_id=order_id,
                    amount=target.amount,
                    name="적합성 시험 가상계좌",
                    bank_code=target.vbank_bank_code or "004",
                    due_at=_SOME_DEADLINE,
                )
            ),
        ),
        (
            "register_escrow_delivery",
            lambda: connector.register_escrow_delivery(
                EscrowDelivery(pg_tid="20260302000000", company="CJGLS", invoice="123456789012", sent_at=1)
            ),
        ),
    ]
    if target.sample_window_return is not None:
        window = WindowResult(fields=target.sample_window_return)
        calls.append(
            (
                "approve",
                lambda: connector.approve(window, order_id=order_id, amount=target.amount, pay_method="card"),
            )
        )
    if target.billing_group_id is not None:
        group: str = target.billing_group_id
        calls += [
            (
                "issue_billing_key_keyin",
                lambda: connector.issue_billing_key_keyin(target.keyin_card, group_id=group),
            ),
            ("delete_billing_key", lambda: connector.delete_billing_key("1234567890123456", group_id=group)),
        ]
    for name, call in calls:
        try:
            answer = await call()
        except PgUnavailable:
            continue
        except PgOutcomeUnknown as problem:
            raise ConformanceError(
                f"{name} with nothing listening: PgOutcomeUnknown, expected PgUnavailable (a refused "
                "connection provably sent nothing)"
            ) from problem
        raise ConformanceError(
            f"{name} with nothing listening: expected PgUnavailable, got {describe(answer)}"
        )
