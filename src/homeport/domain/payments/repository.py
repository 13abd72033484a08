"""What payments need from storage; ``homeport.store`` implements it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from homeport.domain.paging import PageRequest
from homeport.domain.payments.models import (
    Cancellation,
    Payment,
    PaymentStatus,
    SortKey,
    TimeRange,
)


class PaymentRepository(Protocol):
    """Payments of all merchants; every read is scoped to one merchant."""

    async def add(self, payment: Payment) -> None:
        """Store a new payment (imp_uid must be new).

        Raises DuplicatePayment when the merchant_uid already has a payment that is not failed.
        """
        ...

    async def add_cancellation(self, imp_uid: str, cancellation: Cancellation) -> None:
        """Append one cancel to a payment's history."""
        ...

    async def replace(self, payment: Payment, *, expected: PaymentStatus) -> bool:
        """Overwrite a payment's state if its stored status is still ``expected``.

        The guard makes transitions race-safe: of two writers that read ``ready``, only one
        turns it ``paid``. Identity fields (ids, started_at) never change.
        """
        ...

    async def lock(self, merchant_id: int, imp_uid: str) -> Payment | None:
        """The merchant's payment, locked against concurrent changes until the transaction ends."""
        ...

    async def find_live(self, merchant_id: int, merchant_uid: str) -> Payment | None:
        """The payment of a merchant_uid that is not failed (there is at most one)."""
        ...

    async def get(self, merchant_id: int, imp_uid: str) -> Payment | None:
        """The merchant's payment with this imp_uid, if any."""
        ...

    async def get_many(self, merchant_id: int, imp_uids: Sequence[str]) -> list[Payment]:
        """The merchant's payments among these imp_uids (missing ones left out)."""
        ...

    async def search(
        self,
        merchant_id: int,
        *,
        merchant_uid: str | None,
        status: PaymentStatus | None,
        time_range: TimeRange | None,
        sorting: SortKey,
        page: PageRequest,
        customer_uid: str | None = None,
    ) -> tuple[int, list[Payment]]:
        """Total count and one page of the merchant's payments matching the filters."""
        ...

    async def expired_virtual_accounts(self, *, due_before: int, limit: int) -> list[Payment]:
        """``ready`` virtual accounts of every merchant, issued (with a PG tid), whose deadline
        is before ``due_before``; soonest deadline first."""
        ...
