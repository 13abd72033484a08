"""SQL repository for PG notifications (KCP's common notification, kcp.md §9)."""

from __future__ import annotations

from sqlalchemy import insert, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from homeport.domain.money import Won
from homeport.domain.payments.models import PaymentStatus
from homeport.domain.payments.notifications import NotificationOutcome, NotificationRecord
from homeport.pg.base import NotificationKind
from homeport.store.tables import payments, pg_notifications


class SqlNotificationRepository:
    """Implements ``homeport.domain.payments.notification_repository.NotificationRepository``."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def get(self, pg_provider: str, site: str, notification_id: str) -> NotificationRecord | None:
        query = select(pg_notifications).where(
            pg_notifications.c.pg_provider == pg_provider,
            pg_notifications.c.site == site,
            pg_notifications.c.notification_id == notification_id,
        )
        row = (await self._conn.execute(query)).mappings().first()
        return _record(row) if row is not None else None

    async def find_payment(
        self, pg_provider: str, site: str, pg_tid: str, order_id: str
    ) -> tuple[int, str] | None:
        of_site = (payments.c.pg_provider == pg_provider, payments.c.pg_id == site)
        by_tid = select(payments.c.merchant_id, payments.c.imp_uid).where(
            payments.c.pg_tid == pg_tid, *of_site
        )
        row = (await self._conn.execute(by_tid.limit(1))).first()
        if row is not None:
            return int(row.merchant_id), str(row.imp_uid)
        if not order_id:
            return None
        by_order = select(payments.c.merchant_id, payments.c.imp_uid).where(
            payments.c.merchant_uid == order_id,
            payments.c.status != PaymentStatus.FAILED.value,
            or_(payments.c.pg_tid.is_(None), payments.c.pg_tid == ""),
            *of_site,
        )
        # Several merchants may share a site (the sandbox's T0000): an ambiguous order matches none.
        rows = (await self._conn.execute(by_order.limit(2))).all()
        return (int(rows[0].merchant_id), str(rows[0].imp_uid)) if len(rows) == 1 else None

    async def deposited_total(self, imp_uid: str) -> Won:
        query = (
            select(pg_notifications.c.deposited_total)
            .where(pg_notifications.c.imp_uid == imp_uid)
            .order_by(pg_notifications.c.id.desc())
            .limit(1)
        )
        total = (await self._conn.execute(query)).scalar()
        return int(total or 0)

    async def add(self, record: NotificationRecord) -> bool:
        try:
            # A savepoint, so a concurrent copy's unique violation leaves the transaction usable.
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(pg_notifications).values(
                        pg_provider=record.pg_provider,
                        site=record.site,
                        notification_id=record.notification_id,
                        pg_kind=record.pg_kind,
                        kind=record.kind.value,
                        pg_tid=record.pg_tid,
                        order_id=record.order_id,
                        amount=record.amount,
                        pg_total=record.pg_total,
                        deposited_total=record.deposited_total,
                        excess=record.excess,
                        outcome=record.outcome.value,
                        imp_uid=record.imp_uid,
                        depositor=record.depositor,
                        occurred_at=record.occurred_at,
                        received_at=record.received_at,
                    )
                )
        except IntegrityError as exc:
            if "notification_id" in str(exc.orig) or "uq_pg_notifications" in str(exc.orig):
                return False
            raise
        return True

    async def for_payment(self, imp_uid: str) -> list[NotificationRecord]:
        """A payment's notifications, oldest first (for tests and the console)."""
        query = (
            select(pg_notifications)
            .where(pg_notifications.c.imp_uid == imp_uid)
            .order_by(pg_notifications.c.id)
        )
        return [_record(row) for row in (await self._conn.execute(query)).mappings()]


def _record(row: RowMapping) -> NotificationRecord:
    return NotificationRecord(
        pg_provider=row["pg_provider"],
        site=row["site"],
        notification_id=row["notification_id"],
        pg_kind=row["pg_kind"],
        kind=NotificationKind(row["kind"]),
        pg_tid=row["pg_tid"],
        order_id=row["order_id"],
        amount=row["amount"],
        pg_total=row["pg_total"],
        deposited_total=row["deposited_total"],
        excess=row["excess"],
        outcome=NotificationOutcome(row["outcome"]),
        occurred_at=row["occurred_at"],
        received_at=row["received_at"],
        imp_uid=row["imp_uid"],
        depositor=row["depositor"],
    )
