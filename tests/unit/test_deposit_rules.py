"""What a deposit notification does to a virtual account (decision 0009), without storage."""

from __future__ import annotations

from dataclasses import replace

import pytest

from homeport.domain.payments.models import Payment, PaymentStatus
from homeport.domain.payments.notifications import NotificationOutcome, apply_deposit
from homeport.pg.base import NotificationKind, PgNotification
from tests.support import make_payment, vbank_payment

NOW = 1_767_300_000
DEPOSITED_AT = 1_767_299_000


def deposit(amount: int, *, cancelled: bool = False) -> PgNotification:
    kind = NotificationKind.DEPOSIT_CANCELLED if cancelled else NotificationKind.DEPOSIT
    return PgNotification(
        kind=kind, notification_id="n", pg_tid="T1", order_id="o", amount=amount, occurred_at=DEPOSITED_AT
    )


def test_the_deposit_that_reaches_the_amount_pays_at_the_deposit_time() -> None:
    ready = vbank_payment(1, amount=5000)

    applied = apply_deposit(ready, 2000, deposit(3000), NOW)

    assert applied.outcome is NotificationOutcome.PAID
    assert applied.payment is not None
    assert (applied.payment.status, applied.payment.paid_at, applied.payment.updated_at) == (
        PaymentStatus.PAID,
        DEPOSITED_AT,
        NOW,
    )
    assert (applied.deposited_total, applied.excess) == (5000, 0)


def test_a_deposit_without_a_time_is_paid_now() -> None:
    applied = apply_deposit(vbank_payment(1, amount=5000), 0, replace(deposit(5000), occurred_at=0), NOW)

    assert applied.payment is not None
    assert applied.payment.paid_at == NOW


def test_less_than_the_amount_changes_no_payment_and_counts_the_total() -> None:
    applied = apply_deposit(vbank_payment(1, amount=5000), 1000, deposit(1000), NOW)

    assert (applied.payment, applied.outcome, applied.deposited_total) == (
        None,
        NotificationOutcome.PARTIALLY_PAID,
        2000,
    )


def test_more_than_the_amount_pays_and_counts_the_excess() -> None:
    applied = apply_deposit(vbank_payment(1, amount=5000), 0, deposit(6500), NOW)

    assert applied.payment is not None
    assert (applied.payment.status, applied.payment.amount, applied.excess) == (
        PaymentStatus.PAID,
        5000,
        1500,
    )


def test_a_reversal_below_the_amount_returns_a_paid_account_to_ready() -> None:
    paid = replace(vbank_payment(1, amount=5000), status=PaymentStatus.PAID, paid_at=DEPOSITED_AT)

    applied = apply_deposit(paid, 5000, deposit(5000, cancelled=True), NOW)

    assert applied.outcome is NotificationOutcome.DEPOSIT_CANCELLED
    assert applied.payment is not None
    assert (applied.payment.status, applied.payment.paid_at, applied.deposited_total) == (
        PaymentStatus.READY,
        0,
        0,
    )


def test_a_reversal_of_an_excess_keeps_the_account_paid() -> None:
    paid = replace(vbank_payment(1, amount=5000), status=PaymentStatus.PAID, paid_at=DEPOSITED_AT)

    applied = apply_deposit(paid, 6000, deposit(1000, cancelled=True), NOW)

    assert (applied.payment, applied.deposited_total, applied.excess) == (None, 5000, 0)


def test_a_reversal_of_more_than_was_counted_stops_at_zero() -> None:
    applied = apply_deposit(vbank_payment(1, amount=5000), 0, deposit(3000, cancelled=True), NOW)

    assert (applied.payment, applied.deposited_total) == (None, 0)


@pytest.mark.parametrize(
    "payment",
    [
        replace(vbank_payment(1), status=PaymentStatus.CANCELLED),
        replace(vbank_payment(1), status=PaymentStatus.FAILED),
        make_payment(1, status=PaymentStatus.READY),  # a card payment
    ],
)
def test_a_deposit_to_a_payment_that_takes_none_changes_nothing(payment: Payment) -> None:
    applied = apply_deposit(payment, 700, deposit(5000), NOW)

    assert (applied.payment, applied.outcome, applied.deposited_total) == (
        None,
        NotificationOutcome.NOT_APPLICABLE,
        700,
    )
