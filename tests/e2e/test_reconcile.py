"""Reconciliation of PG attempts in doubt, the auto-cancel of approvals homeport cannot store,
and virtual-account expiry (decision 0013), against the embedded KCP sandbox over ASGI.

Lost answers are real: the sandbox's ``timeout`` fault processes the request at "KCP" and then
holds the answer; :class:`LostAnswers` is the client giving up (httpx's ReadTimeout), which
the in-process transport cannot do by itself. Time is the FakeClock; workers run by
``run_once``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from homeport.clock import FakeClock
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.accounts import EXPIRED_REASON
from homeport.domain.payments.attempts import Attempt, AttemptOperation, AttemptState
from homeport.domain.payments.models import PaymentStatus
from homeport.domain.payments.orders import AUTO_CANCEL_REASON
from homeport.domain.payments.reconcile import OPERATOR_NOT_APPROVED
from homeport.pg import base as pg
from homeport.pg.kcp.wire import CANCEL_PATH, HUB_PATH
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from homeport.workers.reconcile import ReconcileWorker
from homeport.workers.vbank_expiry import VbankExpiryWorker
from tests.e2e.processes import homeport_env, run_homeport
from tests.e2e.test_api_charges import add_key, again, approvals
from tests.e2e.test_kcp_notifications import notify, tx00
from tests.support import TEST_ENCRYPTION_KEY, make_payment

#: Seconds the client waits for a held answer before giving up (the sandbox holds 60 s).
GIVE_UP = 0.5
#: HOMEPORT_RECONCILE_AFTER and HOMEPORT_VBANK_EXPIRY_GRACE defaults.
AFTER = 600
GRACE = 600
DAY = 86_400


@pytest.fixture
def auth(token_a: str) -> dict[str, str]:
    return {"Authorization": token_a}


class LostAnswers(httpx.AsyncBaseTransport):
    """Asks the sandbox for its ``timeout`` fault on ``path`` and gives up waiting, as a client
    whose read timeout expires does; other requests pass through untouched."""

    def __init__(self, inner: httpx.AsyncBaseTransport, path: str) -> None:
        self._inner = inner
        self._path = path

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith(self._path):
            return await self._inner.handle_async_request(request)
        request.headers["X-Sandbox-Fault"] = "timeout"
        try:
            return await asyncio.wait_for(self._inner.handle_async_request(request), GIVE_UP)
        except TimeoutError:
            raise httpx.ReadTimeout("the sandbox held its answer", request=request) from None


@contextmanager
def answers_lost(services: Services, path: str) -> Iterator[None]:
    """KCP processes calls to ``path`` but homeport never hears the answer, for one block."""
    client = services.sandbox_http
    assert client is not None
    real = client._transport
    client._transport = LostAnswers(real, path)
    try:
        yield
    finally:
        client._transport = real


def uow(services: Services) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(services.engine, services.box)


async def attempts_of(services: Services, merchant: CreatedMerchant, imp_uid: str) -> list[Attempt]:
    return await services.payments.attempts(merchant.merchant.id, imp_uid)


def kcp_transaction(services: Services, order: str) -> dict[str, Any]:
    """What an operator finds in KCP's admin by order number."""
    found = [t for t in approvals(services) if t.get("ordr_idxx") == order]
    assert len(found) == 1, found
    return found[0]


# --- charges whose answer was lost (no tno) ---------------------------------------------------


async def test_a_lost_charge_stays_in_doubt_until_the_operator_gives_its_tno_then_it_is_paid(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, merchant_a: CreatedMerchant
) -> None:
    await add_key(api, auth, "cust-1")
    with answers_lost(services, HUB_PATH):
        lost = await again(api, auth)
    assert lost.json()["code"] == -1
    in_doubt = await services.payments.find(merchant_a.merchant.id, "order-1")

    # KCP's inquiry needs the tno (kcp.md §5): the worker cannot settle it alone.
    assert await ReconcileWorker(services).run_once() == 0
    assert (
        await services.payments.get(merchant_a.merchant.id, in_doubt.imp_uid)
    ).status is PaymentStatus.READY
    tno = kcp_transaction(services, "order-1")["tno"]

    paid = await services.reconciliation.settle_with_pg_tid(in_doubt.imp_uid, tno)

    assert (paid.status, paid.pg_tid, paid.amount) == (PaymentStatus.PAID, tno, 15000)
    attempts = await attempts_of(services, merchant_a, in_doubt.imp_uid)
    assert [(a.operation, a.state, a.pg_tid) for a in attempts] == [
        (AttemptOperation.CHARGE, AttemptState.SUCCEEDED, tno)
    ]
    assert await services.reconciliation.in_doubt(10) == []


async def test_a_tno_of_another_order_is_refused_and_nothing_is_written(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, merchant_a: CreatedMerchant
) -> None:
    await add_key(api, auth, "cust-1")
    other = (await again(api, auth, merchant_uid="order-0")).json()["response"]
    with answers_lost(services, HUB_PATH):
        await again(api, auth)
    in_doubt = await services.payments.find(merchant_a.merchant.id, "order-1")

    with pytest.raises(Exception, match="주문번호"):
        await services.reconciliation.settle_with_pg_tid(in_doubt.imp_uid, other["pg_tid"])
    with pytest.raises(Exception, match="거래조회에 실패"):
        await services.reconciliation.settle_with_pg_tid(in_doubt.imp_uid, "20269999999999")

    attempts = await attempts_of(services, merchant_a, in_doubt.imp_uid)
    assert [(a.state, a.pg_tid) for a in attempts] == [(AttemptState.UNKNOWN, None)]


async def test_not_approved_fails_the_payment_with_a_reason_and_frees_the_merchant_uid(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, merchant_a: CreatedMerchant
) -> None:
    """HTTP 500 from the gateway before processing: nothing exists at KCP, the operator sees so."""
    await add_key(api, auth, "cust-1")
    lost = await again(api, auth, amount=91002)
    assert lost.status_code == 500
    in_doubt = await services.payments.find(merchant_a.merchant.id, "order-1")

    failed = await services.reconciliation.settle_not_approved(in_doubt.imp_uid)

    assert (failed.status, failed.fail_reason) == (PaymentStatus.FAILED, OPERATOR_NOT_APPROVED)
    attempts = await attempts_of(services, merchant_a, in_doubt.imp_uid)
    assert [a.state for a in attempts] == [AttemptState.DECLINED]
    assert (await again(api, auth)).json()["response"]["status"] == "paid"


# --- attempts with a tno: the worker -----------------------------------------------------------


async def test_a_cancel_whose_answer_was_lost_is_reconciled_to_cancelled_by_the_worker(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, merchant_a: CreatedMerchant
) -> None:
    await add_key(api, auth, "cust-1")
    paid = (await again(api, auth)).json()["response"]
    with answers_lost(services, CANCEL_PATH):
        lost = await api.post("/payments/cancel", json={"imp_uid": paid["imp_uid"]}, headers=auth)
    assert lost.json()["code"] == -1
    before = await services.payments.get(merchant_a.merchant.id, paid["imp_uid"])
    assert before.status is PaymentStatus.PAID

    assert await ReconcileWorker(services).run_once() == 1

    after = await services.payments.get(merchant_a.merchant.id, paid["imp_uid"])
    assert after.status is PaymentStatus.CANCELLED
    assert [c.amount for c in after.cancellations] == [15000]
    attempts = await attempts_of(services, merchant_a, paid["imp_uid"])
    assert [(a.operation, a.state) for a in attempts] == [
        (AttemptOperation.CHARGE, AttemptState.SUCCEEDED),
        (AttemptOperation.CANCEL, AttemptState.SUCCEEDED),
    ]
    assert kcp_transaction(services, "order-1")["status"] == "STSC"
    assert await ReconcileWorker(services).run_once() == 0


async def died_while_cancelling(
    services: Services, merchant: CreatedMerchant, imp_uid: str, *, sent: bool
) -> int:
    """A process stored its pending cancel attempt, maybe sent the cancel, and died."""
    payment = await services.payments.get(merchant.merchant.id, imp_uid)
    async with uow(services)() as tx:
        attempt_id = await tx.attempts.add(
            Attempt(
                imp_uid=imp_uid,
                merchant_id=payment.merchant_id,
                operation=AttemptOperation.CANCEL,
                amount=payment.amount,
                pg_provider=payment.pg_provider or "",
                pg_id=payment.pg_id or "",
                started_at=services.clock.now(),
                pg_tid=payment.pg_tid,
            )
        )
    if sent:
        channel = await services.gateway.channel_by_site(merchant.merchant.id, "kcp", payment.pg_id or "")
        assert channel is not None
        request = pg.CancelRequest(
            pg_tid=payment.pg_tid or "", pay_method="card", amount=None, remaining_before=payment.amount
        )
        assert isinstance(await services.gateway.connector(channel).cancel(request), pg.Cancelled)
    return attempt_id


async def test_a_pending_attempt_is_left_alone_until_it_is_older_than_the_limit_then_resolved(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    clock: FakeClock,
) -> None:
    await add_key(api, auth, "cust-1")
    paid = (await again(api, auth)).json()["response"]
    await died_while_cancelling(services, merchant_a, paid["imp_uid"], sent=True)

    clock.advance(AFTER)  # not older than the limit yet: maybe still in flight
    assert await ReconcileWorker(services).run_once() == 0
    young = await attempts_of(services, merchant_a, paid["imp_uid"])
    assert young[-1].state is AttemptState.PENDING

    clock.advance(1)
    assert await ReconcileWorker(services).run_once() == 1

    after = await services.payments.get(merchant_a.merchant.id, paid["imp_uid"])
    assert after.status is PaymentStatus.CANCELLED
    assert (await attempts_of(services, merchant_a, paid["imp_uid"]))[-1].state is AttemptState.SUCCEEDED


async def test_a_cancel_kcp_never_made_is_declined_and_the_payment_stays_paid(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    clock: FakeClock,
) -> None:
    await add_key(api, auth, "cust-1")
    paid = (await again(api, auth)).json()["response"]
    await died_while_cancelling(services, merchant_a, paid["imp_uid"], sent=False)
    clock.advance(AFTER + 1)

    assert await ReconcileWorker(services).run_once() == 1

    after = await services.payments.get(merchant_a.merchant.id, paid["imp_uid"])
    assert (after.status, after.cancellations) == (PaymentStatus.PAID, ())
    assert (await attempts_of(services, merchant_a, paid["imp_uid"]))[-1].state is AttemptState.DECLINED


async def test_billing_key_attempts_are_never_picked_up(
    services: Services, merchant_a: CreatedMerchant, clock: FakeClock
) -> None:
    """A billing window's key issuance moves no money and has no tno: nothing to ask KCP."""
    ready = make_payment(
        merchant_a.merchant.id,
        status=PaymentStatus.READY,
        amount=0,
        pg_tid=None,
        paid_at=0,
        customer_uid="c-1",
    )
    await services.payments.record(ready)
    async with uow(services)() as tx:
        await tx.attempts.add(
            Attempt(
                imp_uid=ready.imp_uid,
                merchant_id=ready.merchant_id,
                operation=AttemptOperation.BILLING_KEY,
                amount=0,
                pg_provider="kcp",
                pg_id="T0000",
                started_at=clock.now(),
                state=AttemptState.UNKNOWN,
            )
        )
    clock.advance(AFTER + 1)

    assert await ReconcileWorker(services).run_once() == 0
    assert await services.reconciliation.in_doubt(10) == []
    assert [a.state for a in await attempts_of(services, merchant_a, ready.imp_uid)] == [AttemptState.UNKNOWN]


# --- auto-cancel when the paid outcome cannot be stored -----------------------------------------


async def refuse_paid_payments(services: Services, backend: str) -> None:
    """A real database failure: the database itself refuses to mark any payment paid."""
    async with services.engine.begin() as connection:
        if backend == "postgres":
            await connection.exec_driver_sql(
                "CREATE FUNCTION refuse_paid() RETURNS trigger AS $$ BEGIN "
                "IF NEW.status = 'paid' THEN RAISE EXCEPTION 'disk full (test)'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            await connection.exec_driver_sql(
                "CREATE TRIGGER refuse_paid BEFORE UPDATE ON payments "
                "FOR EACH ROW EXECUTE FUNCTION refuse_paid()"
            )
        else:
            await connection.exec_driver_sql(
                "CREATE TRIGGER refuse_paid BEFORE UPDATE ON payments WHEN NEW.status = 'paid' "
                "BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END"
            )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_an_approval_that_cannot_be_stored_is_cancelled_at_kcp_at_once(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    backend: str,
) -> None:
    """kcp.md §4.4: KCP's samples cancel (STSC) when the merchant's DB update fails."""
    await add_key(api, auth, "cust-1")
    await refuse_paid_payments(services, backend)

    answer = (await again(api, auth)).json()

    transaction = kcp_transaction(services, "order-1")
    assert transaction["status"] == "STSC"
    assert transaction["cancels"][-1].get("mod_desc") == AUTO_CANCEL_REASON
    failed = await services.payments.find(merchant_a.merchant.id, "order-1", PaymentStatus.FAILED)
    assert failed.fail_reason == AUTO_CANCEL_REASON
    assert failed.pg_tid == transaction["tno"]
    assert answer["code"] != 0 or answer["response"]["status"] == "failed"
    attempts = await attempts_of(services, merchant_a, failed.imp_uid)
    assert [(a.operation, a.state, a.pg_message) for a in attempts] == [
        (AttemptOperation.CHARGE, AttemptState.SUCCEEDED, None),
        (AttemptOperation.VOID, AttemptState.SUCCEEDED, AUTO_CANCEL_REASON),
    ]


# --- virtual-account expiry --------------------------------------------------------------------


async def issue_vbank(
    api: httpx.AsyncClient, auth: dict[str, str], merchant_uid: str, due: int
) -> dict[str, Any]:
    answer = await api.post(
        "/vbanks",
        json={
            "merchant_uid": merchant_uid,
            "amount": 25000,
            "vbank_code": "004",
            "vbank_due": due,
            "name": "의자",
        },
        headers=auth,
    )
    payment: dict[str, Any] = answer.json()["response"]
    assert payment["status"] == "ready", answer.text
    return payment


async def test_an_unpaid_account_expires_only_after_its_deadline_and_the_grace_period(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    clock: FakeClock,
) -> None:
    due = clock.now() + DAY
    unpaid = await issue_vbank(api, auth, "vbank-1", due)
    deposited = await issue_vbank(api, auth, "vbank-2", due)
    deposit = await api.post("/sandbox/_sandbox/deposit", json={"tno": deposited["pg_tid"]})
    assert deposit.status_code == 200, deposit.text
    worker = VbankExpiryWorker(services)

    clock.set(due + GRACE)
    assert await worker.run_once() == 0
    clock.advance(1)
    assert await worker.run_once() == 1

    expired = await services.payments.get(merchant_a.merchant.id, unpaid["imp_uid"])
    assert (expired.status, expired.cancel_reason, expired.cancelled_at) == (
        PaymentStatus.CANCELLED,
        EXPIRED_REASON,
        clock.now(),
    )
    assert expired.cancellations == ()
    paid = await services.payments.get(merchant_a.merchant.id, deposited["imp_uid"])
    assert paid.status is PaymentStatus.PAID
    assert await worker.run_once() == 0


async def test_a_deposit_notified_after_expiry_still_pays_the_payment(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    clock: FakeClock,
) -> None:
    due = clock.now() + DAY
    issued = await issue_vbank(api, auth, "vbank-1", due)
    clock.set(due + GRACE + 1)
    assert await VbankExpiryWorker(services).run_once() == 1

    answer = await notify(api, tx00(issued, ipgm_mnyx="25000", totl_mnyx="25000"))

    assert answer.status_code == 200, answer.text
    paid = await services.payments.get(merchant_a.merchant.id, issued["imp_uid"])
    assert (paid.status, paid.cancel_reason, paid.cancelled_at) == (PaymentStatus.PAID, None, 0)


# --- the operator's command ---------------------------------------------------------------------


async def test_reconcile_list_and_settle_as_an_operator_runs_them(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    database_url: str,
    tmp_path: Path,
) -> None:
    await add_key(api, auth, "cust-1")
    with answers_lost(services, HUB_PATH):
        await again(api, auth)
    in_doubt = await services.payments.find(merchant_a.merchant.id, "order-1")
    tno = kcp_transaction(services, "order-1")["tno"]
    env = homeport_env(
        tmp_path,
        HOMEPORT_DATABASE_URL=database_url,
        HOMEPORT_ENCRYPTION_KEY=TEST_ENCRYPTION_KEY,
        HOMEPORT_DEMO="false",
    )

    listed = run_homeport("reconcile", "list", env=env, cwd=tmp_path)
    refused = run_homeport("reconcile", "settle", in_doubt.imp_uid, env=env, cwd=tmp_path)
    settled = run_homeport("reconcile", "settle", in_doubt.imp_uid, "--pg-tid", tno, env=env, cwd=tmp_path)
    after = run_homeport("reconcile", "list", env=env, cwd=tmp_path)

    assert listed.returncode == 0, listed.stderr
    assert in_doubt.imp_uid in listed.stdout
    assert "order order-1" in listed.stdout
    assert "15000원" in listed.stdout
    assert "charge/unknown" in listed.stdout
    assert "no tno" in listed.stdout
    assert refused.returncode == 2
    assert settled.returncode == 0, settled.stderr
    assert f"{in_doubt.imp_uid}: paid (tno {tno})" in settled.stdout
    assert "no payments in doubt" in after.stdout
    paid = await services.payments.get(merchant_a.merchant.id, in_doubt.imp_uid)
    assert paid.status is PaymentStatus.PAID


async def test_a_lost_vbank_issue_settled_by_tno_stays_ready_awaiting_its_deposit(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    clock: FakeClock,
) -> None:
    with answers_lost(services, HUB_PATH):
        lost = await api.post(
            "/vbanks",
            json={
                "merchant_uid": "vbank-1",
                "amount": 25000,
                "vbank_code": "004",
                "vbank_due": clock.now() + DAY,
            },
            headers=auth,
        )
    assert lost.json()["code"] == -1
    in_doubt = await services.payments.find(merchant_a.merchant.id, "vbank-1")
    tno = kcp_transaction(services, "vbank-1")["tno"]

    issued = await services.reconciliation.settle_with_pg_tid(in_doubt.imp_uid, tno)

    assert (issued.status, issued.pg_tid) == (PaymentStatus.READY, tno)
    attempts = await attempts_of(services, merchant_a, in_doubt.imp_uid)
    assert [(a.operation, a.state) for a in attempts] == [
        (AttemptOperation.VBANK_ISSUE, AttemptState.SUCCEEDED)
    ]


async def test_an_auto_cancel_whose_answer_was_lost_is_reconciled_and_the_payment_fails(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, merchant_a: CreatedMerchant
) -> None:
    await add_key(api, auth, "cust-1")
    await refuse_paid_payments(services, "sqlite")
    with answers_lost(services, CANCEL_PATH):
        lost = await again(api, auth)
    assert lost.json()["code"] == -1
    in_doubt = await services.payments.find(merchant_a.merchant.id, "order-1")
    assert in_doubt.status is PaymentStatus.READY

    assert await ReconcileWorker(services).run_once() == 1

    failed = await services.payments.get(merchant_a.merchant.id, in_doubt.imp_uid)
    assert failed.status is PaymentStatus.FAILED
    assert failed.pg_tid == kcp_transaction(services, "order-1")["tno"]
    attempts = await attempts_of(services, merchant_a, in_doubt.imp_uid)
    assert [(a.operation, a.state) for a in attempts] == [
        (AttemptOperation.CHARGE, AttemptState.SUCCEEDED),
        (AttemptOperation.VOID, AttemptState.SUCCEEDED),
    ]
