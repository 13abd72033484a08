"""Fixtures for the sandbox's deposits and common notifications.

The merchant side is a real HTTP receiver (:mod:`tests.sandbox_notify.support`); the
sandbox runs on a ManualClock, so retries are tested by moving time, never by sleeping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from homeport.sandbox.clock import ManualClock
from homeport.sandbox.config import DEFAULT_SITES, SandboxConfig, SiteConfig
from homeport.sandbox.context import Sandbox
from homeport.sandbox.credentials import ensure_credentials
from tests.sandbox_notify.support import INTERVAL, Receiver, make_sandbox, running_receiver, sites_for


@pytest.fixture(scope="session")
def receiver_server() -> Iterator[Receiver]:
    """One real HTTP receiver for the session."""
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def receiver(receiver_server: Receiver) -> Receiver:
    """The receiver, emptied for this test."""
    receiver_server.clear()
    return receiver_server


@pytest.fixture(scope="session")
def credentials_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sandbox credentials generated once (RSA keys are slow); each test gets a copy."""
    directory = tmp_path_factory.mktemp("sandbox-credentials")
    sites = tuple(SiteConfig.from_dict(s) for s in DEFAULT_SITES)
    ensure_credentials(SandboxConfig(data_dir=directory, sites=sites))
    return directory / "credentials"


@pytest.fixture
def clock() -> ManualClock:
    """Sandbox time, moved by hand."""
    return ManualClock()


@pytest.fixture
async def sandbox(
    tmp_path: Path, credentials_template: Path, clock: ManualClock, receiver: Receiver
) -> AsyncIterator[Sandbox]:
    """A sandbox on a file ledger whose sites notify the receiver, retrying every 60 s."""
    built = make_sandbox(
        tmp_path, credentials_template, clock, notify_interval_seconds=INTERVAL, sites=sites_for(receiver)
    )
    yield built
    await built.http.aclose()
    built.ledger.close()


def control_app(sandbox: Sandbox) -> FastAPI:
    """The sandbox app (at least its control router) for in-process requests."""
    from homeport.sandbox.app import create_sandbox_app  # noqa: PLC0415

    try:
        return create_sandbox_app(sandbox)
    except ImportError:  # KCP's server API is built by another issue
        from homeport.sandbox import control  # noqa: PLC0415

        app = FastAPI()
        app.state.sandbox = sandbox
        app.include_router(control.router)
        return app


@pytest.fixture
async def control(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the sandbox app, in process."""
    transport = httpx.ASGITransport(app=control_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        yield client
