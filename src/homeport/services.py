"""The collaborators every entry point (API, CLI, workers) works through."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from homeport.clock import Clock
from homeport.config import Settings
from homeport.domain.merchants.service import MerchantService
from homeport.domain.payments.service import PaymentService
from homeport.domain.prepares.service import PrepareService
from homeport.sandbox.context import Sandbox
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
    prepares: PrepareService
    #: The embedded KCP sandbox (served at ``/sandbox``); None when HOMEPORT_SANDBOX=false.
    sandbox: Sandbox | None = None

    async def close(self) -> None:
        """Release the database connections and the sandbox's HTTP client and ledger."""
        await self.engine.dispose()
        if self.sandbox is not None:
            await self.sandbox.http.aclose()
            self.sandbox.ledger.close()
