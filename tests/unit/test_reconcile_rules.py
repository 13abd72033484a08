"""Rules of decision 0013 that need no storage: expired accounts, deposits after expiry, the
settings and what ``homeport reconcile list`` shows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from homeport.cli.reconcile import describe
from homeport.config import load_settings
from homeport.domain.errors import ConfigurationError
from homeport.domain.payments.accounts import EXPIRED_REASON, closed, expired_account
from homeport.domain.payments.attempts import Attempt, AttemptOperation, AttemptState
from homeport.domain.payments.models import Cancellation, PaymentStatus
from homeport.domain.payments.notifications import NotificationOutcome, apply_deposit
from homeport.domain.payments.reconcile import InDoubt
from homeport.domain.payments.virtual_accounts import REVOKE_REASON
from homeport.pg.base import NotificationKind, PgNotification
from tests.support import vbank_payment

NOW = 1_767_300_000


def deposit(amount: int, *, cancelled: bool = False) -> PgNotification:
    kind = NotificationKind.DEPOSIT_CANCELLED if cancelled else NotificationKind.DEPOSIT
    return PgNotification(kind=kind, notification_id="n", pg_tid="T1", order_id="o", amount=amount)


def test_a_closed_account_is_cancelled_with_its_reason_and_no_cancellation_entry() -> None:
    account = closed(vbank_payment(1), EXPIRED_REASON, at=NOW, now=NOW)

    assert (account.status, account.cancel_reason, account.cancelled_at, account.updated_at) == (
        PaymentStatus.CANCELLED,
        EXPIRED_REASON,
        NOW,
        NOW,
    )
    assert account.cancellations == ()
    assert account.cancelled_amount == 0


def test_only_an_account_closed_for_its_deadline_counts_as_expired() -> None:
    expired = closed(vbank_payment(1), EXPIRED_REASON, at=NOW, now=NOW)
    revoked = closed(vbank_payment(1), REVOKE_REASON, at=NOW, now=NOW)
    refunded = replace(expired, cancellations=(Cancellation("c1", 1004, NOW),))

    assert expired_account(expired)
    assert not expired_account(revoked)
    assert not expired_account(refunded)
    assert not expired_account(vbank_payment(1))


def test_a_deposit_to_an_expired_account_pays_it_and_clears_the_cancel() -> None:
    expired = closed(vbank_payment(1, amount=5000), EXPIRED_REASON, at=NOW - 60, now=NOW - 60)

    applied = apply_deposit(expired, 0, deposit(5000), NOW)

    assert applied.outcome is NotificationOutcome.PAID
    assert applied.payment is not None
    assert (applied.payment.status, applied.payment.cancel_reason, applied.payment.cancelled_at) == (
        PaymentStatus.PAID,
        None,
        0,
    )


def test_a_short_deposit_to_an_expired_account_reopens_it_awaiting_the_rest() -> None:
    expired = closed(vbank_payment(1, amount=5000), EXPIRED_REASON, at=NOW - 60, now=NOW - 60)

    applied = apply_deposit(expired, 0, deposit(2000), NOW)

    assert applied.outcome is NotificationOutcome.PARTIALLY_PAID
    assert applied.payment is not None
    assert (applied.payment.status, applied.payment.updated_at) == (PaymentStatus.READY, NOW)


def test_a_deposit_taken_back_from_an_expired_account_changes_nothing() -> None:
    expired = closed(vbank_payment(1, amount=5000), EXPIRED_REASON, at=NOW - 60, now=NOW - 60)

    applied = apply_deposit(expired, 0, deposit(5000, cancelled=True), NOW)

    assert (applied.payment, applied.outcome) == (None, NotificationOutcome.NOT_APPLICABLE)


def test_the_reconcile_settings_default_to_ten_minutes_and_refuse_non_numbers() -> None:
    defaults = load_settings({})
    tuned = load_settings({"HOMEPORT_RECONCILE_AFTER": "900", "HOMEPORT_VBANK_EXPIRY_GRACE": "0"})

    assert (defaults.reconcile_after, defaults.vbank_expiry_grace) == (600, 600)
    assert (tuned.reconcile_after, tuned.vbank_expiry_grace) == (900, 0)
    with pytest.raises(ConfigurationError, match="HOMEPORT_RECONCILE_AFTER"):
        load_settings({"HOMEPORT_RECONCILE_AFTER": "10m"})


def test_the_list_line_names_what_an_operator_searches_kcp_by() -> None:
    payment = vbank_payment(7, merchant_uid="order-42", amount=15000)
    attempt = Attempt(
        imp_uid=payment.imp_uid,
        merchant_id=7,
        operation=AttemptOperation.CHARGE,
        amount=15000,
        pg_provider="kcp",
        pg_id="A52Q7",
        started_at=NOW - 3725,
        state=AttemptState.UNKNOWN,
    )

    line = describe(InDoubt(attempt, payment), NOW)

    assert line == (
        f"{payment.imp_uid}  merchant 7  order order-42  15000원  age 1h02m  charge/unknown  site A52Q7  "
        "no tno: settle by hand"
    )
