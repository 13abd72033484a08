"""homeport's own bookkeeping rows (``homeport_meta``) and the database health probe."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from homeport.store.tables import meta


async def setdefault(engine: AsyncEngine, key: str, value: str) -> str:
    """Store ``value`` under ``key`` unless something is there; return what is stored.

    The primary key decides when several processes race to write it first.
    """
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(meta).values(key=key, value=value))
    except IntegrityError:
        async with engine.connect() as connection:
            stored = await connection.scalar(select(meta.c.value).where(meta.c.key == key))
        return str(stored)
    return value


async def ping(engine: AsyncEngine) -> None:
    """Raise if the database cannot answer a trivial query."""
    async with engine.connect() as connection:
        await connection.scalar(select(1))
