"""``homeport serve``: one process with the API on loopback and embedded defaults."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Annotated, Any

import typer
import uvicorn

from homeport.app import Startup, build_services, create_app, prepare
from homeport.cli.common import load
from homeport.cli.merchant import print_created
from homeport.domain.errors import GatewayError
from homeport.services import Services


def _announce(settings_host: str, port: int, startup: Startup, services: Services) -> None:
    if startup.demo is not None:
        print_created(startup.demo, title="demo merchant created")
    typer.echo(f"homeport {services.settings.database_url.split('://')[0]} database ready")
    if startup.has_production_channels and services.sandbox is not None:
        typer.echo("a production KCP channel exists: the KCP sandbox is not served at /sandbox")
    typer.echo(f"homeport listening on http://{settings_host}:{port}/")


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (HOMEPORT_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (HOMEPORT_PORT).")] = None,
) -> None:
    """Start homeport: migrate the database, create the demo merchant if empty, serve HTTP."""
    settings = load()
    settings = replace(settings, host=host or settings.host, port=port or settings.port)
    services = build_services(settings)

    async def _prepare() -> Startup:
        try:
            return await prepare(services)
        finally:
            # The server runs its own event loop; connections made here belong to this one.
            await services.engine.dispose()

    try:
        startup = asyncio.run(_prepare())
    except GatewayError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    _announce(settings.host, settings.port, startup, services)
    run_server(
        create_app(
            services,
            mount_sandbox=not startup.has_production_channels,
            run_workers=settings.workers_enabled,
        ),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
    )


def run_server(app: Any, *, host: str, port: int, log_level: str) -> None:
    """Serve an ASGI app with homeport's uvicorn settings (bench/ serves its baseline with
    this too, so the two are measured on the same server stack)."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=False,  # our middleware logs requests by route template, without queries
        log_level=log_level,
        lifespan="on",
    )
