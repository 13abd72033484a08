"""Payments survive the round trip through storage, on SQLite and PostgreSQL."""

from __future__ import annotations

from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.paging import PageRequest
from homeport.domain.payments.models import PaymentStatus, SortKey, TimeRange
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from tests.support import cancelled, make_payment, trans_payment, vbank_payment


async def test_a_payment_is_read_back_exactly_as_it_was_stored(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    """Every field, nested details and cancellations included, comes back unchanged."""
    stored = cancelled(make_payment(merchant_a.merchant.id, amount=50_000), 20_000, at=1_767_230_000)

    await services.payments.record(stored)

    assert await services.payments.get(merchant_a.merchant.id, stored.imp_uid) == stored


async def test_vbank_and_transfer_details_round_trip(services: Services, merchant_a: CreatedMerchant) -> None:
    """Virtual-account and bank details are kept; card details stay absent."""
    vbank = vbank_payment(merchant_a.merchant.id)
    trans = trans_payment(merchant_a.merchant.id)

    await services.payments.record(vbank)
    await services.payments.record(trans)

    assert await services.payments.get(merchant_a.merchant.id, vbank.imp_uid) == vbank
    assert await services.payments.get(merchant_a.merchant.id, trans.imp_uid) == trans


async def test_search_filters_by_status_time_and_merchant_uid_and_pages_stably(
    services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    """Search sees only the merchant's rows, filters, sorts newest first and pages."""
    mid = merchant_a.merchant.id
    # One merchant_uid may be live once; the paid rows of the time-window check use their own.
    paid = [
        make_payment(mid, merchant_uid=f"same-{i}", started_at=1000 + i, paid_at=2000 + i) for i in range(5)
    ]
    failed = [
        make_payment(mid, merchant_uid="same", status=PaymentStatus.FAILED, started_at=900 + i, paid_at=0)
        for i in range(5)
    ]
    live = make_payment(mid, merchant_uid="same", started_at=3000)
    foreign = make_payment(merchant_b.merchant.id, merchant_uid="same")
    for p in [*paid, *failed, live, foreign]:
        await services.payments.record(p)
    uow = SqlUnitOfWorkFactory(services.engine, services.box)

    async with uow(readonly=True) as tx:
        total, first = await tx.payments.search(
            mid,
            merchant_uid="same",
            status=None,
            time_range=None,
            sorting=SortKey.STARTED_DESC,
            page=PageRequest(1, 4),
        )
        _, second = await tx.payments.search(
            mid,
            merchant_uid="same",
            status=None,
            time_range=None,
            sorting=SortKey.STARTED_DESC,
            page=PageRequest(2, 4),
        )
        paid_total, in_window = await tx.payments.search(
            mid,
            merchant_uid=None,
            status=PaymentStatus.PAID,
            time_range=TimeRange(2001, 2003),
            sorting=SortKey.PAID,
            page=PageRequest(1, 20),
        )

    assert total == 6
    assert [p.imp_uid for p in first + second] == [
        p.imp_uid for p in sorted([*failed, live], key=lambda p: p.started_at, reverse=True)
    ]
    assert paid_total == 3
    assert [p.paid_at for p in in_window] == [2001, 2002, 2003]
