"""Real-browser fixtures: Debian's Chromium driven by Playwright, and a sandbox process to browse.

Chromium is Debian's package at ``/usr/bin/chromium`` (``scripts/install`` installs it);
Playwright's own browser download (``playwright install``) is never used. The tests use
Playwright's sync API from plain test functions: while a sync Playwright is alive it marks
its event loop as running in this thread, so the browser lives for one module only and is
gone before any asyncio test of another module runs.

The sandbox is ``homeport sandbox serve`` as an operator starts it: a child process on a free
loopback port with its own data directory, stopped by its PID.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Error, Page, sync_playwright

from homeport.sandbox.credentials import serialize_certificate
from tests.e2e.processes import (
    HEALTH_TIMEOUT_SECONDS,
    STOP_GRACE_SECONDS,
    free_port,
    homeport_command,
    homeport_env,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
#: How long a Playwright action or expectation waits before failing the test.
ACTION_TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from /usr/bin/chromium; fails (never skips) when it is not installed."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/install (it installs Debian's chromium package; "
            "never `playwright install`)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        except Error as problem:
            pytest.fail(f"{CHROMIUM} did not start under Playwright: {problem}", pytrace=False)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile and tab; a JavaScript error on any page fails the test."""
    context = browser.new_context(locale="ko-KR", viewport={"width": 1024, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    tab = context.new_page()
    script_errors: list[str] = []
    tab.on("pageerror", lambda problem: script_errors.append(str(problem)))
    try:
        yield tab
    finally:
        context.close()
    assert not script_errors, f"JavaScript errors: {script_errors}"


@dataclass(frozen=True)
class SandboxServer:
    """A running ``homeport sandbox serve``: its root URL and its (TEST ONLY) credentials."""

    url: str
    data_dir: Path

    def cert_info(self, site_cd: str = "T0000") -> str:
        """``kcp_cert_info`` for a site: its generated certificate with CR/LF removed (kcp.md §3.1)."""
        pem = (self.data_dir / "credentials" / f"{site_cd}.cert.pem").read_text(encoding="ascii")
        return serialize_certificate(pem)


@pytest.fixture(scope="module")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """``homeport sandbox serve --port P --data-dir D`` on 127.0.0.1, ready; stopped by its PID."""
    root = tmp_path_factory.mktemp("browser-sandbox")
    data_dir = root / "sandbox"
    port = free_port()
    log_path = root / f"sandbox-{port}.log"
    command = [*homeport_command(), "sandbox", "serve", "--host", "127.0.0.1", "--port", str(port)]
    # These tests make no deposits, so nothing is notified; should one be, it goes nowhere.
    nowhere = f"http://127.0.0.1:{free_port()}/kcp/noti"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--data-dir", str(data_dir), "--notify-url", nowhere],
            env=homeport_env(root / "homeport-data"),
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, url, log_path)
        yield SandboxServer(url=url, data_dir=data_dir)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_GRACE_SECONDS)


def _wait_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
    with httpx.Client(base_url=url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"sandbox exited early:\n{log_path.read_text(errors='replace')}", pytrace=False)
            try:
                if client.get("/_sandbox/sites").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    pytest.fail(
        f"sandbox not ready within {HEALTH_TIMEOUT_SECONDS} s:\n{log_path.read_text(errors='replace')}",
        pytrace=False,
    )
