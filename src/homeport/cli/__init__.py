"""The ``homeport`` command: thin wrappers over the services built in ``homeport.app``."""

from __future__ import annotations

import typer

from homeport.cli import db, merchant, reconcile, sandbox, serve, webhook, worker

app = typer.Typer(
    name="homeport",
    help="Self-hosted i'mport (PortOne v1) compatible payment gateway for NHN KCP.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("serve")(serve.serve)
app.add_typer(db.app, name="db")
app.add_typer(merchant.app, name="merchant")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(webhook.app, name="webhook")
app.add_typer(reconcile.app, name="reconcile")
app.command("worker")(worker.worker)


def main() -> None:
    """Console-script entry point."""
    app()
