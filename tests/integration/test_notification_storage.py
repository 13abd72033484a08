"""PG notifications on SQLite and PostgreSQL: recorded once, payments found by tno or order,
deposits applied in the notification's transaction."""

from __future__ import annotations

from dataclasses import replace

from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.models import PaymentStatus
from homeport.domain.payments.notifications import NotificationOutcome, NotificationRecord
from homeport.pg.base import NotificationKind, PgNotification
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from tests.support import vbank_payment


def uow(services: Services) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(services.engine, services.box)


def record(notification_id: str, **overrides: object) -> NotificationRecord:
    base = NotificationRecord(
        pg_provider="kcp",
        site="T0000",
        notification_id=notification_id,
        pg_kind="TX00/50",
        kind=NotificationKind.DEPOSIT,
        pg_tid="20260101000001",
        order_id="order-1",
        amount=1000,
        pg_total=1000,
        deposited_total=1000,
        excess=0,
        outcome=NotificationOutcome.PARTIALLY_PAID,
        occurred_at=1_767_225_600,
        received_at=1_767_225_601,
        depositor="김입금",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def deposit(payment_tid: str, notification_id: str, amount: int, **overrides: object) -> PgNotification:
    base = PgNotification(
        kind=NotificationKind.DEPOSIT,
        notification_id=notification_id,
        pg_tid=payment_tid,
        order_id="",
        amount=amount,
        total_deposited=amount,
        occurred_at=1_767_226_000,
        raw_kind="TX00/50",
        site="T0000",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


async def test_a_notification_id_is_recorded_once_per_site(services: Services) -> None:
    async with uow(services)() as tx:
        first = await tx.pg_notifications.add(record("n-1"))
        again = await tx.pg_notifications.add(record("n-1", amount=99))
        other_site = await tx.pg_notifications.add(record("n-1", site="T0007"))

    assert (first, again, other_site) == (True, False, True)
    async with uow(services)(readonly=True) as tx:
        stored = await tx.pg_notifications.get("kcp", "T0000", "n-1")
    assert stored == record("n-1")


async def test_a_payment_is_found_by_tno_on_its_site_or_by_an_order_without_tno(
    services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    mid = merchant_a.merchant.id
    issued = await services.payments.record(vbank_payment(mid, pg_tid="20260101000001"))
    lost = await services.payments.record(vbank_payment(mid, merchant_uid="lost-answer", pg_tid=None))
    # The same order number at two merchants sharing a site: ambiguous, so neither.
    await services.payments.record(vbank_payment(mid, merchant_uid="shared", pg_tid=None))
    await services.payments.record(vbank_payment(merchant_b.merchant.id, merchant_uid="shared", pg_tid=None))

    async with uow(services)(readonly=True) as tx:
        repository = tx.pg_notifications
        assert await repository.find_payment("kcp", "T0000", "20260101000001", "") == (mid, issued.imp_uid)
        assert await repository.find_payment("kcp", "T0007", "20260101000001", "") is None
        assert await repository.find_payment("kcp", "T0000", "29990101000000", "lost-answer") == (
            mid,
            lost.imp_uid,
        )
        # An order whose payment has another tno is not this notification's.
        assert await repository.find_payment("kcp", "T0000", "29990101000000", issued.merchant_uid) is None
        assert await repository.find_payment("kcp", "T0000", "29990101000000", "shared") is None


async def test_the_deposited_total_is_the_latest_running_total_of_the_payment(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    payment = await services.payments.record(vbank_payment(merchant_a.merchant.id))
    async with uow(services)() as tx:
        assert await tx.pg_notifications.deposited_total(payment.imp_uid) == 0
        await tx.pg_notifications.add(record("a", imp_uid=payment.imp_uid, deposited_total=400))
        await tx.pg_notifications.add(record("b", imp_uid=payment.imp_uid, deposited_total=1400))
        await tx.pg_notifications.add(record("c", imp_uid=None, deposited_total=0))

    async with uow(services)(readonly=True) as tx:
        assert await tx.pg_notifications.deposited_total(payment.imp_uid) == 1400
        assert [r.notification_id for r in await tx.pg_notifications.for_payment(payment.imp_uid)] == [
            "a",
            "b",
        ]


async def test_a_deposit_pays_the_payment_and_is_recorded_in_one_transaction(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    payment = await services.payments.record(vbank_payment(merchant_a.merchant.id, amount=5000))
    tid = payment.pg_tid or ""

    first = await services.notifications.receive("kcp", deposit(tid, "n-1", 2000))
    second = await services.notifications.receive("kcp", deposit(tid, "n-2", 3000))
    repeat = await services.notifications.receive("kcp", deposit(tid, "n-2", 3000))

    assert (first.outcome, second.outcome) == (NotificationOutcome.PARTIALLY_PAID, NotificationOutcome.PAID)
    assert repeat.repeat
    stored = await services.payments.get(merchant_a.merchant.id, payment.imp_uid)
    assert (stored.status, stored.paid_at) == (PaymentStatus.PAID, 1_767_226_000)
    async with uow(services)(readonly=True) as tx:
        history = await tx.pg_notifications.for_payment(payment.imp_uid)
    assert [(r.amount, r.deposited_total) for r in history] == [(2000, 2000), (3000, 5000)]
