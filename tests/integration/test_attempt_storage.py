"""Attempts, the live-merchant_uid rule and guarded transitions, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pytest

from homeport.domain.errors import DuplicatePayment
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.paging import PageRequest
from homeport.domain.payments.attempts import Attempt, AttemptOperation, AttemptResult, AttemptState
from homeport.domain.payments.models import PaymentStatus
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from tests.support import make_payment


def uow(services: Services) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(services.engine, services.box)


async def test_a_merchant_uid_is_live_once_but_may_fail_any_number_of_times(
    services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    mid = merchant_a.merchant.id
    for _ in range(2):
        await services.payments.record(make_payment(mid, merchant_uid="o-1", status=PaymentStatus.FAILED))
    await services.payments.record(make_payment(mid, merchant_uid="o-1", status=PaymentStatus.READY))
    # Another merchant's orders are its own.
    await services.payments.record(make_payment(merchant_b.merchant.id, merchant_uid="o-1"))

    with pytest.raises(DuplicatePayment) as refused:
        await services.payments.record(make_payment(mid, merchant_uid="o-1", status=PaymentStatus.PAID))

    assert refused.value.merchant_uid == "o-1"
    async with uow(services)(readonly=True) as tx:
        live = await tx.payments.find_live(mid, "o-1")
    assert live is not None
    assert live.status is PaymentStatus.READY


async def test_a_transition_applies_only_from_the_expected_status(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    ready = await services.payments.record(make_payment(merchant_a.merchant.id, status=PaymentStatus.READY))
    paid = replace(ready, status=PaymentStatus.PAID, pg_tid="T1", updated_at=ready.updated_at + 1)

    async with uow(services)() as tx:
        first = await tx.payments.replace(paid, expected=PaymentStatus.READY)
        second = await tx.payments.replace(replace(paid, pg_tid="T2"), expected=PaymentStatus.READY)

    assert (first, second) == (True, False)
    stored = await services.payments.get(merchant_a.merchant.id, ready.imp_uid)
    assert (stored.status, stored.pg_tid) == (PaymentStatus.PAID, "T1")


async def test_attempts_are_stored_settled_and_listed_while_unsettled(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    payment = await services.payments.record(make_payment(merchant_a.merchant.id))
    attempt = Attempt(
        imp_uid=payment.imp_uid,
        merchant_id=payment.merchant_id,
        operation=AttemptOperation.CANCEL,
        amount=1000,
        pg_provider="kcp",
        pg_id="T0000",
        started_at=100,
    )

    async with uow(services)() as tx:
        settled_id = await tx.attempts.add(attempt)
        unknown_id = await tx.attempts.add(attempt)
        await tx.attempts.add(replace(attempt, operation=AttemptOperation.CHARGE))
        await tx.attempts.settle(settled_id, AttemptResult(AttemptState.DECLINED, 101, pg_code="8730"))
        await tx.attempts.settle(unknown_id, AttemptResult(AttemptState.UNKNOWN, 102))
    async with uow(services)(readonly=True) as tx:
        cancels = await tx.attempts.unsettled(payment.imp_uid, AttemptOperation.CANCEL)
        every = await tx.attempts.for_payment(payment.imp_uid)

    assert [(a.id, a.state) for a in cancels] == [(unknown_id, AttemptState.UNKNOWN)]
    assert [(a.operation, a.state, a.pg_code, a.finished_at) for a in every] == [
        (AttemptOperation.CANCEL, AttemptState.DECLINED, "8730", 101),
        (AttemptOperation.CANCEL, AttemptState.UNKNOWN, None, 102),
        (AttemptOperation.CHARGE, AttemptState.PENDING, None, 0),
    ]


async def test_payments_are_listed_by_customer_uid(services: Services, merchant_a: CreatedMerchant) -> None:
    mid = merchant_a.merchant.id
    mine = [
        await services.payments.record(make_payment(mid, customer_uid="c-1", started_at=100 + i))
        for i in range(3)
    ]
    await services.payments.record(make_payment(mid, customer_uid="c-2"))

    page = await services.payments.list_by_customer(mid, "c-1", PageRequest(1, 2))

    assert page.total == 3
    assert [p.imp_uid for p in page.items] == [mine[2].imp_uid, mine[1].imp_uid]
    assert page.next == 2
