"""How an unpaid virtual account ends: closed (revoked by the merchant, or expired).

A closed account's payment is ``cancelled`` with no cancellation entry, because nothing was
paid (``cancel_amount`` 0, empty ``cancel_history``; the contract is silent, decisions 0004
and 0013). Kept apart from the services so notifications can tell an expired account without
importing them.
"""

from __future__ import annotations

from dataclasses import replace

from homeport.domain.payments.models import Payment, PaymentStatus

#: ``cancel_reason`` of an account homeport closed for its deadline (decision 0013).
EXPIRED_REASON = "가상계좌 입금기한 만료"


def closed(payment: Payment, reason: str, *, at: int, now: int) -> Payment:
    """The unpaid virtual account closed at ``at`` for ``reason``."""
    return replace(
        payment, status=PaymentStatus.CANCELLED, cancelled_at=at, cancel_reason=reason, updated_at=now
    )


def expired_account(payment: Payment) -> bool:
    """Whether homeport closed this virtual account for its deadline (and nothing else)."""
    return (
        payment.pay_method == "vbank"
        and payment.status is PaymentStatus.CANCELLED
        and payment.cancel_reason == EXPIRED_REASON
        and not payment.cancellations
    )
