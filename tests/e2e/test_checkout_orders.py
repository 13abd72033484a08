"""``POST /checkout/v1/orders``: the SDK registers the order a KCP window approves (issue 6).

Every refusal is the i'mport envelope with HTTP 400 (the SDK turns it into the callback's
``success: false, error_msg``, §7.4); a registered order is a ``ready`` payment the merchant
sees through the REST API like any other.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from homeport.domain.checkout.service import REPLACED_REASON
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.attempts import AttemptOperation, attempt_on
from homeport.domain.payments.models import PaymentChannel, PaymentStatus
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from tests.support import make_payment


@pytest.fixture
def auth(token_a: str) -> dict[str, str]:
    return {"Authorization": token_a}


async def order(
    api: httpx.AsyncClient, merchant: CreatedMerchant, device: str = "pc", **params: Any
) -> httpx.Response:
    body = {"merchant_uid": "order-1", "amount": 1000, "name": "노르웨이 회전 의자", **params}
    return await api.post(
        "/checkout/v1/orders",
        json={"merchant_code": merchant.merchant.code, "params": body, "device": device},
    )


def refused(answer: httpx.Response) -> str:
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] != 0
    assert answer.json()["response"] is None
    return str(answer.json()["message"])


async def test_an_order_is_a_ready_payment_the_merchant_reads_with_its_token(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    answer = await order(
        api,
        merchant_a,
        device="mobile",
        pay_method="vbank",
        vbank_due="2026-01-08",
        buyer_name="홍길동",
        buyer_tel="010-1234-5678",
        custom_data={"cart": 7},
        notice_url="https://shop.test/hook",
        escrow=True,
        kcpProducts=[{"orderNumber": "A1", "name": "의자", "quantity": 1, "amount": 1000}],
    )

    assert answer.status_code == 200, answer.text
    registered = answer.json()["response"]
    assert registered["merchant_uid"] == "order-1"
    assert (registered["status"], registered["amount"], registered["pg_id"]) == ("ready", 1000, "T0000")
    payment = (await api.get(f"/payments/{registered['imp_uid']}", headers=auth)).json()["response"]
    assert payment["status"] == "ready"
    assert (payment["channel"], payment["pay_method"], payment["pg_provider"]) == ("mobile", "vbank", "kcp")
    assert (payment["pg_id"], payment["escrow"], payment["amount"]) == ("T0000", True, 1000)
    assert (payment["buyer_name"], payment["buyer_tel"]) == ("홍길동", "010-1234-5678")
    assert payment["custom_data"] == '{"cart":7}'
    assert payment["vbank_date"] == 1_767_884_399  # 2026-01-08 23:59:59 KST, kept for approval


async def test_a_string_amount_is_refused(api: httpx.AsyncClient, merchant_a: CreatedMerchant) -> None:
    assert "JSON number" in refused(await order(api, merchant_a, amount="1000"))


async def test_a_gift_certificate_without_shop_user_id_is_refused(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    assert "bypass.shop_user_id" in refused(await order(api, merchant_a, pay_method="cultureland"))


async def test_a_kcp_site_the_merchant_does_not_have_is_refused(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, merchant_b: CreatedMerchant
) -> None:
    # T0007 is merchant B's site: another merchant's channel is as unknown as a made-up one.
    assert "T0007" in refused(await order(api, merchant_a, pg="kcp.T0007"))


async def test_a_named_kcp_site_is_used(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    answer = await order(api, merchant_a, pg="kcp.A52Q7")
    assert answer.json()["response"]["pg_id"] == "A52Q7"


async def test_billing_without_customer_uid_is_refused_and_with_one_uses_the_billing_site(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    assert "customer_uid" in refused(await order(api, merchant_a, pg="kcp_billing"))

    answer = await order(api, merchant_a, pg="kcp_billing", customer_uid="cust-1", amount=0)

    imp_uid = answer.json()["response"]["imp_uid"]
    payment = (await api.get(f"/payments/{imp_uid}", headers=auth)).json()["response"]
    assert (payment["pg_id"], payment["customer_uid"], payment["customer_uid_usage"]) == (
        "A52Q7",
        "cust-1",
        "issue",
    )


async def test_billing_on_a_site_without_a_billing_group_is_refused(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    assert "T0000" in refused(await order(api, merchant_a, pg="kcp_billing.T0000", customer_uid="c"))


async def test_an_amount_other_than_the_prepared_one_is_refused(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    await api.post("/payments/prepare", json={"merchant_uid": "order-1", "amount": 1000}, headers=auth)

    assert "사전등록된 결제금액(1000원)" in refused(await order(api, merchant_a, amount=100))
    assert (await order(api, merchant_a, amount=1000)).status_code == 200


async def test_a_paid_merchant_uid_is_refused_before_the_window_opens(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant
) -> None:
    await services.payments.record(make_payment(merchant_a.merchant.id, merchant_uid="order-1"))

    assert "order-1" in refused(await order(api, merchant_a))


async def test_a_reopened_window_replaces_the_abandoned_ready_payment(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    first = (await order(api, merchant_a)).json()["response"]["imp_uid"]

    second = (await order(api, merchant_a, amount=1000)).json()["response"]["imp_uid"]

    assert second != first
    old = (await api.get(f"/payments/{first}", headers=auth)).json()["response"]
    new = (await api.get(f"/payments/{second}", headers=auth)).json()["response"]
    assert (old["status"], old["fail_reason"]) == ("failed", REPLACED_REASON)
    assert new["status"] == "ready"
    found = (await api.get("/payments/find/order-1", headers=auth)).json()["response"]
    assert found["imp_uid"] == second


async def test_a_window_already_submitted_to_kcp_is_not_replaced(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    first = (await order(api, merchant_a)).json()["response"]["imp_uid"]
    uow = SqlUnitOfWorkFactory(services.engine, services.box)
    async with uow() as tx:
        payment = await tx.payments.get(merchant_a.merchant.id, first)
        assert payment is not None
        await tx.attempts.add(attempt_on(payment, AttemptOperation.CHARGE, amount=1000, started_at=0))

    assert "order-1" in refused(await order(api, merchant_a))
    assert (await api.get(f"/payments/{first}", headers=auth)).json()["response"]["status"] == "ready"


async def test_an_api_payment_in_progress_is_not_replaced(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant
) -> None:
    await services.payments.record(
        make_payment(
            merchant_a.merchant.id,
            merchant_uid="order-1",
            status=PaymentStatus.READY,
            channel=PaymentChannel.API,
        )
    )

    assert "order-1" in refused(await order(api, merchant_a))


@pytest.mark.parametrize("code", ["imp99999999", "shop", ""])
async def test_an_unknown_merchant_code_is_refused(api: httpx.AsyncClient, code: str) -> None:
    answer = await api.post(
        "/checkout/v1/orders", json={"merchant_code": code, "params": {"merchant_uid": "o", "amount": 1}}
    )
    assert "가맹점" in refused(answer) or "merchant_code" in refused(answer)


async def test_params_and_device_are_checked(api: httpx.AsyncClient, merchant_a: CreatedMerchant) -> None:
    code = merchant_a.merchant.code
    missing = await api.post("/checkout/v1/orders", json={"merchant_code": code})
    tablet = await order(api, merchant_a, device="tablet")

    assert "params" in refused(missing)
    assert "device" in refused(tablet)
