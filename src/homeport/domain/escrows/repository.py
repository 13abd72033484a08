"""What escrow deliveries need from storage; ``homeport.store`` implements it."""

from __future__ import annotations

from typing import Protocol

from homeport.domain.escrows.models import EscrowDelivery


class EscrowDeliveryRepository(Protocol):
    """Deliveries by imp_uid; callers check the payment belongs to the merchant first."""

    async def add(self, delivery: EscrowDelivery) -> None:
        """Store a registered delivery (one per payment)."""
        ...

    async def get(self, imp_uid: str) -> EscrowDelivery | None:
        """The payment's registered delivery, if any."""
        ...
