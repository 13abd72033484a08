"""Attempts: the record written before homeport asks the PG to move money.

DESIGN invariant: "an attempt is written before KCP is called". The attempt is committed in
the same transaction that creates (or locks) the payment, before the request leaves; its
state is settled in the transaction that applies the PG's answer. So after any crash or lost
answer the database says what may have happened at the PG:

- ``pending``: sent or about to be sent, no answer processed (the process died, or applying
  the answer failed);
- ``unknown``: sent, but the answer was lost or unreadable (``PgOutcomeUnknown``);

both leave the payment as it was (a charge stays ``ready``: in doubt, never failed blindly)
until reconciliation asks the PG. ``succeeded``, ``declined`` and ``unavailable`` (provably
not sent) are final.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from homeport.domain.money import Won
from homeport.domain.payments.models import Payment


class AttemptOperation(StrEnum):
    """What the PG was asked to do."""

    CHARGE = "charge"
    """Approve a payment (billing key, key-in, window approval)."""
    CANCEL = "cancel"
    """Cancel or refund all or part of a payment at the merchant's request."""
    VOID = "void"
    """Cancel an approval homeport could not accept (e.g. KCP approved another amount)."""
    VBANK_ISSUE = "vbank_issue"
    """Issue a virtual account by API (no window); no money moves until the buyer deposits."""
    VBANK_REVOKE = "vbank_revoke"
    """Close a virtual account that was never paid (``DELETE /vbanks``)."""
    ESCROW = "escrow"
    """Register the delivery of an escrow payment's goods (no money moves)."""
    BILLING_KEY = "billing_key"
    """Issue a billing key from a billing window's result (no money moves, no PG tid)."""


class AttemptState(StrEnum):
    """Where an attempt stands."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"

    @property
    def unsettled(self) -> bool:
        """Whether the PG may have acted without homeport knowing the result."""
        return self in (AttemptState.PENDING, AttemptState.UNKNOWN)


@dataclass(frozen=True)
class Attempt:
    """One request to the PG about one payment."""

    imp_uid: str
    merchant_id: int
    operation: AttemptOperation
    amount: Won
    pg_provider: str
    pg_id: str
    started_at: int
    state: AttemptState = AttemptState.PENDING
    id: int | None = None
    finished_at: int = 0
    pg_tid: str | None = None
    pg_code: str | None = None
    pg_message: str | None = None


def attempt_on(payment: Payment, operation: AttemptOperation, *, amount: Won, started_at: int) -> Attempt:
    """A pending attempt to ``operation`` on ``payment``, through the channel that took it."""
    return Attempt(
        imp_uid=payment.imp_uid,
        merchant_id=payment.merchant_id,
        operation=operation,
        amount=amount,
        pg_provider=payment.pg_provider or "",
        pg_id=payment.pg_id or "",
        started_at=started_at,
        pg_tid=payment.pg_tid,
    )


@dataclass(frozen=True)
class AttemptResult:
    """How an attempt ended, to be stored with the change it caused."""

    state: AttemptState
    finished_at: int
    pg_tid: str | None = None
    pg_code: str | None = None
    pg_message: str | None = None
