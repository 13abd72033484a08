"""SQL repository for escrow deliveries."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from homeport.domain.escrows.models import EscrowDelivery
from homeport.store.tables import escrow_deliveries


class SqlEscrowDeliveryRepository:
    """Implements ``homeport.domain.escrows.repository.EscrowDeliveryRepository``."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, delivery: EscrowDelivery) -> None:
        await self._conn.execute(insert(escrow_deliveries).values(**asdict(delivery)))

    async def get(self, imp_uid: str) -> EscrowDelivery | None:
        query = select(escrow_deliveries).where(escrow_deliveries.c.imp_uid == imp_uid)
        row = (await self._conn.execute(query)).mappings().first()
        return EscrowDelivery(**dict(row)) if row is not None else None
