"""Scenarios: escrow delivery registration (i'mport ``POST /escrows/logis``).

Both run on the escrow connector's site and pay a card through the window: once with escrow,
where the delivery registers, once without, where the PG refuses it.
"""

from __future__ import annotations

import secrets

from homeport.pg.base import Approved, EscrowDelivery, EscrowParty, EscrowRegistered, PgConnector
from homeport.testing.connector_conformance.checks import (
    check,
    check_time,
    describe,
    expect_approved,
    expect_declined_by_pg,
)
from homeport.testing.connector_conformance.flows import approve_window, window_order
from homeport.testing.connector_conformance.target import ConformanceError, ConformanceTarget

#: i'mport's carrier code for CJ대한통운 (iamport-v1.md §4.5).
CARRIER = "CJGLS"


async def _card_payment(connector: PgConnector, target: ConformanceTarget, *, escrow: bool) -> Approved:
    order = window_order(target, "escw" if escrow else "plain", "card", escrow=escrow)
    _, answer = await approve_window(connector, target, order)
    what = "a card window with escrow" if escrow else "a card window without escrow"
    approved = expect_approved(answer, f"approving {what}")
    check(approved.escrow == escrow, f"{what}: Approved.escrow is {approved.escrow}")
    return approved


def _delivery(target: ConformanceTarget, approved: Approved) -> EscrowDelivery:
    sent_at = target.now() if target.now is not None else approved.approved_at
    return EscrowDelivery(
        pg_tid=approved.pg_tid,
        company=CARRIER,
        invoice="".join(secrets.choice("0123456789") for _ in range(12)),
        sent_at=sent_at,
        sender=EscrowParty(name="적합성시험상점", tel="0212345678", address="서울특별시 구로구"),
        receiver=EscrowParty(name="홍길동", tel="01012345678", address="서울특별시 중구", postcode="04500"),
    )


async def escrow_delivery_is_registered_for_an_escrow_payment(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A card paid with escrow approves as an escrow payment, and its delivery registers: the
    same pg_tid, carrier, waybill and shipping time come back."""
    approved = await _card_payment(connector, target, escrow=True)
    delivery = _delivery(target, approved)
    registered = await connector.register_escrow_delivery(delivery)
    if not isinstance(registered, EscrowRegistered):
        raise ConformanceError(
            f"registering a delivery: expected EscrowRegistered, got {describe(registered)}"
        )
    what = "registered delivery"
    check(registered.pg_tid == approved.pg_tid, f"{what}: pg_tid {registered.pg_tid!r}")
    check(registered.company == CARRIER, f"{what}: company {registered.company!r}, expected {CARRIER!r}")
    check(registered.invoice == delivery.invoice, f"{what}: invoice {registered.invoice!r}")
    check(registered.sent_at == delivery.sent_at, f"{what}: sent_at {registered.sent_at}")
    if registered.registered_at:
        check_time(target, registered.registered_at, f"{what}: registered_at")


async def escrow_delivery_is_declined_for_a_payment_without_escrow(
    connector: PgConnector, target: ConformanceTarget
) -> None:
    """A delivery for a card paid without escrow is Declined by the PG (never registered)."""
    approved = await _card_payment(connector, target, escrow=False)
    refused = await connector.register_escrow_delivery(_delivery(target, approved))
    expect_declined_by_pg(refused, "registering a delivery for a payment without escrow")
