"""Pre-registered amounts in storage, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from homeport.domain.errors import InvalidRequest
from homeport.domain.merchants.models import CreatedMerchant
from homeport.services import Services


async def test_concurrent_registrations_of_one_merchant_uid_keep_exactly_one_amount(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    """Ten racing POSTs with different amounts: one wins, the rest are refused, none half-stored."""
    mid = merchant_a.merchant.id

    results = await asyncio.gather(
        *(services.prepares.register(mid, "race-1", 1000 + i) for i in range(10)), return_exceptions=True
    )

    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, InvalidRequest) for r in results if isinstance(r, BaseException))
    assert (await services.prepares.get(mid, "race-1")).amount == winners[0].amount


async def test_a_change_replaces_amount_and_currency(services: Services, merchant_a: CreatedMerchant) -> None:
    """PUT semantics: the new amount and currency replace the old ones."""
    mid = merchant_a.merchant.id
    await services.prepares.register(mid, "o-1", 1000, "KRW")

    await services.prepares.change(mid, "o-1", 2000, None)

    stored = await services.prepares.get(mid, "o-1")
    assert (stored.amount, stored.currency) == (2000, None)


@pytest.mark.parametrize(
    ("amount", "currency", "refused"), [(1000, "KRW", False), (999, "KRW", True), (1000, "USD", True)]
)
async def test_a_prepared_amount_refuses_any_other_amount_or_currency(
    services: Services, merchant_a: CreatedMerchant, amount: int, currency: str, refused: bool
) -> None:
    """The rule later payment flows apply: only the registered amount (and currency) passes."""
    prepared = await services.prepares.register(merchant_a.merchant.id, "o-2", 1000, "KRW")

    assert (prepared.refuses(amount, currency) is not None) is refused
