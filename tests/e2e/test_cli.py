"""The ``homeport`` command as an operator runs it: real child processes, real ports, real files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from homeport.store.migrate import head_revision
from tests.e2e.processes import (
    MERCHANT_CODE,
    Credentials,
    HomeportServer,
    free_port,
    fresh_postgres_database,
    get_token,
    homeport_env,
    printed_credentials,
    run_homeport,
    running_server,
)
from tests.support import TEST_ENCRYPTION_KEY
from tests.unit.pg.support import PASSWORD, make_pair

PINNED_KEY = "7311008459371234"
PINNED_SECRET = "e2e-pinned-demo-secret-0123456789abcdefghijklmnopqrstuvwxyz"
UNKNOWN_PAYMENT = "/payments/imp_000000000000"


def sqlite_files(data_dir: Path) -> list[Path]:
    """The SQLite database and any WAL/SHM side files homeport left in a data directory."""
    return sorted(data_dir.glob("homeport.db*"))


def assert_not_stored_in_clear(data_dir: Path, *values: str) -> None:
    """None of ``values`` appears in the bytes of the SQLite files (UTF-8 or UTF-16)."""
    files = sqlite_files(data_dir)
    assert files, f"no SQLite file in {data_dir}"
    for path in files:
        content = path.read_bytes()
        for value in values:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                assert value.encode(encoding) not in content, f"{value!r} stored in clear in {path.name}"


# --- serve on an empty SQLite data directory (one server for the first tests) -----------------


@dataclass(frozen=True)
class DemoServer:
    """A server started on an empty data directory and what it printed."""

    server: HomeportServer
    data_dir: Path
    credentials: Credentials


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """``homeport serve`` on an empty data directory, with nothing configured."""
    data_dir = tmp_path_factory.mktemp("serve-empty") / "data"
    with running_server(data_dir, homeport_env(data_dir)) as server:
        credentials = printed_credentials(server.stdout)
        assert credentials is not None, server.describe()
        yield DemoServer(server, data_dir, credentials)


def test_serve_on_an_empty_data_dir_creates_the_demo_merchant_and_prints_its_credentials(
    demo_server: DemoServer,
) -> None:
    """First start makes the SQLite file and a demo merchant and prints code, key and secret."""
    output = demo_server.server.stdout
    assert (demo_server.data_dir / "homeport.db").is_file()
    assert (demo_server.data_dir / "encryption.key").is_file()
    assert "demo merchant created" in output
    assert MERCHANT_CODE.match(demo_server.credentials.code), output
    assert demo_server.credentials.imp_key.isdigit(), output
    assert len(demo_server.credentials.imp_secret) >= 32, output
    assert "homeport sqlite database ready" in output
    assert f"homeport listening on http://127.0.0.1:{demo_server.server.port}/" in output


def test_the_printed_demo_credentials_obtain_a_token_that_the_api_accepts(demo_server: DemoServer) -> None:
    """The printed key and secret get a 30-minute token; with it an unknown payment is a 404."""
    with httpx.Client(base_url=demo_server.server.base_url, timeout=10) as client:
        token = get_token(client, demo_server.credentials)
        assert isinstance(token["access_token"], str)
        assert len(token["access_token"]) == 40
        assert token["expired_at"] == token["now"] + 1800  # type: ignore[operator]
        answer = client.get(UNKNOWN_PAYMENT, headers={"Authorization": token["access_token"]})
        assert answer.status_code == 404, answer.text
        assert answer.json()["code"] != 0
        assert answer.json()["response"] is None
        wrong = client.post(
            "/users/getToken",
            json={"imp_key": demo_server.credentials.imp_key, "imp_secret": "not-the-secret"},
        )
        assert wrong.status_code == 401, wrong.text
        assert wrong.json()["code"] != 0


def test_health_is_200_and_metrics_count_requests_by_route(demo_server: DemoServer) -> None:
    """/health answers 200 and /metrics exposes homeport_http_requests counters by route template."""
    with httpx.Client(base_url=demo_server.server.base_url, timeout=10) as client:
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json()["code"] == 0
        assert health.json()["response"]["status"] == "ok"
        client.get(UNKNOWN_PAYMENT, headers={"Authorization": "0" * 40})
        metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    lines = metrics.text.splitlines()
    counters = [line for line in lines if line.startswith("homeport_http_requests_total{")]
    assert any('route="/health"' in line and 'status="200"' in line for line in counters), metrics.text
    # Route templates, never raw paths: ids must not become label values.
    assert any('route="/payments/{imp_uid}"' in line and 'status="401"' in line for line in counters)
    assert "imp_000000000000" not in metrics.text


# --- pinned demo credentials and restarts --------------------------------------------------------


def test_pinned_demo_credentials_work_and_a_restart_creates_no_second_merchant(tmp_path: Path) -> None:
    """HOMEPORT_DEMO_IMP_KEY/SECRET are used as given; restarting prints no secret, adds no merchant."""
    data_dir = tmp_path / "data"
    env = homeport_env(data_dir, HOMEPORT_DEMO_IMP_KEY=PINNED_KEY, HOMEPORT_DEMO_IMP_SECRET=PINNED_SECRET)
    with running_server(data_dir, env) as first:
        printed = printed_credentials(first.stdout)
        assert printed is not None, first.describe()
        assert (printed.imp_key, printed.imp_secret) == (PINNED_KEY, PINNED_SECRET)
        with httpx.Client(base_url=first.base_url, timeout=10) as client:
            issued = get_token(client, printed)
    with running_server(data_dir, env) as second:
        output = second.stdout
        assert "listening on" in output
        assert "demo merchant created" not in output
        assert printed_credentials(output) is None
        assert PINNED_SECRET not in output
        assert PINNED_SECRET not in second.stderr
        with httpx.Client(base_url=second.base_url, timeout=10) as client:
            again = get_token(client, printed)
    # Tokens live in the database: the restarted server reuses the token it issued before.
    assert again["access_token"] == issued["access_token"]
    assert again["expired_at"] == issued["expired_at"]
    listing = run_homeport("merchant", "list", env=env, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    merchant_lines = [line for line in listing.stdout.splitlines() if line.startswith("imp")]
    assert len(merchant_lines) == 1, listing.stdout
    assert merchant_lines[0].startswith(printed.code)
    assert f"imp_key={PINNED_KEY}" in merchant_lines[0]
    assert PINNED_SECRET not in listing.stdout
    assert_not_stored_in_clear(data_dir, PINNED_SECRET)


# --- db commands ----------------------------------------------------------------------------------


def test_db_upgrade_on_an_empty_dir_brings_the_database_to_the_head_revision(tmp_path: Path) -> None:
    """`db current` on nothing says empty; `db upgrade` migrates; `db current` then reports head."""
    data_dir = tmp_path / "data"
    env = homeport_env(data_dir)
    head = head_revision()
    before = run_homeport("db", "current", env=env, cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    assert "none (empty)" in before.stdout
    upgraded = run_homeport("db", "upgrade", env=env, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"database is at revision {head} (head {head})" in upgraded.stdout
    assert (data_dir / "homeport.db").is_file()
    current = run_homeport("db", "current", env=env, cwd=tmp_path)
    assert current.returncode == 0, current.stderr
    assert f"database is at revision {head} (head {head})" in current.stdout
    again = run_homeport("db", "upgrade", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"database is at revision {head}" in again.stdout


# --- merchant commands ----------------------------------------------------------------------------


def test_merchant_create_shows_the_secret_once_and_keeps_secrets_out_of_the_list_and_the_file(
    tmp_path: Path,
) -> None:
    """The secret is printed at creation only; the list and the SQLite bytes never hold it or the
    KCP key password in clear; the printed secret is the one the API accepts."""
    data_dir = tmp_path / "data"
    env = homeport_env(data_dir)
    key_password = "kcp-KeyPassw0rd-e2e-3f9a1c"
    created = run_homeport(
        "merchant",
        "create",
        "--name",
        "Shop X",
        "--site-cd",
        "T0042",
        "--private-key-password",
        key_password,
        "--batch-group-id",
        "A52Q71000489",
        env=env,
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    credentials = printed_credentials(created.stdout)
    assert credentials is not None, created.stdout
    assert MERCHANT_CODE.match(credentials.code)
    assert created.stdout.count(credentials.imp_secret) == 1
    assert "shown only now" in created.stdout
    assert key_password not in created.stdout

    listing = run_homeport("merchant", "list", env=env, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert credentials.code in listing.stdout
    assert "Shop X" in listing.stdout
    assert f"imp_key={credentials.imp_key}" in listing.stdout
    assert "kcp.T0042 [sandbox]" in listing.stdout
    assert "group=A52Q71000489" in listing.stdout
    assert credentials.imp_secret not in listing.stdout
    assert key_password not in listing.stdout

    assert_not_stored_in_clear(data_dir, credentials.imp_secret, key_password)

    # A data directory that already has a merchant gets no demo merchant, and the secret printed
    # by `merchant create` is the real one.
    with running_server(data_dir, env) as server:
        assert "demo merchant created" not in server.stdout
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            get_token(client, credentials)
    assert_not_stored_in_clear(data_dir, credentials.imp_secret, key_password)


def test_a_key_password_given_by_environment_variable_is_not_stored_in_clear(tmp_path: Path) -> None:
    """HOMEPORT_KCP_KEY_PASSWORD works like --private-key-password and is sealed at rest."""
    data_dir = tmp_path / "data"
    key_password = "env-KeyPassw0rd-e2e-77c1d0"
    env = homeport_env(data_dir, HOMEPORT_KCP_KEY_PASSWORD=key_password)
    created = run_homeport("merchant", "create", "--name", "Shop E", env=env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert key_password not in created.stdout
    assert_not_stored_in_clear(data_dir, key_password)


def test_creating_a_merchant_with_a_code_already_in_use_fails_with_exit_1(tmp_path: Path) -> None:
    """A repeated --code is refused with exit code 1 and a message naming the code."""
    env = homeport_env(tmp_path / "data")
    first = run_homeport(
        "merchant", "create", "--name", "One", "--code", "imp12345678", env=env, cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert "imp12345678" in first.stdout
    second = run_homeport(
        "merchant",
        "create",
        "--name",
        "Two",
        "--code",
        "imp12345678",
        "--site-cd",
        "T0099",
        env=env,
        cwd=tmp_path,
    )
    assert second.returncode == 1, (second.stdout, second.stderr)
    assert "imp12345678" in second.stderr
    assert "이미 사용 중" in second.stderr
    assert "Traceback" not in second.stderr
    assert "REST API secret" not in second.stdout
    listing = run_homeport("merchant", "list", env=env, cwd=tmp_path)
    rows = [line for line in listing.stdout.splitlines() if line.startswith("imp")]
    assert len(rows) == 1, listing.stdout
    assert rows[0].startswith("imp12345678  One  imp_key="), listing.stdout


@pytest.mark.parametrize("environment", ["stage", "production"])
def test_a_real_kcp_channel_without_certificate_and_private_key_fails_with_exit_2(
    tmp_path: Path, environment: str
) -> None:
    """A stage or production channel needs --certificate and --private-key; without them, exit 2."""
    env = homeport_env(tmp_path / "data")
    result = run_homeport(
        "merchant", "create", "--name", "Real", "--environment", environment, env=env, cwd=tmp_path
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "--certificate" in result.stderr
    assert "--private-key" in result.stderr
    assert "REST API secret" not in result.stdout


# --- PostgreSQL -----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_serve_runs_on_postgresql_when_only_the_database_url_changes(tmp_path: Path, pg_server: Any) -> None:
    """HOMEPORT_DATABASE_URL=postgresql://... alone switches storage: migrate, demo, tokens all work."""
    data_dir = tmp_path / "data"
    env = homeport_env(data_dir, HOMEPORT_DATABASE_URL=fresh_postgres_database(pg_server, "e2e_serve"))
    with running_server(data_dir, env) as server:
        assert "homeport postgresql database ready" in server.stdout
        credentials = printed_credentials(server.stdout)
        assert credentials is not None, server.describe()
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            token = get_token(client, credentials)
            answer = client.get(UNKNOWN_PAYMENT, headers={"Authorization": f"Bearer {token['access_token']}"})
        assert answer.status_code == 404, answer.text
    assert sqlite_files(data_dir) == []
    current = run_homeport("db", "current", env=env, cwd=tmp_path)
    assert current.returncode == 0, current.stderr
    assert f"database is at revision {head_revision()}" in current.stdout


# --- encryption key -------------------------------------------------------------------------------


def test_serve_refuses_to_start_with_an_encryption_key_other_than_the_databases(tmp_path: Path) -> None:
    """A DB first used with the generated key file refuses another HOMEPORT_ENCRYPTION_KEY (exit 1)."""
    data_dir = tmp_path / "data"
    env = homeport_env(data_dir)
    created = run_homeport(
        "merchant",
        "create",
        "--name",
        "Keyed",
        "--private-key-password",
        "sealed-pw-1",
        env=env,
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    generated_key = (data_dir / "encryption.key").read_text().strip()
    assert generated_key != TEST_ENCRYPTION_KEY

    port = free_port()
    wrong = {**env, "HOMEPORT_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY}
    refused = run_homeport("serve", "--port", str(port), env=wrong, cwd=tmp_path, timeout=30)
    assert refused.returncode == 1, (refused.stdout, refused.stderr)
    assert "HOMEPORT_ENCRYPTION_KEY" in refused.stderr
    assert "different encryption key" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert "listening on" not in refused.stdout
    listing_refused = run_homeport("merchant", "list", env=wrong, cwd=tmp_path)
    assert listing_refused.returncode == 1
    assert "HOMEPORT_ENCRYPTION_KEY" in listing_refused.stderr

    # Following the advice (the original key in HOMEPORT_ENCRYPTION_KEY) works.
    right = {**env, "HOMEPORT_ENCRYPTION_KEY": generated_key}
    listing = run_homeport("merchant", "list", env=right, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "Keyed" in listing.stdout


def test_a_stage_channel_whose_key_does_not_match_its_certificate_is_refused_before_storing(
    tmp_path: Path,
) -> None:
    """merchant create checks the pair like serve does: exit 2, a clear message, nothing stored."""
    one, other = make_pair(tmp_path / "one", cn="1111"), make_pair(tmp_path / "two", cn="2222")
    env = homeport_env(tmp_path / "data")

    result = run_homeport(
        "merchant", "create", "--name", "Live", "--environment", "stage", "--site-cd", "A52Q7",
        "--certificate", str(one.certificate), "--private-key", str(other.key),
        "--private-key-password", PASSWORD, env=env, cwd=tmp_path,
    )  # fmt: skip

    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr
    listing = run_homeport("merchant", "list", env=env, cwd=tmp_path)
    assert "no merchants" in listing.stdout
