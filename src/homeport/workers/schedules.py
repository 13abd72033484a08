"""The schedule worker: charges due scheduled payments (decision 0012)."""

from __future__ import annotations

import os
import socket
import uuid

import structlog

from homeport.services import Services

log = structlog.get_logger("homeport.workers.schedules")

#: Schedules claimed per batch: small enough that a batch ends well within a lease even
#: when each charge takes a few seconds, large enough that a backlog drains quickly.
BATCH_SIZE = 20


def worker_id() -> str:
    """Who holds a lease, for operators reading the table: host, process and a random part."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ScheduleWorker:
    """Claims due schedules and charges each exactly as ``/subscribe/payments/again``."""

    name = "schedules"

    def __init__(self, services: Services, *, batch_size: int = BATCH_SIZE) -> None:
        self._schedules = services.schedules
        self._clock = services.clock
        self._lease_seconds = services.settings.schedule_lease_seconds
        self._batch_size = batch_size
        self._id = worker_id()

    async def run_once(self) -> int:
        """Claim one batch of due schedules and charge them one after the other, while the
        lease lasts; how many were claimed.

        One by one, not at once: a batch is leased as a whole, and charging sequentially keeps
        the load a worker puts on KCP bounded; more throughput comes from more workers.
        """
        # Read before claiming, so never later than the lease the claim sets.
        lease_ends = self._clock.now() + self._lease_seconds
        claimed = await self._schedules.claim_due(self._id, self._batch_size)
        for schedule in claimed:
            if self._clock.now() >= lease_ends:
                # Slow charges ate the lease: the rest may be another worker's by now. They are
                # claimed again (by anyone) next round; charging them here would only race.
                log.warning("schedule.lease_spent", left=len(claimed) - claimed.index(schedule))
                break
            try:
                await self._schedules.execute(schedule)
            except Exception:
                # The schedule stays claimed; when its lease ends it is looked at again, and
                # its payment (if one was opened) is found rather than charged twice.
                log.exception("schedule.execute_failed", merchant_uid=schedule.merchant_uid)
        return len(claimed)
