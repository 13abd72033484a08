"""Fixtures for the KCP sandbox: a sandbox on a temporary directory, an HTTP client, helpers.

Credentials (a CA and three RSA-2048 site keys) are generated once a session and copied into
each test's directory; everything else is fresh per test.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from homeport.sandbox.app import build_sandbox, create_sandbox_app
from homeport.sandbox.clock import ManualClock
from homeport.sandbox.config import SandboxConfig
from homeport.sandbox.context import Sandbox
from homeport.sandbox.credentials import ensure_credentials
from tests.sandbox.kcp import Kcp


class _NoNetwork(httpx.AsyncBaseTransport):
    """The API tests configure no notify_url: the sandbox must not call out."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"sandbox API tests make no outbound calls ({request.url})")


@pytest.fixture(scope="session")
def credentials_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated test-only credentials, made once a session."""
    base = tmp_path_factory.mktemp("sandbox-credentials")
    config = SandboxConfig(data_dir=base)
    ensure_credentials(config)
    return config.credentials_dir


@pytest.fixture
def sandbox_config(tmp_path: Path, credentials_template: Path) -> SandboxConfig:
    """A file-backed sandbox with short hold and slow delays."""
    config = SandboxConfig(data_dir=tmp_path, in_memory=False, hold_seconds=2, slow_seconds=0.2)
    shutil.copytree(credentials_template, config.credentials_dir)
    return config


@pytest.fixture
def sandbox_clock() -> ManualClock:
    """The sandbox's time: 2026-03-02 10:00:00 KST until moved."""
    return ManualClock()


@pytest.fixture
async def sandbox(sandbox_config: SandboxConfig, sandbox_clock: ManualClock) -> AsyncIterator[Sandbox]:
    """The sandbox's state."""
    built = build_sandbox(sandbox_config, clock=sandbox_clock, http=httpx.AsyncClient(transport=_NoNetwork()))
    yield built
    await built.http.aclose()
    built.ledger.close()


@pytest.fixture
def sandbox_app(sandbox: Sandbox) -> FastAPI:
    """The sandbox's ASGI app."""
    return create_sandbox_app(sandbox)


@pytest.fixture
async def client(sandbox_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the sandbox in-process."""
    transport = httpx.ASGITransport(app=sandbox_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
        yield http


@pytest.fixture
def kcp(client: httpx.AsyncClient, sandbox: Sandbox) -> Kcp:
    """A merchant's view of the sandbox: signed requests, window auths, common flows."""
    return Kcp(client, sandbox)
