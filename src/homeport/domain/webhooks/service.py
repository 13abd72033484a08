"""The outbox's rules: claiming due deliveries, recording tries, retries, redelivery, settings.

HTTP is the worker's (homeport.workers.outbox); this service decides what a try's outcome
means. Retries back off exponentially (policy.retry_delay) until the retry horizon after the
event (HOMEPORT_WEBHOOK_RETRY_HORIZON), then the delivery is ``failed``; a redelivery queues a
new delivery of the same event, which keeps its ``webhook-id``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

import structlog

from homeport.clock import Clock
from homeport.domain.checkout.approval import merchant_id_of
from homeport.domain.checkout.requests import http_url
from homeport.domain.errors import InvalidRequest, NotFound
from homeport.domain.uow import UnitOfWorkFactory
from homeport.domain.webhooks.models import (
    Attempt,
    ClaimedDelivery,
    DeliveryState,
    EventKind,
    EventRecord,
    WebhookFormat,
    WebhookSettings,
)
from homeport.domain.webhooks.policy import destinations, new_secret, retry_delay

log = structlog.get_logger("homeport.webhooks")

#: Three days, as Stripe retries live webhooks: a merchant down over a weekend night still
#: gets every event, and a virtual account's deposit window (usually 1-3 days) is covered.
DEFAULT_RETRY_HORIZON = 3 * 86_400
#: How long a claimed delivery is the claimer's: more than one try can take (connect 10 s +
#: read 30 s, §6) with the batch sent concurrently; after it, a dead worker's claim lapses.
LEASE_SECONDS = 120
#: Deliveries one run_once claims.
BATCH = 20


class WebhookService:
    """Webhook deliveries and settings, for the outbox worker and the CLI."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, *, retry_horizon: int = DEFAULT_RETRY_HORIZON
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._horizon = retry_horizon

    async def merchant_id(self, merchant_code: str) -> int:
        """The merchant of an identification code (``imp`` + 8 digits), or MerchantNotFound."""
        return await merchant_id_of(self._uow, merchant_code)

    async def claim(self, limit: int = BATCH) -> list[ClaimedDelivery]:
        """Lease due deliveries to this caller, with their events and signing secrets."""
        now = self._clock.now()
        async with self._uow(readonly=True) as uow:
            if not await uow.webhooks.any_due(now):
                return []
        async with self._uow() as uow:
            deliveries = await uow.webhooks.claim_due(now, limit, now + LEASE_SECONDS)
            if not deliveries:
                return []
            events = await uow.webhooks.events_by_id([d.event_id for d in deliveries])
            secrets: dict[int, str] = {}
            for merchant_id in sorted({e.merchant_id for e in events.values()}):
                secrets[merchant_id] = await uow.webhooks.ensure_secret(merchant_id, new_secret(), now)
        return [
            ClaimedDelivery(d, events[d.event_id], secrets[events[d.event_id].merchant_id])
            for d in deliveries
        ]

    async def record(self, claimed: ClaimedDelivery, attempt: Attempt) -> DeliveryState:
        """Store a try's outcome: delivered on 2xx, else retried later or, past the horizon, failed."""
        delivery = claimed.delivery
        count = delivery.attempt_count + 1
        if attempt.succeeded:
            state, due = DeliveryState.DELIVERED, delivery.next_attempt_at
        else:
            due = attempt.attempted_at + retry_delay(count)
            # The horizon counts from the delivery (a redelivery gets a full one of its own).
            expired = due > delivery.created_at + self._horizon
            state = DeliveryState.FAILED if expired else DeliveryState.PENDING
        async with self._uow() as uow:
            recorded = await uow.webhooks.record(delivery, attempt, state=state, next_attempt_at=due)
        if not recorded:
            log.warning("webhook.lease_lost", delivery_id=delivery.id, event_id=delivery.event_id)
        log.info(
            "webhook.attempt",
            event_id=delivery.event_id,
            delivery_id=delivery.id,
            http_status=attempt.http_status,
            error=attempt.error,
            state=state.value,
        )
        return state

    async def redeliver(self, event_id: str) -> list[int]:
        """Queue the event again, now, to its destinations as they are now (the payment's
        notice_url, else the merchant's URL), whatever it was decided or became before."""
        now = self._clock.now()
        async with self._uow() as uow:
            event = await uow.webhooks.get_event(event_id)
            if event is None:
                raise NotFound(f"웹훅 이벤트를 찾을 수 없습니다. ({event_id})")
            payment = await uow.payments.get(event.merchant_id, event.imp_uid)
            settings = await uow.webhooks.settings(event.merchant_id)
            urls = destinations(payment.notice_url if payment else None, settings.url)
            if not urls:
                raise InvalidRequest(
                    "보낼 주소가 없습니다: 결제건의 notice_url도 가맹점의 웹훅 URL도 없습니다. "
                    "(homeport webhook settings --url)"
                )
            return await uow.webhooks.add_deliveries(event_id, urls, format=settings.format, now=now)

    async def events(
        self,
        *,
        merchant_id: int | None = None,
        imp_uid: str | None = None,
        state: DeliveryState | Literal["skipped"] | None = None,
        limit: int = 100,
    ) -> list[EventRecord]:
        """Newest events first with deliveries and attempts (the webhook log)."""
        async with self._uow(readonly=True) as uow:
            return await uow.webhooks.events(
                merchant_id=merchant_id, imp_uid=imp_uid, state=state, limit=limit
            )

    async def settings(self, merchant_id: int) -> WebhookSettings:
        """The merchant's settings with its signing secret (created now if it has none)."""
        async with self._uow() as uow:
            stored = await uow.webhooks.settings(merchant_id)
            secret = await uow.webhooks.ensure_secret(merchant_id, new_secret(), self._clock.now())
        return replace(stored, secret=secret)

    async def configure(
        self,
        merchant_id: int,
        *,
        url: str | None = None,
        format: WebhookFormat | None = None,
        send: Iterable[EventKind] = (),
        no_send: Iterable[EventKind] = (),
        rotate_secret: bool = False,
    ) -> WebhookSettings:
        """Change what is given; ``url=""`` removes the default URL. Returns the new settings."""
        now = self._clock.now()
        if url:
            http_url(url.strip(), "url")
        async with self._uow() as uow:
            stored = await uow.webhooks.settings(merchant_id)
            kinds = (stored.kinds | frozenset(send)) - frozenset(no_send)
            changed = replace(
                stored,
                url=stored.url if url is None else (url.strip() or None),
                format=format or stored.format,
                kinds=kinds,
            )
            await uow.webhooks.save_settings(changed, now)
            secret = await uow.webhooks.ensure_secret(merchant_id, new_secret(), now, replace=rotate_secret)
        return replace(changed, secret=secret)
