"""``homeport reconcile``: payments in doubt, and settling the ones homeport cannot settle alone.

A charge whose answer was lost has no KCP transaction number (tno), and KCP's inquiry needs
one (kcp.md §5). The operator finds the transaction in KCP's admin by order number (homeport
sends the merchant_uid as KCP's ``ordr_idxx``) and settles it here (decision 0013).
"""

from __future__ import annotations

from typing import Annotated

import typer

from homeport.cli.common import load, run
from homeport.domain.payments.models import Payment
from homeport.domain.payments.reconcile import InDoubt
from homeport.services import Services

app = typer.Typer(help="Payments whose outcome at KCP is in doubt.", no_args_is_help=True)

#: Rows shown by ``list``.
LIST_LIMIT = 500


def _age(seconds: int) -> str:
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s"


def describe(item: InDoubt, now: int) -> str:
    """One line of ``list``: what an operator needs to find the transaction at KCP."""
    attempt, payment = item.attempt, item.payment
    how = f"tno {attempt.pg_tid} (reconciled automatically)" if attempt.pg_tid else "no tno: settle by hand"
    return (
        f"{payment.imp_uid}  merchant {payment.merchant_id}  order {payment.merchant_uid}  "
        f"{payment.amount}원  age {_age(now - attempt.started_at)}  "
        f"{attempt.operation.value}/{attempt.state.value}  site {attempt.pg_id}  {how}"
    )


@app.command("list")
def list_in_doubt() -> None:
    """List payments with a PG request in doubt (oldest first)."""
    settings = load()

    async def action(services: Services) -> list[str]:
        now = services.clock.now()
        return [describe(i, now) for i in await services.reconciliation.in_doubt(LIST_LIMIT)]

    lines = run(settings, action)
    if not lines:
        typer.echo("no payments in doubt")
    for line in lines:
        typer.echo(line)


@app.command("settle")
def settle(
    imp_uid: Annotated[str, typer.Argument(help="The payment in doubt (imp_...).")],
    pg_tid: Annotated[
        str | None, typer.Option("--pg-tid", help="KCP's tno for the order, found in KCP's admin.")
    ] = None,
    not_approved: Annotated[
        bool, typer.Option("--not-approved", help="KCP approved nothing for the order: fail the payment.")
    ] = False,
) -> None:
    """Settle a charge in doubt: with the tno KCP shows for its order, or as not approved."""
    if (pg_tid is None) == (not not_approved):
        typer.echo("error: give exactly one of --pg-tid TNO or --not-approved", err=True)
        raise typer.Exit(2)
    settings = load()

    async def action(services: Services) -> Payment:
        if pg_tid is not None:
            return await services.reconciliation.settle_with_pg_tid(imp_uid, pg_tid)
        return await services.reconciliation.settle_not_approved(imp_uid)

    payment = run(settings, action, with_sandbox=True)
    reason = payment.fail_reason or payment.cancel_reason or ""
    typer.echo(f"{payment.imp_uid}: {payment.status.value} (tno {payment.pg_tid or '-'}) {reason}".rstrip())
