"""SQL repository for payment attempts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from homeport.domain.payments.attempts import Attempt, AttemptOperation, AttemptResult, AttemptState
from homeport.store.tables import payment_attempts

_UNSETTLED = [AttemptState.PENDING.value, AttemptState.UNKNOWN.value]


def _attempt(row: RowMapping) -> Attempt:
    return Attempt(
        id=row["id"],
        imp_uid=row["imp_uid"],
        merchant_id=row["merchant_id"],
        operation=AttemptOperation(row["operation"]),
        state=AttemptState(row["state"]),
        amount=row["amount"],
        pg_provider=row["pg_provider"],
        pg_id=row["pg_id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        pg_tid=row["pg_tid"],
        pg_code=row["pg_code"],
        pg_message=row["pg_message"],
    )


class SqlAttemptRepository:
    """Implements ``homeport.domain.payments.attempt_repository.AttemptRepository``."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, attempt: Attempt) -> int:
        values: dict[str, Any] = {
            "imp_uid": attempt.imp_uid,
            "merchant_id": attempt.merchant_id,
            "operation": attempt.operation.value,
            "state": attempt.state.value,
            "amount": attempt.amount,
            "pg_provider": attempt.pg_provider,
            "pg_id": attempt.pg_id,
            "pg_tid": attempt.pg_tid,
            "pg_code": attempt.pg_code,
            "pg_message": attempt.pg_message,
            "started_at": attempt.started_at,
            "finished_at": attempt.finished_at,
        }
        result = await self._conn.execute(
            insert(payment_attempts).values(**values).returning(payment_attempts.c.id)
        )
        return int(result.scalar_one())

    async def settle(self, attempt_id: int, result: AttemptResult) -> None:
        values: dict[str, Any] = {
            "state": result.state.value,
            "finished_at": result.finished_at,
            "pg_code": result.pg_code,
            "pg_message": result.pg_message,
        }
        # A result without a tid (a lost answer) keeps the one the attempt was sent with: a
        # cancel in doubt must still name its transaction for reconciliation to ask about it.
        if result.pg_tid is not None:
            values["pg_tid"] = result.pg_tid
        await self._conn.execute(
            update(payment_attempts).where(payment_attempts.c.id == attempt_id).values(**values)
        )

    async def unsettled(self, imp_uid: str, operation: AttemptOperation | None = None) -> list[Attempt]:
        query = select(payment_attempts).where(
            payment_attempts.c.imp_uid == imp_uid, payment_attempts.c.state.in_(_UNSETTLED)
        )
        if operation is not None:
            query = query.where(payment_attempts.c.operation == operation.value)
        rows = await self._conn.execute(query.order_by(payment_attempts.c.id))
        return [_attempt(r) for r in rows.mappings()]

    async def for_payment(self, imp_uid: str) -> list[Attempt]:
        """Every attempt of a payment, oldest first (for operators and tests)."""
        rows = await self._conn.execute(
            select(payment_attempts)
            .where(payment_attempts.c.imp_uid == imp_uid)
            .order_by(payment_attempts.c.id)
        )
        return [_attempt(r) for r in rows.mappings()]

    async def in_doubt(
        self,
        *,
        stale_before: int,
        operations: Sequence[AttemptOperation],
        with_pg_tid: bool,
        limit: int,
    ) -> list[Attempt]:
        table = payment_attempts
        has_tid = table.c.pg_tid.is_not(None) if with_pg_tid else table.c.pg_tid.is_(None)
        # Both branches match the (state, started_at) index.
        query = (
            select(table)
            .where(
                or_(
                    table.c.state == AttemptState.UNKNOWN.value,
                    and_(table.c.state == AttemptState.PENDING.value, table.c.started_at < stale_before),
                ),
                table.c.operation.in_([o.value for o in operations]),
                has_tid,
            )
            .order_by(table.c.started_at, table.c.id)
            .limit(limit)
        )
        rows = await self._conn.execute(query)
        return [_attempt(r) for r in rows.mappings()]

    async def record_pg_tid(self, attempt_id: int, pg_tid: str) -> None:
        await self._conn.execute(
            update(payment_attempts).where(payment_attempts.c.id == attempt_id).values(pg_tid=pg_tid)
        )
