"""What payments need from storage; ``homeport.store`` implements it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from homeport.domain.payments.models import (
    PageRequest,
    Payment,
    PaymentStatus,
    SortKey,
    TimeRange,
)


class PaymentRepository(Protocol):
    """Payments of all merchants; every read is scoped to one merchant."""

    async def add(self, payment: Payment) -> None:
        """Store a new payment (imp_uid must be new)."""
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
    ) -> tuple[int, list[Payment]]:
        """Total count and one page of the merchant's payments matching the filters."""
        ...
