"""What every command needs: settings, logging, services, and clean failure messages."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from homeport.app import build_services
from homeport.config import Settings, settings_from_environment
from homeport.domain.errors import GatewayError
from homeport.observability.logging import configure_logging
from homeport.services import Services

T = TypeVar("T")


def load() -> Settings:
    """Settings from the environment, with logging configured; exit 2 on bad settings."""
    try:
        settings = settings_from_environment()
    except GatewayError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    configure_logging(json=settings.log_format == "json", level=settings.log_level)
    return settings


def run(settings: Settings, action: Callable[[Services], Awaitable[T]], *, with_sandbox: bool = False) -> T:
    """Run ``action`` with fresh services, closing them after; errors become exit 1.

    ``with_sandbox`` for commands that may talk to sandbox channels (the embedded KCP).
    """

    async def _main() -> T:
        services = build_services(settings, with_sandbox=with_sandbox)
        try:
            return await action(services)
        finally:
            await services.close()

    try:
        return asyncio.run(_main())
    except GatewayError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
