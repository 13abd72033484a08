"""The sum cancelled never exceeds the sum paid (DESIGN invariant), as a Hypothesis state machine.

Each run pays 200,000 won with a typed-in card through the API, then applies a random
sequence of cancels: full, partial, over the balance, with right and wrong checksums, in
concurrent bursts, and with an amount that makes the sandbox answer HTTP 500 (the outcome is
unknown, so homeport must refuse every later cancel until reconciliation). After every step
homeport's payment, its cancel history and KCP's own ledger (the sandbox's) must agree with
a simple model of the balance.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from homeport.app import build_services, create_app, prepare
from homeport.clock import FakeClock
from homeport.domain.merchants.models import NewChannel
from homeport.services import Services
from tests.support import copy_sqlite, settings_for, token_for

PAID = 200_000
#: A partial cancel of this amount makes the sandbox answer HTTP 500 (docs/sandbox.md).
AMOUNT_HTTP500 = 91002
CARD = {"card_number": "4111-1111-1111-1111", "expiry": "2031-12", "birth": "800101", "pwd_2digit": "12"}

T = TypeVar("T")


@dataclass
class World:
    """One homeport (SQLite, embedded sandbox) shared by every run of the machine."""

    loop: asyncio.AbstractEventLoop
    services: Services
    client: httpx.AsyncClient
    auth: dict[str, str]
    orders: Iterator[int]

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    async def cancel(self, imp_uid: str, amount: int | None, checksum: int | None) -> httpx.Response:
        body: dict[str, Any] = {"imp_uid": imp_uid, "amount": amount, "checksum": checksum}
        return await self.client.post("/payments/cancel", json=body, headers=self.auth)

    async def payment(self, imp_uid: str) -> dict[str, Any]:
        answer = await self.client.get(f"/payments/{imp_uid}", headers=self.auth)
        return dict(answer.json()["response"])


@pytest.fixture
def world(tmp_path: Path, sqlite_template: Path, sandbox_credentials: Path) -> Iterator[World]:
    loop = asyncio.new_event_loop()
    database = copy_sqlite(sqlite_template, tmp_path / "homeport.db")
    settings = settings_for(tmp_path, database)
    shutil.copytree(sandbox_credentials, settings.sandbox_data_dir / "credentials")
    services = build_services(settings, clock=FakeClock())
    loop.run_until_complete(prepare(services, create_demo=False))
    merchant = loop.run_until_complete(
        services.merchants.create(
            "Shop", channels=[NewChannel(site_code="A52Q7", batch_group_id="A52Q71000489")]
        )
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(services)), base_url="http://hp")
    token = loop.run_until_complete(token_for(client, merchant))
    yield World(loop, services, client, {"Authorization": token}, itertools.count())
    loop.run_until_complete(client.aclose())
    loop.run_until_complete(services.close())
    loop.close()


class CancelMachine(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        body = {"merchant_uid": f"order-{next(self.world.orders)}", "amount": PAID, **CARD}
        answer = self.world.run(
            self.world.client.post("/subscribe/payments/onetime", json=body, headers=self.world.auth)
        )
        self.payment = answer.json()["response"]
        assert self.payment["status"] == "paid"
        self.remaining = PAID
        self.in_doubt = False

    def _checksum(self, kind: str) -> int | None:
        return {"none": None, "right": self.remaining, "wrong": self.remaining + 1}[kind]

    @rule(
        amount=st.one_of(st.none(), st.integers(1, PAID + 10_000), st.just(AMOUNT_HTTP500)),
        checksum=st.sampled_from(["none", "right", "wrong"]),
    )
    def cancel(self, amount: int | None, checksum: str) -> None:
        asked = amount or self.remaining
        answer = self.world.run(self.world.cancel(self.payment["imp_uid"], amount, self._checksum(checksum)))
        refused = self.in_doubt or self.remaining == 0 or checksum == "wrong" or asked > self.remaining
        if refused:
            assert answer.status_code == 200
            assert answer.json()["code"] == 1
            return
        if asked == AMOUNT_HTTP500 and asked < self.remaining:
            assert answer.status_code == 500
            self.in_doubt = True
            return
        assert answer.json()["code"] == 0, answer.text
        self.remaining -= asked

    @rule(count=st.integers(2, 4), amount=st.integers(1, 60_000))
    def concurrent_cancels(self, count: int, amount: int) -> None:
        before = self.remaining

        async def burst() -> list[httpx.Response]:
            cancels = (self.world.cancel(self.payment["imp_uid"], amount, None) for _ in range(count))
            return list(await asyncio.gather(*cancels))

        answers = self.world.run(burst())
        succeeded = sum(1 for a in answers if a.json()["code"] == 0)
        assert all(a.status_code == 200 for a in answers)
        if self.in_doubt:
            assert succeeded == 0
        assert succeeded * amount <= before
        self.remaining -= succeeded * amount

    @invariant()
    def homeport_and_kcp_agree_with_the_model(self) -> None:
        payment = self.world.run(self.world.payment(self.payment["imp_uid"]))
        cancelled = PAID - self.remaining
        assert payment["cancel_amount"] == cancelled
        assert payment["cancel_amount"] <= payment["amount"]
        assert sum(c["amount"] for c in payment["cancel_history"]) == cancelled
        assert payment["status"] == ("cancelled" if self.remaining == 0 else "paid")
        assert self.world.services.sandbox is not None
        kcp = self.world.services.sandbox.ledger.get("transaction", self.payment["pg_tid"])
        assert kcp is not None
        assert kcp["rem_mny"] == self.remaining


def test_cancels_never_exceed_the_paid_amount(world: World) -> None:
    CancelMachine.world = world
    run_state_machine_as_test(
        CancelMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
