"""SQL repository for scheduled payments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from homeport.domain.paging import PageRequest
from homeport.domain.payments.models import PaymentStatus
from homeport.domain.payments.orders import ChargeOrder
from homeport.domain.schedules.models import (
    ChargeOptions,
    Schedule,
    ScheduledCharge,
    ScheduleSorting,
    ScheduleStatus,
    ScheduleWindow,
)
from homeport.store.payments import buyer_columns, buyer_from_row
from homeport.store.tables import payment_schedules

_t = payment_schedules.c


def _row(schedule: Schedule) -> dict[str, Any]:
    """Every column but the key (merchant_id, merchant_uid) and created_at, which never change."""
    order = schedule.charge.order
    options = schedule.charge.options
    return {
        "customer_uid": schedule.customer_uid,
        "status": schedule.status.value,
        "schedule_at": schedule.charge.schedule_at,
        "amount": order.amount,
        "currency": order.currency,
        "tax_free": order.tax_free,
        "vat_amount": options.vat_amount,
        "name": order.name,
        **buyer_columns(order.buyer),
        "custom_data": order.custom_data,
        "notice_url": order.notice_url,
        "card_quota": order.installment_months,
        "interest_free_by_merchant": options.interest_free_by_merchant,
        "use_card_point": options.use_card_point,
        "product_type": options.product_type,
        "product_count": options.product_count,
        "cash_receipt_type": options.cash_receipt_type,
        "browser_ip": order.customer_ip or None,
        "extra": options.extra,
        "bypass": options.bypass,
        "promotion_id": options.promotion_id,
        "pg_provider": schedule.pg_provider,
        "pg_id": schedule.pg_id,
        "imp_uid": schedule.imp_uid,
        "payment_status": schedule.payment_status.value if schedule.payment_status else None,
        "fail_reason": schedule.fail_reason,
        "executed_at": schedule.executed_at,
        "revoked_at": schedule.revoked_at,
        "updated_at": schedule.updated_at,
    }


def _schedule(row: RowMapping) -> Schedule:
    return Schedule(
        merchant_id=row["merchant_id"],
        customer_uid=row["customer_uid"],
        charge=ScheduledCharge(
            order=ChargeOrder(
                merchant_uid=row["merchant_uid"],
                amount=row["amount"],
                name=row["name"],
                currency=row["currency"],
                tax_free=row["tax_free"],
                buyer=buyer_from_row(row),
                installment_months=row["card_quota"],
                custom_data=row["custom_data"],
                notice_url=row["notice_url"],
                customer_ip=row["browser_ip"] or "",
            ),
            schedule_at=row["schedule_at"],
            options=ChargeOptions(
                vat_amount=row["vat_amount"],
                interest_free_by_merchant=row["interest_free_by_merchant"],
                use_card_point=row["use_card_point"],
                product_type=row["product_type"],
                product_count=row["product_count"],
                cash_receipt_type=row["cash_receipt_type"],
                extra=row["extra"],
                bypass=row["bypass"],
                promotion_id=row["promotion_id"],
            ),
        ),
        pg_provider=row["pg_provider"],
        pg_id=row["pg_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        status=ScheduleStatus(row["status"]),
        imp_uid=row["imp_uid"],
        payment_status=PaymentStatus(row["payment_status"]) if row["payment_status"] else None,
        fail_reason=row["fail_reason"],
        executed_at=row["executed_at"],
        revoked_at=row["revoked_at"],
    )


def _due(now: int) -> list[ColumnElement[bool]]:
    """Waiting, due, and held by no worker (never claimed, or the lease has run out)."""
    return [_t.status == ScheduleStatus.SCHEDULED.value, _t.schedule_at <= now, _t.claimed_until <= now]


class SqlScheduleRepository:
    """Implements ``homeport.domain.schedules.repository.ScheduleRepository``."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add_all(self, schedules: Sequence[Schedule]) -> bool:
        if not schedules:
            return True
        rows = [
            {
                "merchant_id": s.merchant_id,
                "merchant_uid": s.merchant_uid,
                "created_at": s.created_at,
                **_row(s),
            }
            for s in schedules
        ]
        # The unique (merchant_id, merchant_uid) constraint decides races between requests;
        # the savepoint keeps the outer transaction usable (PostgreSQL) and stores none.
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(insert(payment_schedules), rows)
        except IntegrityError:
            return False
        return True

    async def taken(self, merchant_id: int, merchant_uids: Sequence[str]) -> set[str]:
        if not merchant_uids:
            return set()
        result = await self._conn.execute(
            select(_t.merchant_uid).where(
                _t.merchant_id == merchant_id, _t.merchant_uid.in_(list(merchant_uids))
            )
        )
        return set(result.scalars())

    async def get(self, merchant_id: int, merchant_uid: str) -> Schedule | None:
        result = await self._conn.execute(
            select(payment_schedules).where(_t.merchant_id == merchant_id, _t.merchant_uid == merchant_uid)
        )
        row = result.mappings().first()
        return _schedule(row) if row is not None else None

    async def replace(
        self, schedule: Schedule, *, expected: ScheduleStatus, unclaimed_at: int | None = None
    ) -> bool:
        conditions = [
            _t.merchant_id == schedule.merchant_id,
            _t.merchant_uid == schedule.merchant_uid,
            _t.status == expected.value,
        ]
        if unclaimed_at is not None:
            conditions.append(_t.claimed_until <= unclaimed_at)
        # Every change ends a lease: the worker's own (executed) or none (the others need a
        # free lease), so a schedule brought back (reschedule) is claimable at its time.
        result = await self._conn.execute(
            update(payment_schedules)
            .where(*conditions)
            .values(**_row(schedule), claimed_until=0, claimed_by=None)
        )
        return result.rowcount == 1

    async def any_due(self, now: int) -> bool:
        found = await self._conn.scalar(select(_t.id).where(*_due(now)).limit(1))
        return found is not None

    async def claim_due(self, now: int, *, lease_until: int, worker: str, limit: int) -> list[Schedule]:
        due = select(_t.id).where(*_due(now)).order_by(_t.schedule_at, _t.id).limit(limit)
        if self._conn.dialect.name == "postgresql":
            # Rows another worker is claiming right now are skipped, not waited for: two
            # workers take disjoint batches, and the UPDATE below re-checks nothing it locked.
            due = due.with_for_update(skip_locked=True)
        # SQLite: the unit of work's write transaction already holds the one write lock
        # (BEGIN IMMEDIATE), so the select and the update cannot interleave with another claim.
        ids = list((await self._conn.execute(due)).scalars())
        if not ids:
            return []
        await self._conn.execute(
            update(payment_schedules)
            .where(_t.id.in_(ids))
            .values(claimed_until=lease_until, claimed_by=worker)
        )
        result = await self._conn.execute(
            select(payment_schedules).where(_t.id.in_(ids)).order_by(_t.schedule_at, _t.id)
        )
        return [_schedule(row) for row in result.mappings()]

    async def find(
        self,
        merchant_id: int,
        *,
        customer_uid: str | None,
        merchant_uids: Sequence[str] | None,
        status: ScheduleStatus | None,
    ) -> list[Schedule]:
        conditions = self._conditions(merchant_id, customer_uid, status)
        if merchant_uids is not None:
            conditions.append(_t.merchant_uid.in_(list(merchant_uids)))
        result = await self._conn.execute(
            select(payment_schedules).where(*conditions).order_by(_t.schedule_at, _t.merchant_uid)
        )
        return [_schedule(row) for row in result.mappings()]

    async def search(
        self,
        merchant_id: int,
        *,
        customer_uid: str | None,
        status: ScheduleStatus | None,
        window: ScheduleWindow,
        sorting: ScheduleSorting,
        page: PageRequest,
    ) -> tuple[int, list[Schedule]]:
        conditions = self._conditions(merchant_id, customer_uid, status)
        conditions += [_t.schedule_at >= window.since, _t.schedule_at < window.until]
        total = await self._conn.scalar(
            select(func.count()).select_from(payment_schedules).where(*conditions)
        )
        # id breaks ties so paging is stable when several schedules share a time.
        ordering = (
            (_t.schedule_at, _t.id)
            if sorting is ScheduleSorting.SCHEDULED
            else (_t.schedule_at.desc(), _t.id.desc())
        )
        result = await self._conn.execute(
            select(payment_schedules)
            .where(*conditions)
            .order_by(*ordering)
            .offset(page.offset)
            .limit(page.limit)
        )
        return int(total or 0), [_schedule(row) for row in result.mappings()]

    @staticmethod
    def _conditions(
        merchant_id: int, customer_uid: str | None, status: ScheduleStatus | None
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [_t.merchant_id == merchant_id]
        if customer_uid is not None:
            conditions.append(_t.customer_uid == customer_uid)
        if status is not None:
            conditions.append(_t.status == status.value)
        return conditions
