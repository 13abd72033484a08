"""``homeport sandbox``: the KCP emulator on its own, and its state.

The sandbox's default data directory is ``<HOMEPORT_DATA_DIR>/sandbox``, the one
``homeport serve`` mounts at ``/sandbox``; ``--data-dir`` points elsewhere. Sites come from
``--sites FILE``, else ``<data dir>/sites.json``, else KCP's test sites (T0000, T0007,
A52Q7). Deposits notify ``--notify-url``, else each site's own ``notify_url``, else
homeport's KCP notification endpoint.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from homeport.app import sandbox_config
from homeport.cli.common import load
from homeport.domain.errors import GatewayError
from homeport.sandbox.app import build_sandbox, create_sandbox_app
from homeport.sandbox.config import SandboxConfig
from homeport.sandbox.control import site_descriptions
from homeport.sandbox.credentials import ensure_credentials
from homeport.sandbox.ledger import Ledger
from homeport.sandbox.notifications import DepositError, account_for_tno, deposit
from homeport.sandbox.records import Notification

app = typer.Typer(
    help="The KCP sandbox (an emulator of KCP's stage server; TEST ONLY).", no_args_is_help=True
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Sandbox state and credentials (default: <HOMEPORT_DATA_DIR>/sandbox)."),
]
SitesFile = Annotated[
    Path | None, typer.Option("--sites", help="JSON list of sites (site_cd, group_ids, notify_url...).")
]
NotifyUrl = Annotated[
    str | None, typer.Option("--notify-url", help="Send every site's common notifications here.")
]


def _config(
    data_dir: Path | None,
    sites: Path | None = None,
    notify_url: str | None = None,
    *,
    in_memory: bool = False,
) -> SandboxConfig:
    settings = load()
    try:
        return sandbox_config(
            settings, data_dir=data_dir, sites_file=sites, notify_url=notify_url, in_memory=in_memory
        )
    except GatewayError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8001,
    data_dir: DataDir = None,
    memory: Annotated[bool, typer.Option("--memory", help="Keep state in memory (lost on exit).")] = False,
    sites: SitesFile = None,
    notify_url: NotifyUrl = None,
) -> None:
    """Run the KCP sandbox alone: KCP's server API, payment windows and /_sandbox controls."""
    config = _config(data_dir, sites, notify_url, in_memory=memory)
    sandbox = build_sandbox(config)
    state = "memory" if memory else str(config.database_path)
    typer.echo(f"KCP sandbox (TEST ONLY) state in {state}")
    typer.echo(f"  test credentials in {config.credentials_dir}")
    for site in config.sites:
        typer.echo(f"  site {site.site_cd}: notifications to {site.notify_url or '(none)'}")
    typer.echo(f"KCP sandbox listening on http://{host}:{port}/")
    uvicorn.run(create_sandbox_app(sandbox), host=host, port=port, access_log=False, lifespan="on")


@app.command("reset")
def reset(data_dir: DataDir = None) -> None:
    """Forget every sandbox record (transactions, accounts, notifications); keep credentials."""
    config = _config(data_dir)
    ledger = Ledger(config.database_path)
    try:
        ledger.reset()
    finally:
        ledger.close()
    typer.echo(f"sandbox state cleared: {config.database_path}")


def _print_notification(notification: Notification) -> None:
    fields = notification["fields"]
    typer.echo(
        f"notification {notification['noti_id']} {fields.get('tx_cd')} op_cd={fields.get('op_cd')} "
        f"account={fields.get('account')} tno={fields.get('tno')} "
        f"ipgm_mnyx={fields.get('ipgm_mnyx')} totl_mnyx={fields.get('totl_mnyx')}"
    )
    if notification.get("note"):
        typer.echo(f"  {notification['note']}")
    if notification["url"]:
        typer.echo(f"  to {notification['url']} ({notification['charset']})")
    for attempt in notification["attempts"]:
        outcome = "delivered" if attempt.get("ok") else (attempt.get("error") or "failed")
        typer.echo(
            f"  attempt {attempt.get('n')} at {attempt.get('at')}: HTTP {attempt.get('status') or '-'} "
            f"result={attempt.get('result') or '-'} {attempt.get('duration_ms')} ms: {outcome}"
        )
    if notification["url"] and not notification["delivered"]:
        typer.echo("  not delivered yet; a running sandbox retries it")


@app.command("deposit")
def deposit_command(
    account: Annotated[str | None, typer.Option(help="The virtual account number.")] = None,
    tno: Annotated[str | None, typer.Option(help="The transaction the account was issued for.")] = None,
    amount: Annotated[
        int | None, typer.Option(help="Won (default: what remains; with --op-cd 13, all deposited).")
    ] = None,
    remitter: Annotated[str, typer.Option(help="The payer's name.")] = "홍길동",
    op_cd: Annotated[str, typer.Option("--op-cd", help="50 deposit, 13 bank cancelled a deposit.")] = "50",
    data_dir: DataDir = None,
    sites: SitesFile = None,
    notify_url: NotifyUrl = None,
) -> None:
    """Deposit into a virtual account and send the TX00 notification, printing every attempt."""
    if (account is None) == (tno is None):
        typer.echo("error: give exactly one of --account and --tno", err=True)
        raise typer.Exit(2)
    config = _config(data_dir, sites, notify_url)

    async def _main() -> Notification:
        sandbox = build_sandbox(config)
        try:
            number = account if account is not None else account_for_tno(sandbox, str(tno))
            return await deposit(sandbox, number, amount, remitter=remitter, op_cd=op_cd)
        finally:
            await sandbox.http.aclose()
            sandbox.ledger.close()

    try:
        notification = asyncio.run(_main())
    except DepositError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    _print_notification(notification)


@app.command("sites")
def sites_command(
    data_dir: DataDir = None,
    sites: SitesFile = None,
    notify_url: NotifyUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The sites the sandbox accepts, with their TEST ONLY certificate and key files."""
    config = _config(data_dir, sites, notify_url)
    described = site_descriptions(config, ensure_credentials(config))
    if as_json:
        typer.echo(json.dumps(described, ensure_ascii=False, indent=2))
        return
    typer.echo(f"KCP sandbox sites (TEST ONLY credentials in {config.credentials_dir})")
    for site in described:
        extras = []
        if site["group_ids"]:
            extras.append("group_ids=" + ",".join(site["group_ids"]))
        if site["escrow"]:
            extras.append("escrow")
        typer.echo(f"{site['site_cd']}  {site['site_name']}  {' '.join(extras)}".rstrip())
        typer.echo(f"    notify_url:   {site['notify_url'] or '(none)'} ({site['notify_charset']})")
        typer.echo(f"    certificate:  {site['certificate_path']}")
        typer.echo(f"    private key:  {site['private_key_path']} (password: {site['key_password']})")
