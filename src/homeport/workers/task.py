"""What every background task looks like to the runner (issue 7's shared interface)."""

from __future__ import annotations

from typing import Protocol

from homeport.clock import Clock


class WorkerTask(Protocol):
    """One kind of background work, built from the Services bundle alone.

    ``run_once`` handles one bounded batch of the work due at ``services.clock.now()`` and
    returns how many items it handled (0 = idle). It must be safe to run in several
    processes at once: all coordination goes through the database (DESIGN, "Scale").
    Tests call it directly and move a FakeClock; nothing in it waits on the wall clock.
    """

    name: str

    async def run_once(self) -> int:
        """Handle one batch of due work; how many items were handled."""
        ...


class Paced:
    """A task that, once idle, rests ``every`` seconds of the services' clock before it runs
    again, so checks that ask KCP (reconciliation) or scan a table (vbank expiry) do not run
    on every poll of an idle loop, while a task that finds work keeps going at once."""

    def __init__(self, task: WorkerTask, clock: Clock, every: int) -> None:
        self.name = task.name
        self._task = task
        self._clock = clock
        self._every = every
        self._rest_until = 0

    async def run_once(self) -> int:
        """The task's pass, unless it is resting after an idle one."""
        if self._clock.now() < self._rest_until:
            return 0
        handled = await self._task.run_once()
        if handled == 0:
            self._rest_until = self._clock.now() + self._every
        return handled
