"""What pre-registration needs from storage; ``homeport.store`` implements it."""

from __future__ import annotations

from typing import Protocol

from homeport.domain.prepares.models import Prepared


class PrepareRepository(Protocol):
    """Pre-registered amounts, one per (merchant, merchant_uid)."""

    async def get(self, merchant_id: int, merchant_uid: str) -> Prepared | None:
        """The registration, if any."""
        ...

    async def add(self, merchant_id: int, prepared: Prepared, now: int) -> bool:
        """Store a new registration; False if the merchant_uid is registered already."""
        ...

    async def replace(self, merchant_id: int, prepared: Prepared, now: int) -> bool:
        """Change a registration; False if there is none."""
        ...
