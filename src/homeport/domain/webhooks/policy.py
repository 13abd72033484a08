"""Which payment changes make which webhook, whether it is sent, where, and how retries space out.

The contract's defaults (iamport-v1 §6): sent for an approval or a vbank deposit (``paid``), a
vbank issued (``ready``), a scheduled payment's result (``paid``/``failed``) and a console
cancel; **not** sent for a failed checkout or API payment, nor for an API cancel unless the
request had ``enable_webhook=true``. homeport adds two kinds the contract is silent about
(a deposit taken back, an expired virtual account) and sends them by default (decision 0011).
"""

from __future__ import annotations

import base64
import json
import secrets

from homeport.domain.payments.accounts import expired_account
from homeport.domain.payments.models import Payment, PaymentStatus
from homeport.domain.webhooks.models import Decision, EventKind, WebhookSettings

#: ``customer_uid_usage`` of a payment charged from a schedule (§5.2; domain/payments/charges.py).
SCHEDULED_USAGE = "payment.scheduled"

#: First retry a minute after a failed try (hyperswitch's and §6's "1-minute" spacing), then
#: doubling, never more than an hour apart.
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 3600


def event_kind(
    before: Payment, after: Payment, *, cancellation_id: str | None = None, requested: bool | None = None
) -> EventKind | None:
    """The event a change from ``before`` to ``after`` is, or None when it is none.

    ``requested`` is None for a change no merchant API request made (an operator, a worker,
    the PG); True or False for the merchant's API request and its ``enable_webhook``.
    """
    if cancellation_id is not None:
        # A partial cancel keeps the payment paid but is a cancel all the same (§6 cancellation_id).
        return _cancel_kind(requested)
    if before.status is after.status:
        issued = after.virtual_account is not None and bool(after.virtual_account.number)
        was_issued = before.virtual_account is not None and bool(before.virtual_account.number)
        ready = after.status is PaymentStatus.READY
        return EventKind.VBANK_ISSUED if ready and issued and not was_issued else None
    return _transition_kind(before, after, requested)


def _cancel_kind(requested: bool | None) -> EventKind:
    """An operator's cancel (§6 "console") unless the merchant's API asked for it."""
    return EventKind.CANCELLED if requested is None else EventKind.API_CANCELLED


def _transition_kind(before: Payment, after: Payment, requested: bool | None) -> EventKind | None:
    scheduled = after.customer_uid_usage == SCHEDULED_USAGE
    if after.status is PaymentStatus.PAID:
        return EventKind.SCHEDULE_PAID if scheduled else EventKind.PAID
    if after.status is PaymentStatus.FAILED:
        return EventKind.SCHEDULE_FAILED if scheduled else EventKind.FAILED
    if after.status is PaymentStatus.READY and before.status is PaymentStatus.PAID:
        return EventKind.DEPOSIT_CANCELLED
    if after.status is PaymentStatus.CANCELLED and before.status is PaymentStatus.READY:
        # An unpaid virtual account closed: by the expiry worker, or revoked (DELETE /vbanks).
        expired = expired_account(after) and requested is None
        return EventKind.VBANK_EXPIRED if expired else _cancel_kind(requested)
    return None


def decide(kind: EventKind, requested: bool | None, settings: WebhookSettings, urls: list[str]) -> Decision:
    """Whether the event is sent: the merchant receives its kind, or the request asked for it."""
    if not (requested or kind in settings.kinds):
        return Decision.NOT_SUBSCRIBED
    if not urls:
        return Decision.NO_ENDPOINT
    return Decision.SEND


def destinations(notice_url: str | None, default_url: str | None) -> list[str]:
    """Where the event goes: the payment's notice_url **replaces** the merchant's URL (§6).

    notice_url is stored as one URL, or several as JSON-array text (checkout/requests.py
    ``notice_url``); each URL gets its own delivery.
    """
    text = (notice_url or "").strip()
    if text.startswith("["):
        try:
            listed = json.loads(text)
        except ValueError:
            listed = []
        urls = [u for u in listed if isinstance(u, str) and u] if isinstance(listed, list) else []
        if urls:
            return list(dict.fromkeys(urls))
    elif text:
        return [text]
    return [default_url] if default_url else []


def retry_delay(attempt_count: int) -> int:
    """Seconds to wait after the ``attempt_count``-th failed try: 60, 120, 240, ... capped at 1 h."""
    return min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS << max(0, attempt_count - 1))


def new_event_id() -> str:
    """A ``webhook-id``: ``msg_`` + 24 random characters (Standard Webhooks' example shape)."""
    return "msg_" + secrets.token_urlsafe(18)


def new_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
