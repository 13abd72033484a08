"""The poll loop that runs every worker task, in ``homeport serve`` or ``homeport worker``."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from homeport.services import Services
from homeport.workers.outbox import OutboxWorker
from homeport.workers.reconcile import ReconcileWorker
from homeport.workers.schedules import ScheduleWorker
from homeport.workers.task import Paced, WorkerTask
from homeport.workers.vbank_expiry import VbankExpiryWorker

log = structlog.get_logger("homeport.workers")

#: Seconds reconciliation and vbank expiry rest after a pass that found nothing: an in-doubt
#: charge with no tno is warned about (and a stuck inquiry asked again) once a minute, not on
#: every poll.
IDLE_CHECK_SECONDS = 60
#: Seconds a stopping loop gets to finish the round in hand before it is cancelled.
STOP_GRACE_SECONDS = 10.0


def tasks_for(services: Services) -> list[WorkerTask]:
    """Every background task, built from the services.

    Order within a round: schedules first (their charges write webhook events), then the
    outbox (so a round's events go out in the same round), then the slower checks.
    """
    return [
        ScheduleWorker(services),
        OutboxWorker(services),
        Paced(ReconcileWorker(services), services.clock, every=IDLE_CHECK_SECONDS),
        Paced(VbankExpiryWorker(services), services.clock, every=IDLE_CHECK_SECONDS),
    ]


async def run_round(tasks: list[WorkerTask]) -> int:
    """Run each task's ``run_once`` once; how many items they handled in all.

    A task that raises is logged and counted as idle: one broken task never stops the others
    nor the loop (its work stays in the database for the next round).
    """
    handled = 0
    for task in tasks:
        try:
            handled += await task.run_once()
        except Exception:
            log.exception("worker.task_failed", task=task.name)
    return handled


async def run_workers(
    services: Services, *, stop: asyncio.Event, tasks: list[WorkerTask] | None = None
) -> None:
    """Run the tasks (all of :func:`tasks_for` by default) until ``stop`` is set."""
    tasks = tasks if tasks is not None else tasks_for(services)
    await poll_loop(tasks, stop=stop, poll_seconds=services.settings.worker_poll_seconds)


async def poll_loop(tasks: list[WorkerTask], *, stop: asyncio.Event, poll_seconds: float) -> None:
    """Rounds of the tasks until ``stop`` is set: again at once while there was work,
    otherwise after ``poll_seconds`` (HOMEPORT_WORKER_POLL_SECONDS; the loop's only wait on
    the wall clock, cut short by ``stop``)."""
    log.info("worker.started", tasks=[task.name for task in tasks], poll_seconds=poll_seconds)
    while not stop.is_set():
        if await run_round(tasks):
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
    log.info("worker.stopped")


class BackgroundWorkers:
    """The loop as a background task of a running event loop (``homeport serve``)."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the loop in the current event loop."""
        self._task = asyncio.create_task(
            run_workers(self._services, stop=self._stop), name="homeport-workers"
        )

    async def stop(self, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """Ask the loop to stop after the round in hand; cancel it if that takes too long.

        Cancelling mid-charge is a crash as far as the database is concerned, and every
        task is built to be resumed after one (a lease ends, the payment is found).
        """
        self._stop.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace_seconds)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
