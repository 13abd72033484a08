"""What webhooks need from storage; ``homeport.store.webhooks`` implements it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from homeport.domain.webhooks.models import (
    Attempt,
    Delivery,
    DeliveryState,
    EventRecord,
    WebhookEvent,
    WebhookFormat,
    WebhookSettings,
)


class WebhookRepository(Protocol):
    """Events, deliveries, attempts and merchants' webhook settings."""

    async def settings(self, merchant_id: int) -> WebhookSettings:
        """The merchant's settings (defaults when never set); ``secret`` is None until created."""
        ...

    async def save_settings(self, settings: WebhookSettings, now: int) -> None:
        """Store url, format and kinds (not the secret)."""
        ...

    async def ensure_secret(
        self, merchant_id: int, candidate: str, now: int, *, replace: bool = False
    ) -> str:
        """The merchant's secret: ``candidate`` stored if there is none (or ``replace``), else the
        stored one. Concurrent first calls agree on one secret."""
        ...

    async def add_event(
        self, event: WebhookEvent, urls: Sequence[str], *, format: WebhookFormat, now: int
    ) -> None:
        """Store the event and, when it is sent, one pending delivery per URL, due now."""
        ...

    async def add_deliveries(
        self, event_id: str, urls: Sequence[str], *, format: WebhookFormat, now: int
    ) -> list[int]:
        """New pending deliveries of a stored event (a redelivery), due now."""
        ...

    async def get_event(self, event_id: str) -> WebhookEvent | None:
        """One event by id."""
        ...

    async def any_due(self, now: int) -> bool:
        """Whether some delivery is claimable at ``now`` (a read: idle polls take no write lock)."""
        ...

    async def claim_due(self, now: int, limit: int, lease_until: int) -> list[Delivery]:
        """Lease at most ``limit`` pending deliveries due at ``now`` whose lease is free or expired.

        Exclusive across processes: a delivery leased here is skipped by every other claimer
        until ``lease_until`` (FOR UPDATE SKIP LOCKED on PostgreSQL, the single writer on SQLite).
        """
        ...

    async def record(
        self,
        delivery: Delivery,
        attempt: Attempt,
        *,
        state: DeliveryState,
        next_attempt_at: int,
    ) -> bool:
        """Append the attempt and move the delivery, if no other worker recorded one since it was
        claimed (a fence on ``attempt_count``); False when that fence failed."""
        ...

    async def events(
        self,
        *,
        merchant_id: int | None = None,
        imp_uid: str | None = None,
        state: DeliveryState | Literal["skipped"] | None = None,
        limit: int = 100,
    ) -> list[EventRecord]:
        """Newest events first, with their deliveries and attempts."""
        ...

    async def events_by_id(self, event_ids: Sequence[str]) -> dict[str, WebhookEvent]:
        """Events by id."""
        ...
