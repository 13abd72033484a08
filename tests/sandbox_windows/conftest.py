"""Fixtures for the payment-window tests: a sandbox on a temporary directory and a client.

Generating RSA credentials is the slow part of building a sandbox, so one set is made per
session and copied into each test's data directory.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from homeport.sandbox.app import build_sandbox, create_sandbox_app
from homeport.sandbox.clock import ManualClock
from homeport.sandbox.config import SandboxConfig
from homeport.sandbox.context import Sandbox
from homeport.sandbox.credentials import ensure_credentials

BASE_URL = "http://sandbox.test"


@pytest.fixture(scope="session")
def credentials_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sandbox credentials generated once for the session."""
    config = SandboxConfig(data_dir=tmp_path_factory.mktemp("sandbox-credentials"))
    ensure_credentials(config)
    return config.credentials_dir


@pytest.fixture
def clock() -> ManualClock:
    """Sandbox time: 2026-03-02 10:00 KST until a test moves it."""
    return ManualClock()


@pytest.fixture
async def sandbox(tmp_path: Path, credentials_template: Path, clock: ManualClock) -> AsyncIterator[Sandbox]:
    """A sandbox with KCP's test sites (T0000, T0007 escrow, A52Q7 batch with A52Q71000489)."""
    config = SandboxConfig(data_dir=tmp_path / "sandbox")
    shutil.copytree(credentials_template, config.credentials_dir)
    built = build_sandbox(config, clock=clock)
    yield built
    await built.http.aclose()
    built.ledger.close()


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """The sandbox app over ASGI (the buyer's browser, in effect)."""
    transport = httpx.ASGITransport(app=create_sandbox_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http
