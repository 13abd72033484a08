"""SQL repository for webhook events, deliveries, attempts and merchants' webhook settings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, exists, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from homeport.domain.payments.models import PaymentStatus
from homeport.domain.webhooks.models import (
    DEFAULT_KINDS,
    Attempt,
    Decision,
    Delivery,
    DeliveryState,
    EventKind,
    EventRecord,
    WebhookEvent,
    WebhookFormat,
    WebhookSettings,
)
from homeport.store.crypto import SecretBox
from homeport.store.tables import webhook_attempts, webhook_deliveries, webhook_events, webhook_settings

#: Stored response bodies are cut here: enough to see an error page's gist.
RESPONSE_BODY_LIMIT = 1024

_settings = webhook_settings.c
_events = webhook_events.c
_deliveries = webhook_deliveries.c
_attempts = webhook_attempts.c


def _secret_context(merchant_id: int) -> str:
    return f"webhook_settings.secret:{merchant_id}"


def _kinds_text(kinds: frozenset[EventKind]) -> str:
    return ",".join(sorted(k.value for k in kinds))


def _kinds(text: str) -> frozenset[EventKind]:
    known = {k.value for k in EventKind}
    return frozenset(EventKind(k) for k in text.split(",") if k in known)


def _event(row: RowMapping) -> WebhookEvent:
    return WebhookEvent(
        id=row["id"],
        merchant_id=row["merchant_id"],
        imp_uid=row["imp_uid"],
        merchant_uid=row["merchant_uid"],
        kind=EventKind(row["kind"]),
        status=PaymentStatus(row["status"]),
        created_at=row["created_at"],
        decision=Decision(row["decision"]),
        cancellation_id=row["cancellation_id"],
        requested=row["requested"],
    )


def _delivery(row: RowMapping, attempts: Sequence[Attempt] = ()) -> Delivery:
    return Delivery(
        id=row["id"],
        event_id=row["event_id"],
        url=row["url"],
        format=WebhookFormat(row["format"]),
        state=DeliveryState(row["state"]),
        attempt_count=row["attempt_count"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        claimed_until=row["claimed_until"],
        finished_at=row["finished_at"],
        attempts=tuple(attempts),
    )


class SqlWebhookRepository:
    """Implements ``homeport.domain.webhooks.repository.WebhookRepository``."""

    def __init__(self, connection: AsyncConnection, box: SecretBox) -> None:
        self._conn = connection
        self._box = box

    async def settings(self, merchant_id: int) -> WebhookSettings:
        row = (
            (await self._conn.execute(select(webhook_settings).where(_settings.merchant_id == merchant_id)))
            .mappings()
            .first()
        )
        if row is None:
            return WebhookSettings(merchant_id=merchant_id)
        return WebhookSettings(
            merchant_id=merchant_id,
            url=row["url"],
            format=WebhookFormat(row["format"]),
            kinds=_kinds(row["kinds"]),
            secret=self._box.open(row["secret"], context=_secret_context(merchant_id))
            if row["secret"]
            else None,
        )

    async def save_settings(self, settings: WebhookSettings, now: int) -> None:
        await self._ensure_row(settings.merchant_id, now)
        await self._conn.execute(
            update(webhook_settings)
            .where(_settings.merchant_id == settings.merchant_id)
            .values(
                url=settings.url,
                format=settings.format.value,
                kinds=_kinds_text(settings.kinds),
                updated_at=now,
            )
        )

    async def ensure_secret(
        self, merchant_id: int, candidate: str, now: int, *, replace: bool = False
    ) -> str:
        await self._ensure_row(merchant_id, now)
        conditions: list[ColumnElement[bool]] = [_settings.merchant_id == merchant_id]
        if not replace:
            # Of concurrent first callers only one finds it empty: PostgreSQL re-checks the
            # condition after the winner commits (READ COMMITTED); SQLite has one writer.
            conditions.append(_settings.secret.is_(None))
        sealed = self._box.seal(candidate, context=_secret_context(merchant_id))
        await self._conn.execute(
            update(webhook_settings).where(*conditions).values(secret=sealed, updated_at=now)
        )
        stored = await self._conn.scalar(select(_settings.secret).where(_settings.merchant_id == merchant_id))
        return self._box.open(str(stored), context=_secret_context(merchant_id))

    async def _ensure_row(self, merchant_id: int, now: int) -> None:
        """The merchant's settings row with the defaults, if it has none yet."""
        exists_already = await self._conn.scalar(
            select(_settings.merchant_id).where(_settings.merchant_id == merchant_id)
        )
        if exists_already is not None:
            return
        try:
            # A savepoint: a concurrent first insert wins and this one is simply not needed.
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(webhook_settings).values(
                        merchant_id=merchant_id,
                        url=None,
                        format=WebhookFormat.JSON.value,
                        kinds=_kinds_text(DEFAULT_KINDS),
                        secret=None,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            pass

    async def add_event(
        self, event: WebhookEvent, urls: Sequence[str], *, format: WebhookFormat, now: int
    ) -> None:
        await self._conn.execute(
            insert(webhook_events).values(
                id=event.id,
                merchant_id=event.merchant_id,
                imp_uid=event.imp_uid,
                merchant_uid=event.merchant_uid,
                kind=event.kind.value,
                status=event.status.value,
                cancellation_id=event.cancellation_id,
                requested=event.requested,
                decision=event.decision.value,
                created_at=event.created_at,
            )
        )
        if event.decision is Decision.SEND:
            await self.add_deliveries(event.id, urls, format=format, now=now)

    async def add_deliveries(
        self, event_id: str, urls: Sequence[str], *, format: WebhookFormat, now: int
    ) -> list[int]:
        ids = []
        for url in urls:
            result = await self._conn.execute(
                insert(webhook_deliveries)
                .values(
                    event_id=event_id,
                    url=url,
                    format=format.value,
                    state=DeliveryState.PENDING.value,
                    attempt_count=0,
                    next_attempt_at=now,
                    claimed_until=0,
                    created_at=now,
                    finished_at=0,
                )
                .returning(_deliveries.id)
            )
            ids.append(int(result.scalar_one()))
        return ids

    async def get_event(self, event_id: str) -> WebhookEvent | None:
        found = await self.events_by_id([event_id])
        return found.get(event_id)

    async def events_by_id(self, event_ids: Sequence[str]) -> dict[str, WebhookEvent]:
        if not event_ids:
            return {}
        rows = await self._conn.execute(select(webhook_events).where(_events.id.in_(list(event_ids))))
        return {row["id"]: _event(row) for row in rows.mappings()}

    async def any_due(self, now: int) -> bool:
        return await self._conn.scalar(select(_deliveries.id).where(*_due(now)).limit(1)) is not None

    async def claim_due(self, now: int, limit: int, lease_until: int) -> list[Delivery]:
        due = (
            select(_deliveries.id)
            .where(*_due(now))
            .order_by(_deliveries.next_attempt_at, _deliveries.id)
            .limit(limit)
        )
        # SQLite write transactions hold the single write lock from BEGIN IMMEDIATE.
        if self._conn.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list((await self._conn.execute(due)).scalars())
        if not ids:
            return []
        await self._conn.execute(
            update(webhook_deliveries).where(_deliveries.id.in_(ids)).values(claimed_until=lease_until)
        )
        return await self._deliveries(
            select(webhook_deliveries)
            .where(_deliveries.id.in_(ids))
            .order_by(_deliveries.next_attempt_at, _deliveries.id)
        )

    async def record(
        self, delivery: Delivery, attempt: Attempt, *, state: DeliveryState, next_attempt_at: int
    ) -> bool:
        body = attempt.response_body
        await self._conn.execute(
            insert(webhook_attempts).values(
                delivery_id=delivery.id,
                attempted_at=attempt.attempted_at,
                http_status=attempt.http_status,
                error=attempt.error,
                duration_ms=attempt.duration_ms,
                response_body=body[:RESPONSE_BODY_LIMIT] if body is not None else None,
            )
        )
        final = state is not DeliveryState.PENDING
        result = await self._conn.execute(
            update(webhook_deliveries)
            .where(
                _deliveries.id == delivery.id,
                _deliveries.state == DeliveryState.PENDING.value,
                # The fence: nobody recorded a try since this claim (a lapsed lease reclaimed).
                _deliveries.attempt_count == delivery.attempt_count,
            )
            .values(
                state=state.value,
                attempt_count=delivery.attempt_count + 1,
                next_attempt_at=next_attempt_at,
                claimed_until=0,
                finished_at=attempt.attempted_at if final else 0,
            )
        )
        return result.rowcount == 1

    async def events(
        self,
        *,
        merchant_id: int | None = None,
        imp_uid: str | None = None,
        state: DeliveryState | Literal["skipped"] | None = None,
        limit: int = 100,
    ) -> list[EventRecord]:
        conditions: list[ColumnElement[bool]] = []
        if merchant_id is not None:
            conditions.append(_events.merchant_id == merchant_id)
        if imp_uid is not None:
            conditions.append(_events.imp_uid == imp_uid)
        if state == "skipped":
            conditions.append(_events.decision != Decision.SEND.value)
        elif state is not None:
            conditions.append(
                exists().where(_deliveries.event_id == _events.id, _deliveries.state == state.value)
            )
        rows = list(
            (
                await self._conn.execute(
                    select(webhook_events).where(*conditions).order_by(_events.seq.desc()).limit(limit)
                )
            ).mappings()
        )
        if not rows:
            return []
        deliveries = await self._deliveries(
            select(webhook_deliveries)
            .where(_deliveries.event_id.in_([r["id"] for r in rows]))
            .order_by(_deliveries.id)
        )
        by_event: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in deliveries:
            by_event[delivery.event_id].append(delivery)
        return [EventRecord(_event(r), tuple(by_event[r["id"]])) for r in rows]

    async def _deliveries(self, query: Select[Any]) -> list[Delivery]:
        rows = list((await self._conn.execute(query)).mappings())
        if not rows:
            return []
        attempts: dict[int, list[Attempt]] = defaultdict(list)
        result = await self._conn.execute(
            select(webhook_attempts)
            .where(_attempts.delivery_id.in_([r["id"] for r in rows]))
            .order_by(_attempts.id)
        )
        for a in result.mappings():
            attempts[a["delivery_id"]].append(
                Attempt(
                    attempted_at=a["attempted_at"],
                    duration_ms=a["duration_ms"],
                    http_status=a["http_status"],
                    error=a["error"],
                    response_body=a["response_body"],
                )
            )
        return [_delivery(r, attempts[r["id"]]) for r in rows]


def _due(now: int) -> tuple[ColumnElement[bool], ...]:
    """Pending, due, and free or with a lapsed lease (the claimer died or hung)."""
    return (
        _deliveries.state == DeliveryState.PENDING.value,
        _deliveries.next_attempt_at <= now,
        _deliveries.claimed_until <= now,
    )
