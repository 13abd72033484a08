"""``homeport db``: schema migrations."""

from __future__ import annotations

import typer

from homeport.cli.common import load, run
from homeport.services import Services
from homeport.store.migrate import current_revision, head_revision, upgrade

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command() -> None:
    """Apply every pending migration to HOMEPORT_DATABASE_URL."""
    settings = load()

    async def action(services: Services) -> str | None:
        await upgrade(services.engine)
        return await current_revision(services.engine)

    revision = run(settings, action)
    typer.echo(f"database is at revision {revision} (head {head_revision()})")


@app.command("current")
def current_command() -> None:
    """Show the revision the database is at."""
    settings = load()

    async def action(services: Services) -> str | None:
        return await current_revision(services.engine)

    revision = run(settings, action)
    typer.echo(f"database is at revision {revision or 'none (empty)'} (head {head_revision()})")
