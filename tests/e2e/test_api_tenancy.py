"""A merchant's token never reveals another merchant's payments (DESIGN invariant)."""

from __future__ import annotations

import httpx

from homeport.domain.merchants.models import CreatedMerchant
from homeport.services import Services
from tests.support import make_payment, token_for


async def test_another_merchants_payment_is_not_found_by_any_lookup(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    """B's token gets 404 (not 403) for A's payment, by imp_uid, merchant_uid or listing."""
    payment = await services.payments.record(make_payment(merchant_a.merchant.id, merchant_uid="a-order"))
    b = {"Authorization": await token_for(api, merchant_b)}

    by_id = await api.get(f"/payments/{payment.imp_uid}", headers=b)
    by_many = await api.get(f"/payments?imp_uid[]={payment.imp_uid}", headers=b)
    by_merchant_uid = await api.get("/payments/find/a-order", headers=b)
    all_attempts = await api.get("/payments/findAll/a-order", headers=b)
    listing = await api.get("/payments/status/all", headers=b)

    assert by_id.status_code == 404
    assert by_many.status_code == 404
    assert by_merchant_uid.status_code == 404
    assert all_attempts.status_code == 404
    assert listing.json()["response"]["total"] == 0


async def test_the_owner_still_sees_its_payment(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    """The same lookups with A's own token succeed."""
    payment = await services.payments.record(make_payment(merchant_a.merchant.id, merchant_uid="a-order"))
    a = {"Authorization": await token_for(api, merchant_a)}

    assert (await api.get(f"/payments/{payment.imp_uid}", headers=a)).status_code == 200
    assert (await api.get("/payments/find/a-order", headers=a)).status_code == 200


async def test_two_merchants_may_use_the_same_merchant_uid(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    """merchant_uid is unique per merchant, not globally: each sees only its own."""
    mine = await services.payments.record(make_payment(merchant_a.merchant.id, merchant_uid="order-1"))
    theirs = await services.payments.record(make_payment(merchant_b.merchant.id, merchant_uid="order-1"))

    a = await api.get("/payments/find/order-1", headers={"Authorization": await token_for(api, merchant_a)})
    b = await api.get("/payments/find/order-1", headers={"Authorization": await token_for(api, merchant_b)})

    assert a.json()["response"]["imp_uid"] == mine.imp_uid
    assert b.json()["response"]["imp_uid"] == theirs.imp_uid
