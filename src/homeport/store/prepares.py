"""SQL repository for pre-registered amounts."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from homeport.domain.prepares.models import Prepared
from homeport.store.tables import payment_prepares


class SqlPrepareRepository:
    """Implements ``homeport.domain.prepares.repository.PrepareRepository``."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def get(self, merchant_id: int, merchant_uid: str) -> Prepared | None:
        row = (
            (
                await self._conn.execute(
                    select(payment_prepares).where(
                        payment_prepares.c.merchant_id == merchant_id,
                        payment_prepares.c.merchant_uid == merchant_uid,
                    )
                )
            )
            .mappings()
            .first()
        )
        return Prepared(row["merchant_uid"], row["amount"], row["currency"]) if row else None

    async def add(self, merchant_id: int, prepared: Prepared, now: int) -> bool:
        # The unique (merchant_id, merchant_uid) constraint decides races between requests.
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(payment_prepares).values(
                        merchant_id=merchant_id,
                        merchant_uid=prepared.merchant_uid,
                        amount=prepared.amount,
                        currency=prepared.currency,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def replace(self, merchant_id: int, prepared: Prepared, now: int) -> bool:
        result = await self._conn.execute(
            update(payment_prepares)
            .where(
                payment_prepares.c.merchant_id == merchant_id,
                payment_prepares.c.merchant_uid == prepared.merchant_uid,
            )
            .values(amount=prepared.amount, currency=prepared.currency, updated_at=now)
        )
        return result.rowcount == 1
