"""The virtual-account expiry task (decision 0013)."""

from __future__ import annotations

from homeport.services import Services

#: Accounts closed per pass.
BATCH = 100


class VbankExpiryWorker:
    """One pass of :meth:`homeport.domain.payments.vbank_expiry.VbankExpiryService.expire_due`."""

    name = "vbank_expiry"

    def __init__(self, services: Services) -> None:
        self._service = services.vbank_expiry

    async def run_once(self) -> int:
        """Close up to :data:`BATCH` unpaid accounts past their deadline and grace period."""
        return await self._service.expire_due(BATCH)
