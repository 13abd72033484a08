"""The reconciliation task: attempts in doubt settled by asking the PG (decision 0013)."""

from __future__ import annotations

from homeport.services import Services

#: Attempts looked at per pass: one inquiry each, so a pass stays short.
BATCH = 50


class ReconcileWorker:
    """One pass of :meth:`homeport.domain.payments.reconcile.ReconcileService.run`."""

    name = "reconcile"

    def __init__(self, services: Services) -> None:
        self._service = services.reconciliation

    async def run_once(self) -> int:
        """Settle up to :data:`BATCH` attempts in doubt; how many were settled."""
        return await self._service.run(BATCH)
