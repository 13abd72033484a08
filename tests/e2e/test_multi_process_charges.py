"""One order charged through two ``homeport serve`` processes sharing one PostgreSQL
(DESIGN invariant: a repeated charge request never charges twice, even when sent concurrently
to two processes).

Both processes share one data directory, so their embedded sandboxes share KCP's ledger and
credentials: the sandbox then stands for one KCP that both processes talk to, and its ledger
counts the approvals KCP would bill.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.processes import HomeportServer, fresh_postgres_database, running_server
from tests.e2e.test_multi_process import DEMO, shared_env

pytestmark = pytest.mark.postgres

CONCURRENT_REQUESTS = 50
CARD = {"card_number": "4111-1111-1111-1111", "expiry": "2031-12", "birth": "800101", "pwd_2digit": "12"}


@pytest.fixture(scope="module")
def one_kcp_two_processes(
    tmp_path_factory: pytest.TempPathFactory, pg_server: Any
) -> Iterator[tuple[HomeportServer, HomeportServer]]:
    database_url = fresh_postgres_database(pg_server, "e2e_charges")
    data_dir = tmp_path_factory.mktemp("one-kcp")
    env = shared_env(data_dir, database_url)
    with running_server(data_dir, env) as first, running_server(data_dir, env) as second:
        yield first, second


async def _race(servers: tuple[HomeportServer, HomeportServer]) -> tuple[list[dict[str, Any]], int]:
    clients = [httpx.AsyncClient(base_url=s.base_url, timeout=60) for s in servers]
    try:
        token = (
            await clients[0].post(
                "/users/getToken", json={"imp_key": DEMO.imp_key, "imp_secret": DEMO.imp_secret}
            )
        ).json()
        auth = {"Authorization": token["response"]["access_token"]}
        issued = await clients[0].post("/subscribe/customers/racer", json=CARD, headers=auth)
        assert issued.json()["code"] == 0, issued.text
        order = {"customer_uid": "racer", "merchant_uid": "raced-order", "amount": 12000, "name": "race"}
        answers = await asyncio.gather(
            *(
                clients[n % 2].post("/subscribe/payments/again", json=order, headers=auth)
                for n in range(CONCURRENT_REQUESTS)
            )
        )
        records = (await clients[1].get("/sandbox/_sandbox/records/transaction")).json()
        raced = [r for r in records["records"] if r["ordr_idxx"] == "raced-order"]
        return [a.json() for a in answers], len(raced)
    finally:
        for client in clients:
            await client.aclose()


def test_fifty_concurrent_agains_on_two_processes_approve_once(
    one_kcp_two_processes: tuple[HomeportServer, HomeportServer],
) -> None:
    answers, approvals = asyncio.run(_race(one_kcp_two_processes))

    paid = [a for a in answers if a["code"] == 0]
    duplicates = [a for a in answers if a["code"] == 1]
    assert len(paid) == 1, [a["message"] for a in answers if a["code"] != 1]
    assert paid[0]["response"]["status"] == "paid"
    assert len(duplicates) == CONCURRENT_REQUESTS - 1
    assert all("raced-order" in a["message"] for a in duplicates)
    assert approvals == 1
