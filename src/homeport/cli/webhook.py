"""``homeport webhook``: the webhook log, redelivery and a merchant's webhook settings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import typer

from homeport.app import prepare
from homeport.cli.common import load, run
from homeport.domain.webhooks.models import (
    DeliveryState,
    EventKind,
    EventRecord,
    WebhookFormat,
    WebhookSettings,
)
from homeport.services import Services

app = typer.Typer(help="Merchant webhooks: the delivery log, redelivery, settings.", no_args_is_help=True)

STATES = ("pending", "delivered", "failed", "skipped")


def _time(unix: int) -> str:
    return dt.datetime.fromtimestamp(unix, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _state_filter(state: str | None) -> DeliveryState | Literal["skipped"] | None:
    if state is None:
        return None
    if state == "skipped":
        return "skipped"
    if state not in STATES:
        typer.echo(f"error: --state must be one of {', '.join(STATES)}", err=True)
        raise typer.Exit(2)
    return DeliveryState(state)


def print_record(record: EventRecord) -> None:
    """One event, its deliveries and their attempts."""
    event = record.event
    cancel = f" cancellation_id={event.cancellation_id}" if event.cancellation_id else ""
    typer.echo(
        f"{event.id}  {event.kind.value}  status={event.status.value}  imp_uid={event.imp_uid}  "
        f"merchant_uid={event.merchant_uid}{cancel}  at {_time(event.created_at)}  "
        f"decision={event.decision.value}"
    )
    for delivery in record.deliveries:
        typer.echo(
            f"    delivery {delivery.id}  {delivery.url}  [{delivery.format.value}]  {delivery.state.value}  "
            f"attempts={delivery.attempt_count}"
            + (f"  next={_time(delivery.next_attempt_at)}" if delivery.state is DeliveryState.PENDING else "")
        )
        for attempt in delivery.attempts:
            outcome = f"HTTP {attempt.http_status}" if attempt.http_status is not None else attempt.error
            typer.echo(f"        {_time(attempt.attempted_at)}  {outcome}  {attempt.duration_ms} ms")


@app.command("list")
def list_events(
    merchant: Annotated[str | None, typer.Option(help="Merchant code (imp + 8 digits).")] = None,
    imp_uid: Annotated[str | None, typer.Option("--imp-uid", help="One payment's events.")] = None,
    state: Annotated[
        str | None, typer.Option(help="Events with a delivery pending, delivered or failed; or skipped ones.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many events, newest first.")] = 50,
) -> None:
    """The webhook log: events, deliveries and every attempt (time, HTTP status, duration)."""
    settings = load()
    wanted = _state_filter(state)

    async def action(services: Services) -> list[EventRecord]:
        await prepare(services, create_demo=False)
        merchant_id = await services.webhooks.merchant_id(merchant) if merchant else None
        return await services.webhooks.events(
            merchant_id=merchant_id, imp_uid=imp_uid, state=wanted, limit=limit
        )

    records = run(settings, action)
    if not records:
        typer.echo("no webhook events")
    for record in records:
        print_record(record)


@app.command("redeliver")
def redeliver(event_id: Annotated[str, typer.Argument(help="The event (its webhook-id, msg_...).")]) -> None:
    """Queue an event again now (same webhook-id), also a failed or skipped one."""
    settings = load()

    async def action(services: Services) -> list[int]:
        await prepare(services, create_demo=False)
        return await services.webhooks.redeliver(event_id)

    deliveries = run(settings, action)
    typer.echo(f"queued {event_id}: deliveries {', '.join(str(d) for d in deliveries)}")


def print_settings(code: str, settings: WebhookSettings) -> None:
    """A merchant's webhook settings, with the signing secret."""
    typer.echo(f"merchant {code}")
    typer.echo(f"  url:    {settings.url or '(none: only payments with a notice_url get webhooks)'}")
    typer.echo(f"  format: {settings.format.value}")
    typer.echo(f"  send:   {', '.join(sorted(k.value for k in settings.kinds)) or '(nothing)'}")
    unsent = sorted(k.value for k in EventKind if k not in settings.kinds)
    typer.echo(f"  off:    {', '.join(unsent) or '(nothing)'}")
    typer.echo(f"  secret: {settings.secret}")


@app.command("settings")
def configure(
    merchant: Annotated[str, typer.Option(help="Merchant code (imp + 8 digits).")],
    url: Annotated[
        str | None, typer.Option(help="Default URL (payments without a notice_url); '' removes it.")
    ] = None,
    format: Annotated[WebhookFormat | None, typer.Option("--format", help="Body format.")] = None,
    send: Annotated[list[EventKind] | None, typer.Option("--send", help="Also send this kind.")] = None,
    no_send: Annotated[
        list[EventKind] | None, typer.Option("--no-send", help="Stop sending this kind.")
    ] = None,
    rotate_secret: Annotated[
        bool, typer.Option("--rotate-secret", help="Replace the signing secret.")
    ] = False,
) -> None:
    """Show and change a merchant's webhook settings; prints the signing secret."""
    settings = load()

    async def action(services: Services) -> WebhookSettings:
        await prepare(services, create_demo=False)
        merchant_id = await services.webhooks.merchant_id(merchant)
        return await services.webhooks.configure(
            merchant_id,
            url=url,
            format=format,
            send=send or (),
            no_send=no_send or (),
            rotate_secret=rotate_secret,
        )

    print_settings(merchant, run(settings, action))
