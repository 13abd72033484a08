"""The schedule worker charging due schedules (DESIGN core flow 3; decision 0012).

The worker's ``run_once`` is called directly and the fake clock moved by hand: nothing here
waits on the wall clock. Charges go to the embedded sandbox like ``/subscribe/payments/again``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from homeport.clock import FakeClock
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.paging import PageRequest
from homeport.domain.payments.attempts import AttemptResult, AttemptState
from homeport.domain.payments.models import Payment, PaymentStatus, SortKey
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from homeport.workers.schedules import ScheduleWorker
from tests.e2e.test_api_schedules import DAY, customer, entry, response, schedule, stored, unschedule
from tests.support import ConnectorSpy, token_for

LEASE = 120  # the default HOMEPORT_SCHEDULE_LEASE_SECONDS
__all__ = ["customer"]  # the billing-key fixture of the schedules API tests
#: Sandbox magic amounts (sandbox/scenarios.py): a decline, and HTTP 500 (outcome unknown).
DECLINED_AMOUNT = 91016
HTTP500_AMOUNT = 91002


async def advance(
    clock: FakeClock, seconds: int, api: httpx.AsyncClient, auth: dict[str, str], merchant: CreatedMerchant
) -> None:
    """Move time; the merchant's token (valid 30 minutes) is renewed as a client would."""
    clock.advance(seconds)
    auth["Authorization"] = await token_for(api, merchant)


async def payment_of(api: httpx.AsyncClient, auth: dict[str, str], imp_uid: str) -> Any:
    return response(await api.get(f"/payments/{imp_uid}", headers=auth))


async def payments_for(services: Services, merchant: CreatedMerchant, merchant_uid: str) -> list[Payment]:
    """Every payment of a merchant_uid, newest first, as stored."""
    uow = SqlUnitOfWorkFactory(services.engine, services.box)
    async with uow(readonly=True) as tx:
        _, found = await tx.payments.search(
            merchant.merchant.id,
            merchant_uid=merchant_uid,
            status=None,
            time_range=None,
            sorting=SortKey.STARTED_DESC,
            page=PageRequest(),
        )
    return found


async def settle_by_reconciliation(services: Services, payment: Payment, status: PaymentStatus) -> None:
    """What reconciliation (issue 7, another part) does to a payment in doubt once KCP answered."""
    uow = SqlUnitOfWorkFactory(services.engine, services.box)
    now = services.clock.now()
    settled = replace(
        payment,
        status=status,
        paid_at=now if status is PaymentStatus.PAID else 0,
        failed_at=now if status is PaymentStatus.FAILED else 0,
        fail_reason="KCP에 거래가 없습니다." if status is PaymentStatus.FAILED else None,
        updated_at=now,
    )
    async with uow() as tx:
        assert await tx.payments.replace(settled, expected=PaymentStatus.READY)
        for attempt in await tx.attempts.unsettled(payment.imp_uid):
            assert attempt.id is not None
            await tx.attempts.settle(attempt.id, AttemptResult(AttemptState.SUCCEEDED, now))


async def test_a_due_schedule_is_charged_at_its_time_and_not_before(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    await schedule(api, auth, customer, entry(clock, "monthly-1", name="월 구독료"))
    worker = ScheduleWorker(services)

    assert await worker.run_once() == 0
    await advance(clock, DAY - 1, api, auth, merchant_a)
    assert await worker.run_once() == 0
    assert response(await stored(api, auth, "monthly-1"))["schedule_status"] == "scheduled"
    await advance(clock, 1, api, auth, merchant_a)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0

    executed = response(await stored(api, auth, "monthly-1"))
    assert executed["schedule_status"] == "executed"
    assert executed["payment_status"] == "paid"
    assert executed["executed_at"] == clock.now()
    paid = await payment_of(api, auth, executed["imp_uid"])
    assert paid["status"] == "paid"
    assert (paid["merchant_uid"], paid["amount"], paid["name"]) == ("monthly-1", 9900, "월 구독료")
    assert (paid["customer_uid"], paid["customer_uid_usage"]) == (customer, "payment.scheduled")
    assert paid["buyer_name"] == "홍길동"  # the billing key's customer fields fill the buyer's


async def test_revoked_and_future_schedules_are_left_alone(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    await schedule(
        api, auth, customer, entry(clock, "due"), entry(clock, "revoked"), entry(clock, "later", 2)
    )
    await unschedule(api, auth, "revoked")
    await advance(clock, DAY, api, auth, merchant_a)

    assert await ScheduleWorker(services).run_once() == 1

    assert response(await stored(api, auth, "due"))["schedule_status"] == "executed"
    revoked = response(await stored(api, auth, "revoked"))
    assert (revoked["schedule_status"], revoked["imp_uid"]) == ("revoked", None)
    assert response(await stored(api, auth, "later"))["schedule_status"] == "scheduled"


async def test_a_declined_charge_executes_the_schedule_failed_with_its_failed_payment(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    await schedule(api, auth, customer, entry(clock, "declined", amount=DECLINED_AMOUNT))
    await advance(clock, DAY, api, auth, merchant_a)

    await ScheduleWorker(services).run_once()

    executed = response(await stored(api, auth, "declined"))
    assert (executed["schedule_status"], executed["payment_status"]) == ("executed", "failed")
    assert executed["fail_reason"]
    failed = await payment_of(api, auth, executed["imp_uid"])
    assert failed["status"] == "failed"
    assert failed["fail_reason"] == executed["fail_reason"]


async def test_a_deleted_billing_key_fails_the_schedule_with_a_failed_payment_and_no_charge(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    """Decision 0012: a failed payment (an imp_uid for the failed webhook), no PG attempt."""
    await schedule(api, auth, customer, entry(clock, "no-key"))
    assert (await api.delete(f"/subscribe/customers/{customer}", headers=auth)).json()["code"] == 0
    await advance(clock, DAY, api, auth, merchant_a)

    await ScheduleWorker(services).run_once()

    executed = response(await stored(api, auth, "no-key"))
    assert (executed["schedule_status"], executed["payment_status"]) == ("executed", "failed")
    assert executed["fail_reason"] == "등록되지 않은 구매자입니다."
    failed = await payment_of(api, auth, executed["imp_uid"])
    assert (failed["status"], failed["customer_uid_usage"]) == ("failed", "payment.scheduled")
    uow = SqlUnitOfWorkFactory(services.engine, services.box)
    async with uow(readonly=True) as tx:
        assert await tx.attempts.for_payment(executed["imp_uid"]) == []


async def test_a_lost_answer_leaves_the_schedule_claimed_and_a_later_failure_is_recorded(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    """KCP answers HTTP 500: in doubt, never charged again; once reconciliation fails the
    payment, the next look at the schedule records that failed payment (decision 0012)."""
    await schedule(api, auth, customer, entry(clock, "in-doubt", amount=HTTP500_AMOUNT))
    await advance(clock, DAY, api, auth, merchant_a)
    worker = ScheduleWorker(services)

    assert await worker.run_once() == 1
    (doubtful,) = await payments_for(services, merchant_a, "in-doubt")
    assert doubtful.status is PaymentStatus.READY
    assert response(await stored(api, auth, "in-doubt"))["schedule_status"] == "scheduled"
    assert await worker.run_once() == 0  # claimed: nobody looks until the lease ends
    await advance(clock, LEASE, api, auth, merchant_a)
    assert await worker.run_once() == 1  # looked at again: still in doubt, not charged again
    assert [p.imp_uid for p in await payments_for(services, merchant_a, "in-doubt")] == [doubtful.imp_uid]

    await settle_by_reconciliation(services, doubtful, PaymentStatus.FAILED)
    await advance(clock, LEASE, api, auth, merchant_a)
    await worker.run_once()

    executed = response(await stored(api, auth, "in-doubt"))
    assert (executed["schedule_status"], executed["payment_status"]) == ("executed", "failed")
    assert executed["imp_uid"] == doubtful.imp_uid
    assert len(await payments_for(services, merchant_a, "in-doubt")) == 1


async def test_a_worker_dying_mid_charge_leaves_a_payment_the_next_worker_records_not_repeats(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    """The first worker dies after the payment was opened; the next one, after the lease,
    finds that payment in doubt and leaves it, then records it once reconciliation paid it."""
    await schedule(api, auth, customer, entry(clock, "crashed"))
    await advance(clock, DAY, api, auth, merchant_a)

    async def die(_charge: object) -> None:
        raise RuntimeError("the worker process died here")

    with ConnectorSpy(services, before_charge=die):
        await ScheduleWorker(services).run_once()
    (opened,) = await payments_for(services, merchant_a, "crashed")
    assert opened.status is PaymentStatus.READY

    await advance(clock, LEASE, api, auth, merchant_a)
    assert await ScheduleWorker(services).run_once() == 1
    assert response(await stored(api, auth, "crashed"))["schedule_status"] == "scheduled"

    await settle_by_reconciliation(services, opened, PaymentStatus.PAID)
    await advance(clock, LEASE, api, auth, merchant_a)
    await ScheduleWorker(services).run_once()

    executed = response(await stored(api, auth, "crashed"))
    assert (executed["schedule_status"], executed["payment_status"]) == ("executed", "paid")
    assert executed["imp_uid"] == opened.imp_uid
    assert len(await payments_for(services, merchant_a, "crashed")) == 1


async def test_a_merchant_uid_paid_some_other_way_fails_the_schedule_without_charging(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    await schedule(api, auth, customer, entry(clock, "paid-by-hand"))
    by_hand = response(
        await api.post(
            "/subscribe/payments/again",
            json={"customer_uid": customer, "merchant_uid": "paid-by-hand", "amount": 9900},
            headers=auth,
        )
    )
    await advance(clock, DAY, api, auth, merchant_a)

    await ScheduleWorker(services).run_once()

    executed = response(await stored(api, auth, "paid-by-hand"))
    assert (executed["schedule_status"], executed["payment_status"]) == ("executed", "failed")
    assert executed["imp_uid"] is None
    assert "paid-by-hand" in executed["fail_reason"]
    assert (await payment_of(api, auth, by_hand["imp_uid"]))["status"] == "paid"


async def test_a_claimed_schedule_can_be_neither_revoked_nor_moved(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    """While a worker holds it, the charge may be under way: the merchant cannot take it back."""
    await schedule(api, auth, customer, entry(clock, "held"))
    await advance(clock, DAY, api, auth, merchant_a)
    assert [s.merchant_uid for s in await services.schedules.claim_due("test-worker", 10)] == ["held"]

    revoke = await api.post("/subscribe/payments/unschedule", json={"merchant_uid": "held"}, headers=auth)
    move = await api.put(
        "/subscribe/payments/schedule/held", json={"schedule_at": clock.now() + DAY}, headers=auth
    )

    assert revoke.json()["code"] == 1
    assert move.status_code == 400, move.text
    assert response(await stored(api, auth, "held"))["schedule_status"] == "scheduled"


async def test_retry_still_charges_a_revoked_schedule_through_the_same_path(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    await schedule(api, auth, customer, entry(clock, "retried"))
    await unschedule(api, auth, "retried")
    await advance(clock, DAY, api, auth, merchant_a)

    paid = response(await api.post("/subscribe/payments/schedule/retried/retry", headers=auth))
    assert await ScheduleWorker(services).run_once() == 0

    executed = response(await stored(api, auth, "retried"))
    assert (executed["schedule_status"], executed["imp_uid"]) == ("executed", paid["imp_uid"])
    assert paid["customer_uid_usage"] == "payment.scheduled"


async def test_a_worker_whose_lease_runs_out_mid_batch_leaves_the_rest_for_the_next_claim(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    """The first charge takes the whole lease (KCP slow): the second schedule, which another
    worker may have claimed meanwhile, is not charged by this batch but by a later claim."""
    await schedule(api, auth, customer, entry(clock, "first"), entry(clock, "second", 1, amount=19_900))
    await advance(clock, DAY, api, auth, merchant_a)

    async def slow_kcp(_charge: object) -> None:
        clock.advance(LEASE)

    with ConnectorSpy(services, before_charge=slow_kcp):
        assert await ScheduleWorker(services).run_once() == 2
    assert response(await stored(api, auth, "first"))["schedule_status"] == "executed"
    assert response(await stored(api, auth, "second"))["schedule_status"] == "scheduled"
    assert await payments_for(services, merchant_a, "second") == []

    assert await ScheduleWorker(services).run_once() == 1
    assert response(await stored(api, auth, "second"))["schedule_status"] == "executed"
