"""Checkout windows in storage, on SQLite and PostgreSQL: written with their payment, read back
whole, and only by their own merchant."""

from __future__ import annotations

from homeport.domain.checkout.requests import CardOptions, EscrowProduct, checkout_request
from homeport.domain.checkout.windows import CheckoutWindow
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.models import PaymentChannel
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from tests.support import make_payment


def uow(services: Services) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(services.engine, services.box)


async def test_a_window_is_read_back_with_every_option(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    mid = merchant_a.merchant.id
    payment = await services.payments.record(make_payment(mid))
    window = CheckoutWindow(
        imp_uid=payment.imp_uid,
        merchant_id=mid,
        device=PaymentChannel.MOBILE,
        created_at=1_700_000_000,
        m_redirect_url="https://shop.example/done?x=1",
        origin="https://shop.example",
        card=CardOptions(
            direct_code="361",
            direct_quota=3,
            detail=(("*", False), ("366", True)),
            offered_quotas=(2, 3),
            app_card_only=True,
            key_in=True,
        ),
        shop_user_id="buyer-77",
        site_logo="https://shop.example/logo.gif",
        company="의자나라",
        language="en",
        escrow_products=(EscrowProduct("L1", "의자 다리", 4, 20000),),
        prefill_phone_number="01012345678",
    )
    async with uow(services)() as tx:
        await tx.checkout_windows.add(window)

    async with uow(services)(readonly=True) as tx:
        stored = await tx.checkout_windows.get(mid, payment.imp_uid)

    assert stored == window


async def test_a_window_without_options_keeps_the_defaults(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    mid = merchant_a.merchant.id
    payment = await services.payments.record(make_payment(mid))
    window = CheckoutWindow(imp_uid=payment.imp_uid, merchant_id=mid, device=PaymentChannel.PC, created_at=1)
    async with uow(services)() as tx:
        await tx.checkout_windows.add(window)

    async with uow(services)(readonly=True) as tx:
        assert await tx.checkout_windows.get(mid, payment.imp_uid) == window


async def test_another_merchant_does_not_see_the_window(
    services: Services, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    payment = await services.payments.record(make_payment(merchant_a.merchant.id))
    window = CheckoutWindow(
        imp_uid=payment.imp_uid, merchant_id=merchant_a.merchant.id, device=PaymentChannel.PC, created_at=1
    )
    async with uow(services)() as tx:
        await tx.checkout_windows.add(window)

    async with uow(services)(readonly=True) as tx:
        assert await tx.checkout_windows.get(merchant_b.merchant.id, payment.imp_uid) is None


async def test_registering_an_order_stores_its_window(
    services: Services, merchant_a: CreatedMerchant
) -> None:
    params = {"merchant_uid": "o-1", "amount": 1000, "m_redirect_url": "https://shop.example/done"}
    request = checkout_request(params, now=services.clock.now())

    payment = await services.checkout.register(
        merchant_a.merchant.code, request, device=PaymentChannel.PC, origin="https://shop.example"
    )

    async with uow(services)(readonly=True) as tx:
        stored = await tx.checkout_windows.get(merchant_a.merchant.id, payment.imp_uid)
    assert stored is not None
    assert (stored.device, stored.origin, stored.m_redirect_url) == (
        PaymentChannel.PC,
        "https://shop.example",
        "https://shop.example/done",
    )
    assert stored.created_at == payment.started_at
