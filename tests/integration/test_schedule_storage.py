"""Schedule storage on SQLite and PostgreSQL: round trip, all-or-none, status-checked changes,
filters, the half-open window, ordering, paging and tenancy."""

from __future__ import annotations

from dataclasses import replace

from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.paging import PageRequest
from homeport.domain.payments.models import Buyer, PaymentStatus
from homeport.domain.payments.orders import ChargeOrder
from homeport.domain.schedules.models import (
    ChargeOptions,
    Schedule,
    ScheduledCharge,
    ScheduleSorting,
    ScheduleStatus,
    ScheduleWindow,
)
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory

AT = 1_800_000_000


def schedule(
    merchant_id: int,
    uid: str,
    at: int = AT,
    customer_uid: str = "cust-1",
    options: ChargeOptions | None = None,
    **order: object,
) -> Schedule:
    return Schedule(
        merchant_id=merchant_id,
        customer_uid=customer_uid,
        charge=ScheduledCharge(
            order=replace(ChargeOrder(merchant_uid=uid, amount=9900), **order),  # type: ignore[arg-type]
            schedule_at=at,
            options=options or ChargeOptions(),
        ),
        pg_provider="kcp",
        pg_id="A52Q7",
        created_at=100,
        updated_at=100,
    )


def page(number: int = 1, limit: int = 20) -> PageRequest:
    return PageRequest(number, limit)


async def test_a_schedule_is_read_back_exactly_as_it_was_stored(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    """Every field, the charge options and an executed outcome included."""
    uow = SqlUnitOfWorkFactory(services.engine, services.box)
    full = replace(
        schedule(
            merchant_a.merchant.id,
            "full",
            name="월 구독료",
            buyer=Buyer(name="홍길동", email="hong@example.com", tel="010", addr="서울", postcode="04524"),
            custom_data='{"plan":"pro"}',
            notice_url="https://shop.example/hook",
            tax_free=900,
            installment_months=3,
            customer_ip="203.0.113.7",
            options=ChargeOptions(
                vat_amount=818,
                interest_free_by_merchant=True,
                use_card_point=False,
                product_type="digital",
                product_count=2,
                cash_receipt_type="person",
                extra='{"naverUseCfm":"20261231"}',
                bypass='{"kcp":{"x":1}}',
                promotion_id="promo-1",
            ),
        ),
        status=ScheduleStatus.EXECUTED,
        imp_uid="imps_123456789012",
        payment_status=PaymentStatus.FAILED,
        fail_reason="한도초과",
        executed_at=AT + 3,
    )
    async with uow() as tx:
        assert await tx.schedules.add_all([full, schedule(merchant_a.merchant.id, "plain")])
    async with uow(readonly=True) as tx:
        assert await tx.schedules.get(merchant_a.merchant.id, "full") == full
        assert await tx.schedules.get(merchant_a.merchant.id, "plain") == schedule(
            merchant_a.merchant.id, "plain"
        )


async def test_a_batch_with_a_taken_merchant_uid_stores_nothing(
    services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    """All or none; the same merchant_uid is free for another merchant."""
    a, b = merchant_a.merchant.id, merchant_b.merchant.id
    uow = SqlUnitOfWorkFactory(services.engine, services.box)
    async with uow() as tx:
        assert await tx.schedules.add_all([schedule(a, "m1")])
    async with uow() as tx:
        assert not await tx.schedules.add_all([schedule(a, "m2"), schedule(a, "m1")])
        # The savepoint leaves the transaction usable (PostgreSQL aborts it otherwise).
        assert await tx.schedules.add_all([schedule(b, "m1")])
    async with uow(readonly=True) as tx:
        assert await tx.schedules.taken(a, ["m1", "m2", "m3"]) == {"m1"}
        assert await tx.schedules.taken(b, ["m1", "m2"]) == {"m1"}
        assert await tx.schedules.get(a, "m2") is None


async def test_a_change_is_stored_only_while_the_status_is_the_expected_one(
    services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    """The compare-and-set that keeps a merchant's change and the worker's claim apart."""
    a = merchant_a.merchant.id
    uow = SqlUnitOfWorkFactory(services.engine, services.box)
    waiting = schedule(a, "cas")
    async with uow() as tx:
        await tx.schedules.add_all([waiting])
    moved = waiting.moved(AT + 60, 200)
    async with uow() as tx:
        assert await tx.schedules.replace(moved, expected=ScheduleStatus.SCHEDULED)
        assert not await tx.schedules.replace(moved.revoked(300), expected=ScheduleStatus.REVOKED)
        assert not await tx.schedules.replace(
            replace(moved, merchant_id=merchant_b.merchant.id), expected=ScheduleStatus.SCHEDULED
        )
    async with uow(readonly=True) as tx:
        assert await tx.schedules.get(a, "cas") == moved


async def test_find_filters_by_customer_merchant_uids_and_status(
    services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    a = merchant_a.merchant.id
    uow = SqlUnitOfWorkFactory(services.engine, services.box)
    rows = [
        schedule(a, "c1-late", AT + 20),
        schedule(a, "c1-early", AT + 10),
        replace(schedule(a, "c1-gone", AT + 5), status=ScheduleStatus.REVOKED, revoked_at=50),
        schedule(a, "c2", AT, customer_uid="cust-2"),
        schedule(merchant_b.merchant.id, "b", AT, customer_uid="cust-1"),
    ]
    async with uow() as tx:
        await tx.schedules.add_all(rows)
    async with uow(readonly=True) as tx:
        waiting = await tx.schedules.find(
            a, customer_uid="cust-1", merchant_uids=None, status=ScheduleStatus.SCHEDULED
        )
        listed = await tx.schedules.find(
            a, customer_uid=None, merchant_uids=["c2", "c1-gone", "b"], status=None
        )
        both = await tx.schedules.find(
            a, customer_uid="cust-2", merchant_uids=["c2", "c1-late"], status=ScheduleStatus.SCHEDULED
        )

    assert [s.merchant_uid for s in waiting] == ["c1-early", "c1-late"]
    assert [s.merchant_uid for s in listed] == ["c2", "c1-gone"]
    assert [s.merchant_uid for s in both] == ["c2"]


async def test_search_uses_a_half_open_window_sorts_both_ways_and_pages(
    services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    """from <= schedule_at < to; newest first by default, oldest first with ``scheduled``."""
    a = merchant_a.merchant.id
    uow = SqlUnitOfWorkFactory(services.engine, services.box)
    async with uow() as tx:
        await tx.schedules.add_all(
            [schedule(a, f"s{i}", AT + i, customer_uid=f"cust-{i % 2}") for i in range(6)]
        )
        await tx.schedules.add_all([schedule(merchant_b.merchant.id, "other", AT + 1)])
        await tx.schedules.replace(
            schedule(a, "s2", AT + 2, customer_uid="cust-0").revoked(7), expected=ScheduleStatus.SCHEDULED
        )
    window = ScheduleWindow(AT + 1, AT + 5)

    async with uow(readonly=True) as tx:
        newest = await tx.schedules.search(
            a,
            customer_uid=None,
            status=None,
            window=window,
            sorting=ScheduleSorting.SCHEDULED_DESC,
            page=page(),
        )
        oldest_p2 = await tx.schedules.search(
            a,
            customer_uid=None,
            status=None,
            window=window,
            sorting=ScheduleSorting.SCHEDULED,
            page=page(2, 3),
        )
        waiting = await tx.schedules.search(
            a,
            customer_uid=None,
            status=ScheduleStatus.SCHEDULED,
            window=window,
            sorting=ScheduleSorting.SCHEDULED,
            page=page(),
        )
        customer = await tx.schedules.search(
            a,
            customer_uid="cust-0",
            status=None,
            window=ScheduleWindow(AT, AT + 10),
            sorting=ScheduleSorting.SCHEDULED,
            page=page(),
        )

    assert (newest[0], [s.merchant_uid for s in newest[1]]) == (4, ["s4", "s3", "s2", "s1"])
    assert (oldest_p2[0], [s.merchant_uid for s in oldest_p2[1]]) == (4, ["s4"])
    assert [s.merchant_uid for s in waiting[1]] == ["s1", "s3", "s4"]
    assert [s.merchant_uid for s in customer[1]] == ["s0", "s2", "s4"]
