"""What every background task looks like to the runner (issue 7's shared interface)."""

from __future__ import annotations

from typing import Protocol


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
