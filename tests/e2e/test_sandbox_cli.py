"""``homeport sandbox ...`` as an operator runs it: real child processes, ports and files."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs

import httpx

from homeport.sandbox.clock import WallClock
from homeport.sandbox.ledger import Ledger
from homeport.sandbox.records import VirtualAccount
from tests.e2e.processes import (
    HEALTH_TIMEOUT_SECONDS,
    STOP_GRACE_SECONDS,
    free_port,
    homeport_command,
    homeport_env,
    run_homeport,
    running_server,
)
from tests.sandbox_notify.support import put_account, running_receiver


def seed_account(data_dir: Path, **options: object) -> VirtualAccount:
    """A waiting virtual account written straight into the sandbox's SQLite ledger."""
    ledger = Ledger(data_dir / "sandbox.db")
    try:
        return put_account(ledger, now=WallClock().now(), **options)  # type: ignore[arg-type]
    finally:
        ledger.close()


@contextmanager
def sandbox_server(data_dir: Path, *args: str) -> Iterator[httpx.Client]:
    """``homeport sandbox serve`` on a free port, ready; stopped by its PID on exit."""
    port = free_port()
    out = data_dir.parent / f"{data_dir.name}-sandbox-{port}.log"
    with out.open("wb") as log:
        process = subprocess.Popen(
            [
                *homeport_command(),
                "sandbox",
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
                *args,
            ],
            env=homeport_env(data_dir.parent / "homeport-data"),
            cwd=data_dir.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5.0) as client:
            deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
            while True:
                if process.poll() is not None:
                    raise AssertionError(f"sandbox exited: {out.read_text(errors='replace')}")
                try:
                    if client.get("/_sandbox/sites").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, out.read_text(errors="replace")
                time.sleep(0.1)
            yield client
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_GRACE_SECONDS)


def test_sandbox_serve_answers_and_keeps_its_state_across_a_restart_until_reset(tmp_path: Path) -> None:
    """State lives in <data-dir>/sandbox.db: a restart keeps it, `homeport sandbox reset` clears it."""
    data_dir = tmp_path / "sandbox"
    nobody = f"http://127.0.0.1:{free_port()}/kcp/noti"  # nothing listens there
    account = seed_account(data_dir, amount=15_000)

    with sandbox_server(data_dir, "--notify-url", nobody) as client:
        sites = client.get("/_sandbox/sites").json()["sites"]
        deposited = client.post("/_sandbox/deposit", json={"account": account["account"]})
    assert {s["site_cd"] for s in sites} == {"T0000", "T0007", "A52Q7"}
    assert all(s["notify_url"] == nobody for s in sites)
    assert all(Path(s["certificate_path"]).parent == data_dir / "credentials" for s in sites)
    assert deposited.status_code == 200, deposited.text
    attempt = deposited.json()["attempts"][0]
    assert attempt["status"] is None
    assert "ConnectError" in attempt["error"]

    with sandbox_server(data_dir, "--notify-url", nobody) as client:
        vbank = client.get("/_sandbox/records/vbank").json()["records"]
        notes = client.get("/_sandbox/records/notification").json()["records"]
        reset = run_homeport(
            "sandbox", "reset", "--data-dir", str(data_dir), env=homeport_env(tmp_path), cwd=tmp_path
        )
        after = client.get("/_sandbox/records/vbank").json()
    assert [(v["account"], v["status"], v["deposited"]) for v in vbank] == [
        (account["account"], "deposited", 15_000)
    ]
    assert [n["fields"]["ipgm_mnyx"] for n in notes] == ["15000"]
    assert reset.returncode == 0, reset.stderr
    assert "sandbox state cleared" in reset.stdout
    assert after["count"] == 0


def test_sandbox_deposit_sends_the_notification_and_prints_every_attempt(tmp_path: Path) -> None:
    """The CLI works on the sandbox's SQLite state directly and delivers to the notify URL."""
    data_dir = tmp_path / "sandbox"
    account = seed_account(data_dir, amount=33_000)

    with running_receiver() as receiver:
        receiver.answer((500, "busy"))  # the first try fails, the CLI tries once and reports it
        first = run_homeport(
            "sandbox", "deposit", "--account", account["account"], "--amount", "10000",
            "--remitter", "박입금", "--data-dir", str(data_dir), "--notify-url", receiver.url(),
            env=homeport_env(tmp_path), cwd=tmp_path,
        )  # fmt: skip
        second = run_homeport(
            "sandbox", "deposit", "--tno", account["tno"], "--data-dir", str(data_dir),
            "--notify-url", receiver.url(), env=homeport_env(tmp_path), cwd=tmp_path,
        )  # fmt: skip
        posts = list(receiver.posts)

    assert first.returncode == 0, first.stderr
    assert "ipgm_mnyx=10000 totl_mnyx=10000" in first.stdout
    assert "attempt 1" in first.stdout
    assert "HTTP 500" in first.stdout
    assert "not delivered yet" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "ipgm_mnyx=23000 totl_mnyx=33000" in second.stdout  # the rest, by default
    assert "HTTP 200 result=0000" in second.stdout
    assert "delivered" in second.stdout
    fields = {k: v[0] for k, v in parse_qs(posts[0].body.decode("ascii"), encoding="euc-kr").items()}
    assert fields["remitter"] == "박입금"
    assert len(posts) == 2


def test_sandbox_deposit_to_an_unknown_account_fails_with_a_message(tmp_path: Path) -> None:
    """A clear error and exit status 1, no traceback."""
    result = run_homeport(
        "sandbox", "deposit", "--account", "T0000000000000", "--data-dir", str(tmp_path / "sandbox"),
        env=homeport_env(tmp_path), cwd=tmp_path,
    )  # fmt: skip

    assert result.returncode == 1
    assert "no virtual account T0000000000000" in result.stderr
    assert "Traceback" not in result.stderr


def test_sandbox_sites_prints_the_test_credential_files(tmp_path: Path) -> None:
    """Developers find the generated certificate and key (TEST ONLY) without reading code."""
    data_dir = tmp_path / "sandbox"

    result = run_homeport(
        "sandbox", "sites", "--data-dir", str(data_dir), env=homeport_env(tmp_path), cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert "TEST ONLY" in result.stdout
    for site in ("T0000", "T0007", "A52Q7"):
        assert str(data_dir / "credentials" / f"{site}.cert.pem") in result.stdout
        assert str(data_dir / "credentials" / f"{site}.key.pem") in result.stdout
    assert "password: changeit" in result.stdout


def test_homeport_serve_mounts_the_sandbox_at_slash_sandbox(tmp_path: Path) -> None:
    """One process: i'mport API at the root, KCP sandbox at /sandbox, data in <data dir>/sandbox."""
    data_dir = tmp_path / "data"
    with running_server(data_dir, homeport_env(data_dir)) as server:
        answer = httpx.get(f"{server.host}/sandbox/_sandbox/sites", timeout=5.0)

    assert answer.status_code == 200, answer.text
    sites = answer.json()["sites"]
    assert {s["site_cd"] for s in sites} == {"T0000", "T0007", "A52Q7"}
    for site in sites:
        assert site["notify_url"] == f"http://127.0.0.1:{server.port}/kcp/notifications"
        assert Path(site["certificate_path"]).parent == data_dir / "sandbox" / "credentials"


def test_homeport_sandbox_false_serves_no_sandbox(tmp_path: Path) -> None:
    """HOMEPORT_SANDBOX=false turns the embedded sandbox off."""
    data_dir = tmp_path / "data"
    with running_server(data_dir, homeport_env(data_dir, HOMEPORT_SANDBOX="false")) as server:
        answer = httpx.get(f"{server.host}/sandbox/_sandbox/sites", timeout=5.0)

    assert answer.status_code == 404
    assert not (data_dir / "sandbox").exists()
