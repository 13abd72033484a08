"""``homeport worker`` processes charging due schedules on one PostgreSQL (decision 0012;
DESIGN invariants: no schedule charged twice, none skipped, with several workers and after a
crash).

Every process shares one data directory, so their embedded sandboxes share KCP's ledger: the
sandbox stands for the one KCP they all talk to, and its ledger counts the approvals KCP would
bill, per order number (``ordr_idxx`` = merchant_uid). Schedules are made due by scheduling
them with a fake clock an hour behind the real one.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from homeport.app import build_services, prepare
from homeport.clock import FakeClock, SystemClock
from homeport.config import Settings, async_database_url
from homeport.domain.billing_keys.models import CustomerInfo
from homeport.domain.merchants.models import NewChannel
from homeport.domain.payments.orders import ChargeOrder
from homeport.domain.schedules.models import ScheduledCharge
from homeport.pg.base import CardInput
from homeport.sandbox.ledger import Ledger
from homeport.store.database import create_engine
from homeport.store.tables import payment_attempts, payment_schedules, payments
from tests.e2e.processes import (
    HomeportWorker,
    fresh_postgres_database,
    homeport_env,
    running_workers,
    wait_for,
)
from tests.support import TEST_ENCRYPTION_KEY, settings_for

pytestmark = pytest.mark.postgres

#: Sandbox magic amount (sandbox/scenarios.py): KCP approves, then holds its answer 60 s, so
#: a worker is still waiting for it (read timeout 30 s) when it is killed.
HELD_AMOUNT = 91001
CUSTOMER = "subscriber"
#: Bound on every wait for the workers (polls with a deadline; nothing asserts on time).
DEADLINE = 60.0


def worker_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    return homeport_env(
        data_dir,
        HOMEPORT_DATABASE_URL=database_url,
        HOMEPORT_ENCRYPTION_KEY=TEST_ENCRYPTION_KEY,
        HOMEPORT_DEMO="false",
        HOMEPORT_WORKER_POLL_SECONDS="0.2",
        **extra,
    )


async def _seed(settings: Settings, amounts: list[int]) -> None:
    """A merchant with a billing key and one due schedule per amount (``s-0000``...)."""
    clock = FakeClock(SystemClock().now() - 3600)
    services = build_services(settings, clock=clock)
    try:
        await prepare(services, create_demo=False)
        created = await services.merchants.create(
            "Subscriptions",
            channels=[
                NewChannel(site_code="T0000"),
                NewChannel(site_code="A52Q7", batch_group_id="A52Q71000489", is_default=False),
            ],
        )
        merchant_id = created.merchant.id
        card = CardInput(number="4111111111111111", expiry="2031-12", birth="800101", password_2digit="12")
        await services.billing_keys.issue(merchant_id, CUSTOMER, card, CustomerInfo(name="홍길동"))
        charges = [
            ScheduledCharge(
                order=ChargeOrder(merchant_uid=f"s-{n:04d}", amount=amount, name="정기결제"),
                schedule_at=clock.now() + 1 + n,
            )
            for n, amount in enumerate(amounts)
        ]
        for start in range(0, len(charges), 200):
            await services.schedules.schedule(merchant_id, CUSTOMER, charges[start : start + 200])
    finally:
        await services.close()


def seed(settings: Settings, amounts: list[int]) -> None:
    asyncio.run(_seed(settings, amounts))


def query(database_url: str, statement: Any) -> list[Any]:
    """Rows of one SELECT on the shared database, from this (synchronous) test."""

    async def _run() -> list[Any]:
        engine = create_engine(async_database_url(database_url))
        try:
            async with engine.connect() as connection:
                return list((await connection.execute(statement)).all())
        finally:
            await engine.dispose()

    return asyncio.run(_run())


def schedules_by_uid(database_url: str) -> dict[str, Any]:
    t = payment_schedules.c
    rows = query(
        database_url,
        select(t.merchant_uid, t.status, t.payment_status, t.imp_uid, t.claimed_by, t.claimed_until),
    )
    return {row.merchant_uid: row for row in rows}


def approvals(data_dir: Path) -> Counter[str]:
    """KCP's approvals per order number, from the shared sandbox ledger."""
    ledger = Ledger(data_dir / "sandbox" / "sandbox.db")
    try:
        return Counter(record["ordr_idxx"] for record in ledger.all("transaction"))
    finally:
        ledger.close()


def payments_by_uid(database_url: str) -> dict[str, list[Any]]:
    rows = query(database_url, select(payments.c.merchant_uid, payments.c.imp_uid, payments.c.status))
    found: dict[str, list[Any]] = {}
    for row in rows:
        found.setdefault(row.merchant_uid, []).append(row)
    return found


def test_a_worker_killed_mid_charge_and_its_successor_charge_no_schedule_twice_and_lose_none(
    tmp_path: Path, pg_server: Any
) -> None:
    database_url = fresh_postgres_database(pg_server, "e2e_sched_crash")
    data_dir = tmp_path / "deployment"
    # s-0003 is the charge KCP approves but answers too late: the kill lands while it waits.
    amounts = [9900, 9900, 9900, HELD_AMOUNT, 9900, 9900, 9900]
    held = "s-0003"
    seed(settings_for(data_dir, database_url), amounts)
    env = worker_env(data_dir, database_url, HOMEPORT_SCHEDULE_LEASE_SECONDS="3")

    first = HomeportWorker(data_dir, env, "first")
    try:
        wait_for(lambda: approvals(data_dir)[held], timeout=DEADLINE, what=f"KCP approving {held}")
    finally:
        first.kill()
    holder = schedules_by_uid(database_url)[held].claimed_by
    assert holder is not None

    with running_workers(data_dir, env) as (successor,):

        def settled() -> bool:
            states = schedules_by_uid(database_url)
            others_done = all(s.status == "executed" for uid, s in states.items() if uid != held)
            # The successor looked at the in-doubt schedule once its lease ended.
            return others_done and states[held].claimed_by not in (None, holder)

        wait_for(settled, timeout=DEADLINE, what="the successor settling every schedule")
        assert successor.process.poll() is None, successor.describe()

    states = schedules_by_uid(database_url)
    charged = approvals(data_dir)
    made = payments_by_uid(database_url)
    assert set(charged) == set(states)
    assert all(count == 1 for count in charged.values()), charged
    for uid, state in states.items():
        assert len(made[uid]) == 1, (uid, made[uid])
        if uid == held:
            continue
        assert (state.status, state.payment_status) == ("executed", "paid")
        assert state.imp_uid == made[uid][0].imp_uid
    # The held charge is visibly in doubt: its schedule waits, its payment is ready with an
    # attempt nobody settled, for reconciliation to resolve by asking KCP.
    assert states[held].status == "scheduled"
    (doubtful,) = made[held]
    assert doubtful.status == "ready"
    unsettled = query(
        database_url,
        select(payment_attempts.c.state).where(payment_attempts.c.imp_uid == doubtful.imp_uid),
    )
    assert [row.state for row in unsettled] == ["pending"]


SCHEDULES = 1000


def test_two_workers_charge_a_thousand_due_schedules_exactly_once_each(
    tmp_path: Path, pg_server: Any
) -> None:
    database_url = fresh_postgres_database(pg_server, "e2e_sched_pair")
    data_dir = tmp_path / "deployment"
    seed(settings_for(data_dir, database_url), [1000 + n for n in range(SCHEDULES)])
    t = payment_schedules.c

    env = worker_env(data_dir, database_url, HOMEPORT_LOG_LEVEL="info")
    with running_workers(data_dir, env, count=2) as workers:

        def all_executed() -> bool:
            (row,) = query(database_url, select(func.count()).where(t.status == "executed"))
            return int(row[0]) == SCHEDULES

        wait_for(all_executed, timeout=DEADLINE * 2, interval=0.5, what="all schedules executed")
        for worker in workers:
            assert worker.process.poll() is None, worker.describe()
        stopped = [worker.stop() for worker in workers]

    assert stopped == [0, 0]  # SIGTERM ends each worker cleanly
    shares = [worker.output.count("schedule.executed") for worker in workers]
    assert sum(shares) == SCHEDULES
    assert all(share > 0 for share in shares), shares  # both took part
    states = schedules_by_uid(database_url)
    made = payments_by_uid(database_url)
    charged = approvals(data_dir)
    assert len(states) == SCHEDULES
    assert all((s.status, s.payment_status) == ("executed", "paid") for s in states.values())
    assert sum(len(rows) for rows in made.values()) == SCHEDULES
    assert all(rows[0].status == "paid" for rows in made.values())
    assert {uid: s.imp_uid for uid, s in states.items()} == {
        uid: rows[0].imp_uid for uid, rows in made.items()
    }
    assert len(charged) == SCHEDULES
    assert set(charged.values()) == {1}
