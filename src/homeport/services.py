"""The collaborators every entry point (API, CLI, workers) works through."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from homeport.clock import Clock
from homeport.config import Settings
from homeport.domain.merchants.service import MerchantService
from homeport.domain.payments.service import PaymentService
from homeport.store.crypto import SecretBox


@dataclass(frozen=True)
class Services:
    """Built once by :func:`homeport.app.build_services`; no module-level singletons."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine
    box: SecretBox
    merchants: MerchantService
    payments: PaymentService

    async def close(self) -> None:
        """Release the database connections."""
        await self.engine.dispose()
