"""The webhook outbox on SQLite and PostgreSQL: events written in the change's transaction,
exclusive claims, leases that lapse, one signing secret per merchant."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import select

from homeport.clock import FakeClock
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.models import Payment, PaymentStatus
from homeport.domain.webhooks.changes import store_change
from homeport.domain.webhooks.models import Attempt, Decision, DeliveryState, EventKind
from homeport.domain.webhooks.service import LEASE_SECONDS
from homeport.services import Services
from homeport.store.tables import webhook_settings
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from tests.support import make_payment

URL = "https://shop.example/webhook"


def uow(services: Services) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(services.engine, services.box)


async def ready_payment(services: Services, merchant_id: int, **overrides: object) -> Payment:
    payment = make_payment(merchant_id, status=PaymentStatus.READY, paid_at=0, notice_url=URL)
    return await services.payments.record(replace(payment, **overrides))  # type: ignore[arg-type]


async def pay(services: Services, payment: Payment, clock: FakeClock) -> bool:
    async with uow(services)() as tx:
        return await store_change(tx, payment, replace(payment, status=PaymentStatus.PAID), now=clock.now())


async def test_an_event_is_written_in_the_transaction_of_its_change(
    services: Services, merchant_a: CreatedMerchant, clock: FakeClock
) -> None:
    payment = await ready_payment(services, merchant_a.merchant.id)

    async def change_then_fail() -> None:
        async with uow(services)() as tx:
            await store_change(tx, payment, replace(payment, status=PaymentStatus.PAID), now=clock.now())
            raise RuntimeError("the change fails after the event was written")

    with pytest.raises(RuntimeError):
        await change_then_fail()
    assert await services.webhooks.events(imp_uid=payment.imp_uid) == []

    assert await pay(services, payment, clock) is True
    [record] = await services.webhooks.events(imp_uid=payment.imp_uid)
    assert (record.event.kind, record.event.status, record.event.decision) == (
        EventKind.PAID,
        PaymentStatus.PAID,
        Decision.SEND,
    )
    assert [(d.url, d.state, d.next_attempt_at) for d in record.deliveries] == [
        (URL, DeliveryState.PENDING, clock.now())
    ]


async def test_a_change_that_lost_its_race_writes_no_event(
    services: Services, merchant_a: CreatedMerchant, clock: FakeClock
) -> None:
    payment = await ready_payment(services, merchant_a.merchant.id)
    assert await pay(services, payment, clock) is True

    assert await pay(services, payment, clock) is False  # stored status is paid, not ready
    assert len(await services.webhooks.events(imp_uid=payment.imp_uid)) == 1


async def test_concurrent_claims_never_share_a_delivery(
    services: Services, merchant_a: CreatedMerchant, clock: FakeClock
) -> None:
    for _ in range(5):
        await pay(services, await ready_payment(services, merchant_a.merchant.id), clock)

    first, second = await asyncio.gather(services.webhooks.claim(limit=3), services.webhooks.claim(limit=3))

    ids = [c.delivery.id for c in first + second]
    assert sorted(len(batch) for batch in (first, second)) == [2, 3]
    assert len(set(ids)) == 5
    assert await services.webhooks.claim() == []  # all leased


@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_postgres_claim_skips_rows_another_transaction_holds(
    services: Services, merchant_a: CreatedMerchant, clock: FakeClock
) -> None:
    for _ in range(2):
        await pay(services, await ready_payment(services, merchant_a.merchant.id), clock)
    now = clock.now()

    async with uow(services)() as holder:
        held = await holder.webhooks.claim_due(now, 1, now + LEASE_SECONDS)
        # The holder has not committed its lease: FOR UPDATE SKIP LOCKED passes its row by.
        async with uow(services)() as other:
            passed = await other.webhooks.claim_due(now, 5, now + LEASE_SECONDS)

    assert len(held) == len(passed) == 1
    assert held[0].id != passed[0].id


async def test_a_lapsed_lease_makes_the_delivery_claimable_and_fences_the_late_worker(
    services: Services, merchant_a: CreatedMerchant, clock: FakeClock
) -> None:
    await pay(services, await ready_payment(services, merchant_a.merchant.id), clock)
    [dead] = await services.webhooks.claim()
    assert await services.webhooks.claim() == []

    clock.advance(LEASE_SECONDS + 1)  # the first worker died
    [revived] = await services.webhooks.claim()
    assert revived.delivery.id == dead.delivery.id
    assert revived.event.id == dead.event.id

    delivered = Attempt(clock.now(), 12, http_status=200, response_body="OK")
    assert await services.webhooks.record(revived, delivered) is DeliveryState.DELIVERED
    async with uow(services)() as tx:
        late = await tx.webhooks.record(
            dead.delivery, Attempt(clock.now(), 40_000, error="ReadTimeout"), state=DeliveryState.PENDING,
            next_attempt_at=clock.now() + 60,
        )  # fmt: skip
    assert late is False
    [record] = await services.webhooks.events(merchant_id=merchant_a.merchant.id)
    [delivery] = record.deliveries
    assert (delivery.state, delivery.attempt_count, len(delivery.attempts)) == (DeliveryState.DELIVERED, 1, 2)


async def test_concurrent_first_uses_agree_on_one_secret_sealed_at_rest(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    mid = merchant_a.merchant.id

    first, second = await asyncio.gather(services.webhooks.settings(mid), services.webhooks.settings(mid))

    assert first.secret == second.secret
    assert first.secret is not None
    assert first.secret.startswith("whsec_")
    async with services.engine.connect() as connection:
        stored = await connection.scalar(select(webhook_settings.c.secret))
    assert stored is not None
    assert stored.startswith("v1.")
    assert first.secret not in stored
    rotated = await services.webhooks.configure(mid, rotate_secret=True)
    assert rotated.secret != first.secret
    assert (await services.webhooks.settings(mid)).secret == rotated.secret
