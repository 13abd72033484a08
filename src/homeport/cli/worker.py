"""``homeport worker``: the background workers alone, for scale-out on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import typer

from homeport.app import build_services, check_encryption_key
from homeport.cli.common import load
from homeport.domain.errors import GatewayError
from homeport.services import Services
from homeport.store.migrate import current_revision, head_revision
from homeport.workers.runner import run_workers, tasks_for


def worker() -> None:
    """Run the background workers (due scheduled payments...) until SIGTERM or Ctrl-C.

    The database must already be migrated (``homeport serve`` or ``homeport db upgrade``):
    a worker never changes the schema, so it can be started before, beside or after the
    servers. Several workers may run at once on one PostgreSQL database.
    """
    settings = load()

    async def _main() -> None:
        # The embedded sandbox serves sandbox channels' charges in-process, as in serve.
        services = build_services(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        try:
            if not await _schema_ready(services, stop):
                return
            await check_encryption_key(services)
            typer.echo(f"homeport worker running: {', '.join(t.name for t in tasks_for(services))}")
            await run_workers(services, stop=stop)
        finally:
            await services.close()

    try:
        asyncio.run(_main())
    except GatewayError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo("homeport worker stopped")


async def _schema_ready(services: Services, stop: asyncio.Event) -> bool:
    """Wait until the database is migrated to this code's head (by ``serve`` or ``db
    upgrade``); False if told to stop first. A worker never migrates: the schema belongs to
    whoever deploys, and a worker started first just waits."""
    announced = False
    while not stop.is_set():
        revision = await current_revision(services.engine)
        if revision == head_revision():
            return True
        if not announced:
            typer.echo(
                f"waiting for the database to reach revision {head_revision()} "
                f"(it is at {revision or 'none'}): run `homeport db upgrade` or start `homeport serve`"
            )
            announced = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=services.settings.worker_poll_seconds)
    return False
