"""What schedules need from storage; ``homeport.store`` implements it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    # Types only: the models import the charge rules (payments.charges), whose service
    # imports the unit of work, which imports this protocol.
    from homeport.domain.paging import PageRequest
    from homeport.domain.schedules.models import Schedule, ScheduleSorting, ScheduleStatus, ScheduleWindow


class ScheduleRepository(Protocol):
    """Schedules of all merchants, unique per (merchant, merchant_uid); every call is scoped."""

    async def add_all(self, schedules: Sequence[Schedule]) -> bool:
        """Store new schedules all or none: False (nothing stored) if a merchant_uid is taken."""
        ...

    async def taken(self, merchant_id: int, merchant_uids: Sequence[str]) -> set[str]:
        """The merchant_uids among these that already name one of the merchant's schedules."""
        ...

    async def get(self, merchant_id: int, merchant_uid: str) -> Schedule | None:
        """The merchant's schedule with this merchant_uid, if any."""
        ...

    async def replace(
        self, schedule: Schedule, *, expected: ScheduleStatus, unclaimed_at: int | None = None
    ) -> bool:
        """Store a changed schedule if its stored status is still ``expected`` (and, with
        ``unclaimed_at``, no worker's lease runs past that time); else False. Ends any lease.

        The checks make a merchant's change and the worker's charge exclusive of each other.
        """
        ...

    async def any_due(self, now: int) -> bool:
        """Whether :meth:`claim_due` would claim anything at ``now`` (a read, no lock)."""
        ...

    async def claim_due(self, now: int, *, lease_until: int, worker: str, limit: int) -> list[Schedule]:
        """Lease up to ``limit`` schedules due at ``now`` (``scheduled``, ``schedule_at <= now``,
        no lease running) to ``worker`` until ``lease_until``, oldest first; the claimed ones.

        Exclusive across processes: a schedule is claimed by one caller until its lease ends.
        """
        ...

    async def find(
        self,
        merchant_id: int,
        *,
        customer_uid: str | None,
        merchant_uids: Sequence[str] | None,
        status: ScheduleStatus | None,
    ) -> list[Schedule]:
        """The merchant's schedules matching every filter given (None = any), by schedule_at."""
        ...

    async def search(
        self,
        merchant_id: int,
        *,
        customer_uid: str | None,
        status: ScheduleStatus | None,
        window: ScheduleWindow,
        sorting: ScheduleSorting,
        page: PageRequest,
    ) -> tuple[int, list[Schedule]]:
        """Total count and one page of the merchant's schedules matching the filters."""
        ...
