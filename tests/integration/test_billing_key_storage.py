"""Billing-key storage on SQLite and PostgreSQL: sealed keys, replacement, deletion, tenancy."""

from __future__ import annotations

from sqlalchemy import select

from homeport.domain.billing_keys.models import BillingKey, CustomerInfo
from homeport.domain.merchants.models import CreatedMerchant
from homeport.services import Services
from homeport.store.tables import billing_keys
from homeport.store.unit_of_work import SqlUnitOfWorkFactory


def key(uid: str, batch_key: str = "1234567890123456", *, at: int = 100) -> BillingKey:
    return BillingKey(
        customer_uid=uid,
        billing_key=batch_key,
        group_id="A52Q71000489",
        pg_provider="kcp",
        pg_id="A52Q7",
        sandbox=True,
        card_code="CCBC",
        card_name="BC카드",
        card_number="411111******1111",
        card_type=0,
        customer=CustomerInfo(name="홍길동", email="a@example.com"),
        inserted=at,
        updated=at,
    )


async def test_a_key_is_stored_sealed_replaced_and_deleted(
    services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    uow = SqlUnitOfWorkFactory(services.engine, services.box)
    a, b = merchant_a.merchant.id, merchant_b.merchant.id
    async with uow() as tx:
        await tx.billing_keys.save(a, key("c1"))
        await tx.billing_keys.save(a, key("c2"))
    async with uow() as tx:
        replaced = await tx.billing_keys.save(a, key("c1", "6543210987654321", at=200))
    async with uow(readonly=True) as tx:
        read = await tx.billing_keys.get(a, "c1")
        many = await tx.billing_keys.get_many(a, ["c2", "nope", "c1"])
        other = await tx.billing_keys.get(b, "c1")
    async with services.engine.connect() as connection:
        raw = [dict(r) for r in (await connection.execute(select(billing_keys))).mappings()]

    assert replaced.inserted == 100
    assert read is not None
    assert read.billing_key == "6543210987654321"
    assert (read.inserted, read.updated) == (100, 200)
    assert read.customer == CustomerInfo(name="홍길동", email="a@example.com")
    assert [k.customer_uid for k in many] == ["c2", "c1"]
    assert other is None
    assert len(raw) == 2
    assert all("6543210987654321" not in str(row) and "1234567890123456" not in str(row) for row in raw)

    async with uow() as tx:
        assert await tx.billing_keys.mark_deleted(a, "c1", 300)
        assert not await tx.billing_keys.mark_deleted(a, "c1", 301)
        assert not await tx.billing_keys.mark_deleted(b, "c2", 301)
    async with uow() as tx:
        assert await tx.billing_keys.get(a, "c1") is None
        reissued = await tx.billing_keys.save(a, key("c1", at=400))
    assert reissued.inserted == 400
    assert reissued.deleted_at is None
