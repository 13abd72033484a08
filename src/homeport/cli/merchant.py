"""``homeport merchant``: creating and listing merchants."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from homeport.app import prepare
from homeport.cli.common import load, run
from homeport.domain.errors import ConfigurationError
from homeport.domain.merchants.models import ChannelEnvironment, CreatedMerchant, NewChannel
from homeport.domain.merchants.service import MerchantSummary
from homeport.pg.kcp.credentials import KcpCredentials
from homeport.services import Services

app = typer.Typer(help="Merchants, their REST API keys and PG channels.", no_args_is_help=True)


def print_created(created: CreatedMerchant, *, title: str = "merchant created") -> None:
    """Show a new merchant's credentials; the secret is shown this once only."""
    typer.echo(f"{title}: {created.merchant.name}")
    typer.echo(f"  merchant code (IMP.init): {created.merchant.code}")
    typer.echo(f"  REST API key (imp_key):   {created.imp_key}")
    typer.echo(f"  REST API secret:          {created.imp_secret}")
    typer.echo("  The secret is shown only now; homeport keeps only its hash.")
    for channel in created.channels:
        default = " (default)" if channel.is_default else ""
        typer.echo(f"  channel: {channel.pg_provider}.{channel.site_code} [{channel.environment}]{default}")


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Shop name shown in the console.")],
    site_cd: Annotated[str, typer.Option("--site-cd", help="KCP site code.")] = "T0000",
    environment: Annotated[
        ChannelEnvironment, typer.Option(help="Which KCP the channel talks to.")
    ] = ChannelEnvironment.SANDBOX,
    site_name: Annotated[str | None, typer.Option(help="KCP site name.")] = None,
    certificate: Annotated[Path | None, typer.Option(help="KCP service certificate (PEM file).")] = None,
    private_key: Annotated[
        Path | None, typer.Option(help="KCP private key (encrypted PKCS#8 PEM file).")
    ] = None,
    private_key_password: Annotated[
        str | None,
        typer.Option(
            envvar="HOMEPORT_KCP_KEY_PASSWORD",
            help="Password of the private key (or set HOMEPORT_KCP_KEY_PASSWORD); stored encrypted.",
        ),
    ] = None,
    batch_group_id: Annotated[
        str | None, typer.Option(help="KCP batch (billing) group id, e.g. A52Q71000489.")
    ] = None,
    code: Annotated[str | None, typer.Option(help="Merchant code; generated if omitted.")] = None,
    imp_key: Annotated[str | None, typer.Option(help="REST API key; generated if omitted.")] = None,
    imp_secret: Annotated[
        str | None,
        typer.Option(envvar="HOMEPORT_NEW_IMP_SECRET", help="REST API secret; generated if omitted."),
    ] = None,
) -> None:
    """Create a merchant with a REST API key and a default KCP channel."""
    settings = load()
    for label, path in (("certificate", certificate), ("private key", private_key)):
        if path is not None and not path.is_file():
            typer.echo(f"error: {label} file {path} does not exist", err=True)
            raise typer.Exit(2)
    if environment is not ChannelEnvironment.SANDBOX and (certificate is None or private_key is None):
        typer.echo(f"error: a {environment} channel needs --certificate and --private-key", err=True)
        raise typer.Exit(2)
    if certificate is not None and private_key is not None:
        # The same check homeport serve makes at start, made before anything is stored.
        try:
            KcpCredentials.from_files(certificate, private_key, private_key_password).check_pair()
        except ConfigurationError as problem:
            typer.echo(f"error: {problem.message}", err=True)
            raise typer.Exit(2) from None
    channel = NewChannel(
        site_code=site_cd,
        environment=environment,
        site_name=site_name,
        certificate_path=str(certificate.resolve()) if certificate else None,
        private_key_path=str(private_key.resolve()) if private_key else None,
        private_key_password=private_key_password,
        batch_group_id=batch_group_id,
    )

    async def action(services: Services) -> CreatedMerchant:
        await prepare(services, create_demo=False)
        return await services.merchants.create(
            name, code=code, imp_key=imp_key, imp_secret=imp_secret, channels=[channel]
        )

    print_created(run(settings, action))


@app.command("list")
def list_merchants() -> None:
    """List merchants with their REST API keys and channels (never secrets)."""
    settings = load()

    async def action(services: Services) -> list[MerchantSummary]:
        await prepare(services, create_demo=False)
        return await services.merchants.list()

    summaries = run(settings, action)
    if not summaries:
        typer.echo("no merchants")
    for summary in summaries:
        merchant = summary.merchant
        keys = ", ".join(c.imp_key for c in summary.credentials)
        typer.echo(f"{merchant.code}  {merchant.name}  imp_key={keys}")
        for channel in summary.channels:
            default = " (default)" if channel.is_default else ""
            group = f" group={channel.batch_group_id}" if channel.batch_group_id else ""
            typer.echo(
                f"    {channel.pg_provider}.{channel.site_code} [{channel.environment}]{group}{default}"
            )
