"""Several ``homeport serve`` processes sharing one PostgreSQL database (DESIGN.md, "Scale").

All coordination goes through the database: a token issued by one process is valid on every
other, and processes starting at the same moment migrate and create the demo merchant once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from homeport.store.migrate import head_revision
from tests.e2e.processes import (
    Credentials,
    HomeportServer,
    fresh_postgres_database,
    get_token,
    homeport_env,
    printed_credentials,
    run_homeport,
    running_server,
    started_together,
)
from tests.support import TEST_ENCRYPTION_KEY

pytestmark = pytest.mark.postgres

SHARED_KEY = "5120004471839922"
SHARED_SECRET = "e2e-shared-demo-secret-abcdefghijklmnopqrstuvwxyz0123456789"
DEMO = Credentials(code="", imp_key=SHARED_KEY, imp_secret=SHARED_SECRET)
UNKNOWN_PAYMENT = "/payments/imp_000000000000"


def shared_env(data_dir: Path, database_url: str) -> dict[str, str]:
    """What every process of one deployment is given: the database, the key, the demo creds."""
    return homeport_env(
        data_dir,
        HOMEPORT_DATABASE_URL=database_url,
        HOMEPORT_ENCRYPTION_KEY=TEST_ENCRYPTION_KEY,
        HOMEPORT_DEMO_IMP_KEY=SHARED_KEY,
        HOMEPORT_DEMO_IMP_SECRET=SHARED_SECRET,
    )


def merchant_lines(listing: str) -> list[str]:
    """The merchant rows of ``homeport merchant list`` (channel rows are indented)."""
    return [line for line in listing.splitlines() if line.startswith("imp")]


def assert_unknown_payment(client: httpx.Client, headers: dict[str, str]) -> None:
    """The token was accepted: an unknown payment is a 404 envelope, not a 401."""
    answer = client.get(UNKNOWN_PAYMENT, headers=headers)
    assert answer.status_code == 404, answer.text
    body = answer.json()
    assert body["code"] != 0
    assert body["message"]
    assert body["response"] is None


@pytest.fixture(scope="module")
def two_processes(
    tmp_path_factory: pytest.TempPathFactory, pg_server: Any
) -> Iterator[tuple[HomeportServer, HomeportServer]]:
    """Two processes on one PostgreSQL database, the second started once the first is healthy."""
    database_url = fresh_postgres_database(pg_server, "e2e_shared")
    base = tmp_path_factory.mktemp("shared")
    first_dir, second_dir = base / "one", base / "two"
    with (
        running_server(first_dir, shared_env(first_dir, database_url)) as first,
        running_server(second_dir, shared_env(second_dir, database_url)) as second,
    ):
        yield first, second


def test_only_the_first_process_creates_the_demo_merchant(
    two_processes: tuple[HomeportServer, HomeportServer],
) -> None:
    """The first start on an empty database creates the demo merchant; the second finds it."""
    first, second = two_processes
    printed = printed_credentials(first.stdout)
    assert printed is not None, first.describe()
    assert (printed.imp_key, printed.imp_secret) == (SHARED_KEY, SHARED_SECRET)
    assert "demo merchant created" not in second.stdout
    assert SHARED_SECRET not in second.stdout
    for server in two_processes:
        assert "homeport postgresql database ready" in server.stdout
        assert not list(server.data_dir.glob("homeport.db*")), "a PostgreSQL deployment made a SQLite file"


def test_a_token_issued_by_one_process_is_accepted_by_the_other(
    two_processes: tuple[HomeportServer, HomeportServer],
) -> None:
    """Tokens live in the shared database, so process 2 honours a token process 1 issued."""
    first, second = two_processes
    with (
        httpx.Client(base_url=first.base_url, timeout=10) as one,
        httpx.Client(base_url=second.base_url, timeout=10) as two,
    ):
        issued = get_token(one, DEMO)
        assert_unknown_payment(two, {"Authorization": str(issued["access_token"])})


def test_get_token_on_the_other_process_returns_the_same_token_and_expiry(
    two_processes: tuple[HomeportServer, HomeportServer],
) -> None:
    """While a token is valid, getToken on any process reuses it with the same expired_at."""
    first, second = two_processes
    with (
        httpx.Client(base_url=first.base_url, timeout=10) as one,
        httpx.Client(base_url=second.base_url, timeout=10) as two,
    ):
        issued = get_token(one, DEMO)
        reused = get_token(two, DEMO)
        reused_again = get_token(one, DEMO)
    assert reused["access_token"] == issued["access_token"]
    assert reused["expired_at"] == issued["expired_at"]
    assert reused_again["access_token"] == issued["access_token"]


def test_simultaneous_first_get_token_calls_on_both_processes_agree_on_one_token(
    two_processes: tuple[HomeportServer, HomeportServer], tmp_path: Path
) -> None:
    """getToken is reuse-or-issue: callers racing on a key with no token yet all get the same one."""
    first, second = two_processes
    env = {**first.env, "HOMEPORT_DATA_DIR": str(tmp_path / "cli")}
    created = run_homeport(
        "merchant", "create", "--name", "Racer", "--site-cd", "T0RAC", env=env, cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    credentials = printed_credentials(created.stdout)
    assert credentials is not None, created.stdout
    clients = [httpx.Client(base_url=s.base_url, timeout=20) for s in (first, second) for _ in range(4)]
    try:
        for client in clients:
            client.get("/health")  # connect first, so the getToken calls leave together
        barrier = threading.Barrier(len(clients), timeout=20)

        def race(client: httpx.Client) -> dict[str, object]:
            barrier.wait()
            return get_token(client, credentials)

        with ThreadPoolExecutor(len(clients)) as pool:
            answers = list(pool.map(race, clients))
        tokens = {str(a["access_token"]) for a in answers}
        for token in tokens:  # whatever was issued is honoured everywhere
            for client in (clients[0], clients[-1]):
                assert_unknown_payment(client, {"Authorization": token})
    finally:
        for client in clients:
            client.close()
    assert len(tokens) == 1, f"{len(tokens)} different tokens issued to {len(answers)} simultaneous calls"
    assert len({a["expired_at"] for a in answers}) == 1


@pytest.mark.parametrize(
    "header_form",
    ["raw Authorization", "Authorization: Bearer", "X-ImpTokenHeader"],
)
def test_each_process_accepts_the_token_in_every_header_form(
    two_processes: tuple[HomeportServer, HomeportServer], header_form: str
) -> None:
    """Raw Authorization, Bearer and X-ImpTokenHeader all carry a token to either process."""
    first, _ = two_processes
    with httpx.Client(base_url=first.base_url, timeout=10) as one:
        token = str(get_token(one, DEMO)["access_token"])
    headers = {
        "raw Authorization": {"Authorization": token},
        "Authorization: Bearer": {"Authorization": f"Bearer {token}"},
        "X-ImpTokenHeader": {"X-ImpTokenHeader": token},
    }[header_form]
    for server in two_processes:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            assert_unknown_payment(client, headers)


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "garbage"},
        {"Authorization": "0123456789abcdef0123456789abcdef01234567"},
        {"Authorization": "Bearer 0123456789abcdef0123456789abcdef01234567"},
        {"X-ImpTokenHeader": "0123456789abcdef0123456789abcdef01234567"},
        {},
    ],
    ids=["short-garbage", "unknown-raw", "unknown-bearer", "unknown-x-imp", "missing"],
)
def test_a_garbage_or_missing_token_gets_401_with_the_envelope_on_every_process(
    two_processes: tuple[HomeportServer, HomeportServer], headers: dict[str, str]
) -> None:
    """A token no process issued (or none at all) is a 401 carrying the i'mport envelope."""
    for server in two_processes:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            answer = client.get(UNKNOWN_PAYMENT, headers=headers)
        assert answer.status_code == 401, answer.text
        body = answer.json()
        assert body["code"] != 0
        assert body["message"]
        assert body["response"] is None


def test_two_processes_started_at_the_same_moment_on_a_fresh_database_both_come_up_with_one_demo_merchant(
    tmp_path: Path, pg_server: Any
) -> None:
    """Concurrent first starts migrate once and create exactly one demo merchant; both serve."""
    database_url = fresh_postgres_database(pg_server, "e2e_race")
    dirs = [tmp_path / "one", tmp_path / "two"]
    with started_together([(d, shared_env(d, database_url)) for d in dirs]) as servers:
        for server in servers:
            server.wait_healthy()
        creators = [s for s in servers if "demo merchant created" in s.stdout]
        assert len(creators) == 1, "\n\n".join(s.describe() for s in servers)
        for server in servers:
            assert "Traceback" not in server.stderr, server.describe()
            with httpx.Client(base_url=server.base_url, timeout=10) as client:
                token = get_token(client, DEMO)
                assert_unknown_payment(client, {"Authorization": str(token["access_token"])})

    env = shared_env(tmp_path / "cli", database_url)
    listing = run_homeport("merchant", "list", env=env, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    rows = merchant_lines(listing.stdout)
    assert len(rows) == 1, listing.stdout
    assert f"imp_key={SHARED_KEY}" in rows[0]
    current = run_homeport("db", "current", env=env, cwd=tmp_path)
    assert current.returncode == 0, current.stderr
    assert f"database is at revision {head_revision()}" in current.stdout
