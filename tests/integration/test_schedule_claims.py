"""The schedule worker's claims on SQLite and PostgreSQL (decision 0012): only due, waiting,
unleased schedules are claimed; a claim is exclusive until its lease ends; concurrent
claimers take disjoint batches; a lease blocks the merchant's changes and a change ends it."""

from __future__ import annotations

import asyncio

from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.schedules.models import ScheduleStatus
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from tests.integration.test_schedule_storage import AT, schedule

LEASE_UNTIL = AT + 120


def uow_of(services: Services) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(services.engine, services.box)


async def claim(services: Services, now: int, worker: str = "w1", limit: int = 10) -> list[str]:
    async with uow_of(services)() as tx:
        claimed = await tx.schedules.claim_due(now, lease_until=now + 120, worker=worker, limit=limit)
    return [s.merchant_uid for s in claimed]


async def test_only_due_waiting_schedules_are_claimed_oldest_first(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    mid = merchant_a.merchant.id
    async with uow_of(services)() as tx:
        await tx.schedules.add_all(
            [
                schedule(mid, "second", at=AT),
                schedule(mid, "first", at=AT - 60),
                schedule(mid, "future", at=AT + 1),
                schedule(mid, "revoked", at=AT - 30),
            ]
        )
        revoked = await tx.schedules.get(mid, "revoked")
        assert revoked is not None
        assert await tx.schedules.replace(revoked.revoked(AT - 100), expected=ScheduleStatus.SCHEDULED)
        assert await tx.schedules.any_due(AT)
        assert not await tx.schedules.any_due(AT - 61)

    assert await claim(services, AT) == ["first", "second"]


async def test_a_claim_holds_until_its_lease_ends_then_the_schedule_is_claimable_again(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    async with uow_of(services)() as tx:
        await tx.schedules.add_all([schedule(merchant_a.merchant.id, "leased", at=AT)])

    assert await claim(services, AT, "w1") == ["leased"]
    assert await claim(services, AT + 119, "w2") == []
    async with uow_of(services)(readonly=True) as tx:
        assert not await tx.schedules.any_due(AT + 119)
    assert await claim(services, AT + 120, "w2") == ["leased"]


async def test_a_batch_is_bounded_by_the_limit(services: Services, merchant_a: CreatedMerchant) -> None:
    async with uow_of(services)() as tx:
        await tx.schedules.add_all([schedule(merchant_a.merchant.id, f"n{n}", at=AT - n) for n in range(5)])

    first = await claim(services, AT, limit=3)
    rest = await claim(services, AT, limit=3)

    assert first == ["n4", "n3", "n2"]
    assert rest == ["n1", "n0"]


async def test_concurrent_claimers_take_disjoint_batches_that_cover_every_due_schedule(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    """On PostgreSQL, FOR UPDATE SKIP LOCKED; on SQLite, one writer at a time."""
    uids = [f"c{n:03d}" for n in range(60)]
    async with uow_of(services)() as tx:
        await tx.schedules.add_all([schedule(merchant_a.merchant.id, uid, at=AT) for uid in uids])

    batches = await asyncio.gather(*(claim(services, AT, f"w{n}", limit=7) for n in range(12)))

    claimed = [uid for batch in batches for uid in batch]
    assert sorted(claimed) == uids  # each exactly once


async def test_a_leased_schedule_cannot_be_changed_by_the_merchant_and_a_change_ends_a_lease(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    mid = merchant_a.merchant.id
    async with uow_of(services)() as tx:
        await tx.schedules.add_all([schedule(mid, "held", at=AT)])
    await claim(services, AT)

    async with uow_of(services)() as tx:
        held = await tx.schedules.get(mid, "held")
        assert held is not None
        revoked = held.revoked(AT + 1)
        assert not await tx.schedules.replace(revoked, expected=ScheduleStatus.SCHEDULED, unclaimed_at=AT + 1)
        # The worker's own change (no unclaimed_at) goes through and ends the lease.
        assert await tx.schedules.replace(revoked, expected=ScheduleStatus.SCHEDULED)
        back = revoked.rescheduled(AT + 10, AT + 2)
        assert await tx.schedules.replace(back, expected=ScheduleStatus.REVOKED, unclaimed_at=AT + 2)

    assert await claim(services, AT + 10) == ["held"]
