"""The queries behind reconciliation and virtual-account expiry, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.attempts import Attempt, AttemptOperation, AttemptResult, AttemptState
from homeport.domain.payments.models import Payment, PaymentStatus, VirtualAccount
from homeport.domain.payments.reconcile import RESOLVABLE
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from tests.support import make_payment, vbank_payment

NOW = 1_767_300_000


def uow(services: Services) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(services.engine, services.box)


def attempt(imp_uid: str, merchant_id: int, operation: AttemptOperation, **fields: object) -> Attempt:
    base = Attempt(
        imp_uid=imp_uid,
        merchant_id=merchant_id,
        operation=operation,
        amount=1004,
        pg_provider="kcp",
        pg_id="T0000",
        started_at=NOW,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


async def test_in_doubt_are_unknown_ones_and_stale_pending_ones_of_every_merchant_oldest_first(
    services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    a, b = merchant_a.merchant.id, merchant_b.merchant.id
    pa = await services.payments.record(make_payment(a, status=PaymentStatus.READY, pg_tid=None))
    pb = await services.payments.record(make_payment(b))
    async with uow(services)() as tx:
        unknown_new = await tx.attempts.add(
            attempt(pa.imp_uid, a, AttemptOperation.CHARGE, started_at=NOW - 5)
        )
        await tx.attempts.settle(unknown_new, AttemptResult(AttemptState.UNKNOWN, NOW - 4))
        stale = await tx.attempts.add(
            attempt(pb.imp_uid, b, AttemptOperation.CANCEL, started_at=NOW - 700, pg_tid="T9")
        )
        await tx.attempts.add(
            attempt(pb.imp_uid, b, AttemptOperation.CANCEL, started_at=NOW - 100, pg_tid="T9")
        )
        done = await tx.attempts.add(
            attempt(pb.imp_uid, b, AttemptOperation.CHARGE, started_at=NOW - 900, pg_tid="T9")
        )
        await tx.attempts.settle(done, AttemptResult(AttemptState.SUCCEEDED, NOW - 899, pg_tid="T9"))
        key = await tx.attempts.add(
            attempt(pa.imp_uid, a, AttemptOperation.BILLING_KEY, started_at=NOW - 800)
        )
        await tx.attempts.settle(key, AttemptResult(AttemptState.UNKNOWN, NOW - 799))

    async with uow(services)(readonly=True) as tx:
        with_tid = await tx.attempts.in_doubt(
            stale_before=NOW - 600, operations=RESOLVABLE, with_pg_tid=True, limit=10
        )
        without = await tx.attempts.in_doubt(
            stale_before=NOW - 600, operations=RESOLVABLE, with_pg_tid=False, limit=10
        )
        every = await tx.attempts.in_doubt(
            stale_before=NOW - 600, operations=list(AttemptOperation), with_pg_tid=False, limit=1
        )

    assert [x.id for x in with_tid] == [stale]
    assert [x.id for x in without] == [unknown_new]
    assert [x.id for x in every] == [key]  # oldest first, bounded


async def test_a_lost_answer_keeps_the_tid_the_attempt_was_sent_with_and_an_operator_may_add_one(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    mid = merchant_a.merchant.id
    payment = await services.payments.record(make_payment(mid))
    async with uow(services)() as tx:
        cancel = await tx.attempts.add(attempt(payment.imp_uid, mid, AttemptOperation.CANCEL, pg_tid="T1"))
        charge = await tx.attempts.add(attempt(payment.imp_uid, mid, AttemptOperation.CHARGE))
        await tx.attempts.settle(cancel, AttemptResult(AttemptState.UNKNOWN, NOW))
        await tx.attempts.record_pg_tid(charge, "T2")

    attempts = await services.payments.attempts(mid, payment.imp_uid)
    assert [(x.state, x.pg_tid) for x in attempts] == [
        (AttemptState.UNKNOWN, "T1"),
        (AttemptState.PENDING, "T2"),
    ]


async def test_expired_virtual_accounts_are_ready_issued_and_past_the_deadline_of_any_merchant(
    services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    a, b = merchant_a.merchant.id, merchant_b.merchant.id

    def vbank(merchant_id: int, due: int, **fields: object) -> Payment:
        account = VirtualAccount(bank_code="004", number="T03", due_at=due)
        return replace(vbank_payment(merchant_id), virtual_account=account, **fields)  # type: ignore[arg-type]

    late = await services.payments.record(vbank(a, NOW - 100))
    later = await services.payments.record(vbank(b, NOW - 50))
    await services.payments.record(vbank(a, NOW + 100))  # not due
    await services.payments.record(vbank(a, NOW - 500, status=PaymentStatus.PAID))
    await services.payments.record(vbank(a, NOW - 500, pg_tid=None))  # never issued
    await services.payments.record(vbank(a, 0))  # no deadline

    async with uow(services)(readonly=True) as tx:
        due = await tx.payments.expired_virtual_accounts(due_before=NOW, limit=10)
        first = await tx.payments.expired_virtual_accounts(due_before=NOW, limit=1)

    assert [p.imp_uid for p in due] == [late.imp_uid, later.imp_uid]
    assert [p.imp_uid for p in first] == [late.imp_uid]
