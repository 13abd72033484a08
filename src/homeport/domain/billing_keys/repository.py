"""What billing keys need from storage; ``homeport.store`` implements it (sealing the key)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from homeport.domain.billing_keys.models import BillingKey


class BillingKeyRepository(Protocol):
    """Billing keys, one live key per (merchant, customer_uid)."""

    async def get(self, merchant_id: int, customer_uid: str) -> BillingKey | None:
        """The live (not deleted) key of a customer_uid, if any."""
        ...

    async def get_many(self, merchant_id: int, customer_uids: Sequence[str]) -> list[BillingKey]:
        """The live keys among ``customer_uids``, in the order asked."""
        ...

    async def save(self, merchant_id: int, key: BillingKey) -> BillingKey:
        """Store ``key``, replacing any key (live or deleted) of its customer_uid.

        A replaced live key keeps its ``inserted`` time; the stored key is returned.
        """
        ...

    async def mark_deleted(self, merchant_id: int, customer_uid: str, now: int) -> bool:
        """Mark the live key deleted; False if there is none."""
        ...
