"""The checkout's pages without a browser: the SDK file, refusals before a window, /demo."""

from __future__ import annotations

import json
import urllib.parse

import httpx
import pytest

from homeport.domain.merchants.models import CreatedMerchant, NewChannel
from homeport.services import Services
from tests.e2e.test_checkout_approval import shown_result
from tests.support import make_payment


@pytest.mark.parametrize(
    "path",
    [
        "/v1/iamport.js",
        "/js/iamport.payment.js",
        "/js/iamport.payment-1.1.8.js",
        "/js/iamport.payment-1.2.0.js",
    ],
)
async def test_the_sdk_is_served_at_every_name_merchants_script_tags_use(
    api: httpx.AsyncClient, path: str
) -> None:
    answer = await api.get(path)

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert "request_pay" in answer.text
    assert "global.IMP = IMP" in answer.text


def pay_form(merchant: CreatedMerchant, device: str, **params: object) -> dict[str, str]:
    order = {"merchant_uid": "order-1", "amount": 10000, "name": "의자", **params}
    return {
        "merchant_code": merchant.merchant.code,
        "params": json.dumps(order),
        "device": device,
        "origin": "https://shop.test",
    }


async def test_a_refused_pc_request_answers_the_callback_failure_without_a_payment(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    answer = await api.post("/checkout/v1/pay", data=pay_form(merchant_a, "pc", amount="10000"))

    assert answer.status_code == 400
    result = shown_result(answer)
    assert result["success"] is False
    assert result["imp_uid"] is None
    assert result["merchant_uid"] == "order-1"
    assert "amount" in result["error_msg"]


async def test_a_refused_mobile_request_is_redirected_to_m_redirect_url_with_the_failure(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    form = pay_form(merchant_a, "mobile", amount=1.5, m_redirect_url="https://shop.test/done")
    answer = await api.post("/checkout/v1/pay", data=form)

    assert answer.status_code == 302
    location = urllib.parse.urlsplit(answer.headers["location"])
    assert (location.netloc, location.path) == ("shop.test", "/done")
    query = dict(urllib.parse.parse_qsl(location.query))
    assert query["imp_success"] == "false"
    assert query["merchant_uid"] == "order-1"
    assert query["error_msg"]


async def test_a_mobile_request_opens_kcps_mobile_window_with_the_stored_amount(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    answer = await api.post("/checkout/v1/pay", data=pay_form(merchant_a, "mobile"))

    assert answer.status_code == 200
    assert "/sandbox/pay/jsp/encodingFilter/encodingFilter.jsp" in answer.text
    assert 'name="good_mny" value="10000"' in answer.text


async def test_a_pc_request_hosts_kcps_pc_window_script(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    answer = await api.post("/checkout/v1/pay", data=pay_form(merchant_a, "pc"))

    assert answer.status_code == 200
    assert "/sandbox/plugin/kcp_spay_hub.js" in answer.text
    assert "function m_Completepayment" in answer.text
    assert '"https://shop.test"' in answer.text  # results are posted to the page's origin only


async def test_demo_serves_the_demo_merchant_and_its_payments_only(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant
) -> None:
    assert (await api.get("/demo")).status_code == 404  # merchant_a exists, so no demo merchant
    demo = await services.merchants.create("homeport demo shop", channels=[NewChannel(site_code="T0000")])
    page = await api.get("/demo")
    assert page.status_code == 200
    assert demo.merchant.code in page.text
    assert '<script src="/v1/iamport.js"></script>' in page.text

    mine = await services.payments.record(
        make_payment(demo.merchant.id, imp_uid="imp_100000000001", merchant_uid="demo-1")
    )
    shown = (await api.get(f"/demo/payments/{mine.imp_uid}")).json()["response"]
    assert (shown["imp_uid"], shown["merchant_uid"]) == ("imp_100000000001", "demo-1")
    theirs = await services.payments.record(
        make_payment(merchant_a.merchant.id, imp_uid="imp_100000000002", merchant_uid="a-1")
    )
    assert (await api.get(f"/demo/payments/{theirs.imp_uid}")).status_code == 404


@pytest.mark.parametrize("params", ["not json", "[1, 2]", "[" * 100_000 + "]" * 100_000])
async def test_params_that_are_not_a_json_object_get_the_failure_result(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, params: str
) -> None:
    form = {"merchant_code": merchant_a.merchant.code, "params": params, "device": "pc"}
    answer = await api.post("/checkout/v1/pay", data=form)

    assert answer.status_code == 400
    assert "params" in shown_result(answer)["error_msg"]
