"""Building the sandbox ASGI app (standalone, or mounted inside ``homeport serve``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from homeport.sandbox.clock import SandboxClock, WallClock
from homeport.sandbox.config import SandboxConfig
from homeport.sandbox.context import Sandbox
from homeport.sandbox.credentials import ensure_credentials, serialize_certificate
from homeport.sandbox.ledger import Ledger
from homeport.sandbox.notifications import NotificationLoop


def build_sandbox(
    config: SandboxConfig,
    *,
    clock: SandboxClock | None = None,
    http: httpx.AsyncClient | None = None,
) -> Sandbox:
    """State for a sandbox: generates missing credentials, opens the ledger."""
    credentials = ensure_credentials(config)
    ledger = Ledger(None if config.in_memory else config.database_path)
    return Sandbox(
        config=config,
        ledger=ledger,
        credentials=credentials,
        clock=clock or WallClock(),
        # Notifications go to merchant servers; KCP gives them little time (kcp.md §9).
        http=http or httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0)),
        cert_infos={site: serialize_certificate(c.certificate_pem()) for site, c in credentials.items()},
    )


def create_sandbox_app(sandbox: Sandbox) -> FastAPI:
    """The sandbox's HTTP surface: KCP's server API, payment windows, control endpoints."""
    from homeport.sandbox import control, server, windows  # noqa: PLC0415 - keeps import cheap

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Retries of common notifications (kcp.md §9.2). A mounted sub-app's lifespan does not
        # run: the host app (homeport serve) starts its own NotificationLoop instead.
        notifications = NotificationLoop(sandbox)
        notifications.start()
        try:
            yield
        finally:
            await notifications.stop()
            await sandbox.http.aclose()

    app = FastAPI(
        title="homeport KCP sandbox",
        description="An emulator of NHN KCP's stage server. TEST ONLY: no money moves.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.sandbox = sandbox
    app.include_router(server.router)
    app.include_router(windows.router)
    app.include_router(control.router)
    return app
