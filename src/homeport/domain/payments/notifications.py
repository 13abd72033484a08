"""PG notifications (KCP's common notification, kcp.md §9) and what a deposit does to a payment.

Every notification is recorded once (:class:`NotificationRecord`), keyed by the PG's own id
(KCP's ``noti_id``, unique per notification, §9.4): a repeat changes nothing and is
acknowledged again. Deposits to a virtual account are applied by :func:`apply_deposit`:

- homeport keeps its own running total of what was deposited for a payment (each deposit
  adds its amount, a deposit the bank took back subtracts it), stored on the notification
  rows. It does not take the PG's total as truth: KCP's ``totl_mnyx`` equals the single
  deposit for one-shot accounts and is cumulative over the account's life for fixed ones
  (§9.4), so it is not a per-payment total. A differing PG total is logged by the service;
- the payment is ``paid`` while that total reaches its amount and ``ready`` below it, so an
  under-deposit keeps it ``ready`` (i'mport v1 shows such an account as ``ready`` with the
  ordered ``amount``; its Payment has no field for a partial sum, iamport-v1.md §5.2), and a
  deposit taken back (KCP ``op_cd`` 13) returns a paid account to ``ready``;
- KCP settles any amount as deposited and refunds nothing (§9.4), so an over-deposit pays
  the payment and the excess is recorded on the notification (and logged) for the merchant
  to refund; the payment's ``amount`` stays what was ordered.

Decision 0009 records these choices.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from homeport.domain.money import Won
from homeport.domain.payments.accounts import expired_account
from homeport.domain.payments.models import Payment, PaymentStatus
from homeport.pg import base as pg


class NotificationOutcome(StrEnum):
    """What homeport did with a notification (stored on its record)."""

    PAID = "paid"
    """A deposit brought the total to the amount (or beyond): the payment became ``paid``."""
    PARTIALLY_PAID = "partially_paid"
    """A deposit below what remains: recorded, the payment stays ``ready``."""
    DEPOSITED_AFTER_PAID = "deposited_after_paid"
    """A deposit to a payment already paid: all of it is excess."""
    DEPOSIT_CANCELLED = "deposit_cancelled"
    """The bank took a deposit back; the payment is ``ready`` again if the rest is short."""
    NOT_APPLICABLE = "not_applicable"
    """A deposit for a payment that takes none (not a virtual account, cancelled, failed)."""
    UNKNOWN_PAYMENT = "unknown_payment"
    """No payment of homeport matches; acknowledged so the PG stops resending."""
    RECORDED = "recorded"
    """Another kind of notification (refund, escrow, ...): recorded, nothing changes."""


@dataclass(frozen=True)
class NotificationRecord:
    """One notification as received and what it did; never changed once stored."""

    pg_provider: str
    site: str
    notification_id: str
    pg_kind: str  # the PG's own code, e.g. KCP "TX00/50" (tx_cd/op_cd)
    kind: pg.NotificationKind
    pg_tid: str
    order_id: str
    amount: Won
    pg_total: Won  # what the PG reported as deposited in all
    deposited_total: Won  # homeport's running total for the payment after this notification
    excess: Won  # deposited beyond the payment's amount, after this notification
    outcome: NotificationOutcome
    occurred_at: int
    received_at: int
    imp_uid: str | None = None
    depositor: str | None = None


@dataclass(frozen=True)
class Applied:
    """A deposit notification's effect: the payment to write (None: unchanged) and the totals."""

    payment: Payment | None
    outcome: NotificationOutcome
    deposited_total: Won
    excess: Won


def takes_deposits(payment: Payment) -> bool:
    """A virtual account awaiting or holding deposits (not cancelled, not failed)."""
    return payment.pay_method == "vbank" and payment.status in (PaymentStatus.READY, PaymentStatus.PAID)


def apply_deposit(
    payment: Payment, previous_total: Won, notification: pg.PgNotification, now: int
) -> Applied:
    """What a deposit (or its cancellation by the bank) does to a virtual account's payment.

    ``previous_total`` is what homeport counted as deposited before this notification.
    """
    cancelled = notification.kind is pg.NotificationKind.DEPOSIT_CANCELLED
    reopened = expired_account(payment) and not cancelled
    if reopened:
        # Money reached an account homeport had expired (notified past the grace period):
        # it was received, so the account is open again and paid as usual (decision 0013).
        payment = replace(payment, status=PaymentStatus.READY, cancelled_at=0, cancel_reason=None)
    if not takes_deposits(payment):
        return Applied(None, NotificationOutcome.NOT_APPLICABLE, previous_total, 0)
    if cancelled:
        # Never below zero: a reversal of a deposit homeport never saw takes back nothing.
        total = max(0, previous_total - notification.amount)
    else:
        total = previous_total + notification.amount
    excess = max(0, total - payment.amount)
    paid = total >= payment.amount
    was_paid = payment.status is PaymentStatus.PAID
    if cancelled:
        outcome = NotificationOutcome.DEPOSIT_CANCELLED
    elif was_paid:
        outcome = NotificationOutcome.DEPOSITED_AFTER_PAID
    else:
        outcome = NotificationOutcome.PAID if paid else NotificationOutcome.PARTIALLY_PAID
    if paid == was_paid:
        return Applied(replace(payment, updated_at=now) if reopened else None, outcome, total, excess)
    if paid:
        changed = replace(
            payment,
            status=PaymentStatus.PAID,
            # The bank's deposit time (KCP ipgm_time, KST) is when the buyer paid.
            paid_at=notification.occurred_at or now,
            pg_tid=payment.pg_tid or notification.pg_tid,
            updated_at=now,
        )
    else:
        # i'mport has no "deposit taken back" status: the account awaits its deposit again.
        changed = replace(payment, status=PaymentStatus.READY, paid_at=0, updated_at=now)
    return Applied(changed, outcome, total, excess)
