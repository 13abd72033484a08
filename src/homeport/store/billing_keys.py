"""SQL repository for billing keys; the key is sealed here and opened only on read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from homeport.domain.billing_keys.models import BillingKey, CustomerInfo
from homeport.store.crypto import SecretBox
from homeport.store.tables import billing_keys


def key_context(merchant_id: int, customer_uid: str) -> str:
    """What a sealed key is bound to: a sealed value copied to another row will not open."""
    return f"billing_key:{merchant_id}:{customer_uid}"


class SqlBillingKeyRepository:
    """Implements ``homeport.domain.billing_keys.repository.BillingKeyRepository``."""

    def __init__(self, connection: AsyncConnection, box: SecretBox) -> None:
        self._conn = connection
        self._box = box

    def _from_row(self, row: RowMapping) -> BillingKey:
        return BillingKey(
            customer_uid=row["customer_uid"],
            billing_key=self._box.open(
                row["billing_key_sealed"], context=key_context(row["merchant_id"], row["customer_uid"])
            ),
            group_id=row["group_id"],
            pg_provider=row["pg_provider"],
            pg_id=row["pg_id"],
            sandbox=bool(row["sandbox"]),
            card_code=row["card_code"],
            card_name=row["card_name"],
            card_number=row["card_number"],
            card_type=row["card_type"],
            customer=CustomerInfo(
                name=row["customer_name"],
                tel=row["customer_tel"],
                email=row["customer_email"],
                addr=row["customer_addr"],
                postcode=row["customer_postcode"],
            ),
            inserted=row["inserted"],
            updated=row["updated"],
            deleted_at=row["deleted_at"],
        )

    def _values(self, merchant_id: int, key: BillingKey) -> dict[str, Any]:
        return {
            "billing_key_sealed": self._box.seal(
                key.billing_key, context=key_context(merchant_id, key.customer_uid)
            ),
            "group_id": key.group_id,
            "pg_provider": key.pg_provider,
            "pg_id": key.pg_id,
            "sandbox": key.sandbox,
            "card_code": key.card_code,
            "card_name": key.card_name,
            "card_number": key.card_number,
            "card_type": key.card_type,
            "customer_name": key.customer.name,
            "customer_tel": key.customer.tel,
            "customer_email": key.customer.email,
            "customer_addr": key.customer.addr,
            "customer_postcode": key.customer.postcode,
            "updated": key.updated,
        }

    async def _row(self, merchant_id: int, customer_uid: str) -> RowMapping | None:
        result = await self._conn.execute(
            select(billing_keys).where(
                billing_keys.c.merchant_id == merchant_id, billing_keys.c.customer_uid == customer_uid
            )
        )
        return result.mappings().first()

    async def get(self, merchant_id: int, customer_uid: str) -> BillingKey | None:
        row = await self._row(merchant_id, customer_uid)
        return self._from_row(row) if row is not None and row["deleted_at"] is None else None

    async def get_many(self, merchant_id: int, customer_uids: Sequence[str]) -> list[BillingKey]:
        result = await self._conn.execute(
            select(billing_keys).where(
                billing_keys.c.merchant_id == merchant_id,
                billing_keys.c.customer_uid.in_(list(customer_uids)),
                billing_keys.c.deleted_at.is_(None),
            )
        )
        by_uid = {row["customer_uid"]: self._from_row(row) for row in result.mappings()}
        return [by_uid[uid] for uid in dict.fromkeys(customer_uids) if uid in by_uid]

    async def save(self, merchant_id: int, key: BillingKey) -> BillingKey:
        values = self._values(merchant_id, key)
        # The unique (merchant_id, customer_uid) constraint decides races between requests.
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(billing_keys).values(
                        merchant_id=merchant_id,
                        customer_uid=key.customer_uid,
                        inserted=key.inserted,
                        deleted_at=None,
                        **values,
                    )
                )
        except IntegrityError:
            existing = await self._row(merchant_id, key.customer_uid)
            live = existing is not None and existing["deleted_at"] is None
            inserted = existing["inserted"] if existing is not None and live else key.inserted
            await self._conn.execute(
                update(billing_keys)
                .where(
                    billing_keys.c.merchant_id == merchant_id,
                    billing_keys.c.customer_uid == key.customer_uid,
                )
                .values(inserted=inserted, deleted_at=None, **values)
            )
            return replace(key, inserted=inserted, deleted_at=None)
        return key

    async def mark_deleted(self, merchant_id: int, customer_uid: str, now: int) -> bool:
        result = await self._conn.execute(
            update(billing_keys)
            .where(
                billing_keys.c.merchant_id == merchant_id,
                billing_keys.c.customer_uid == customer_uid,
                billing_keys.c.deleted_at.is_(None),
            )
            .values(deleted_at=now, updated=now)
        )
        return result.rowcount == 1
