"""Windows opened from what homeport stored with the order (decision 0007): the PC window
driven over HTTP as ``kcp_spay_hub.js`` would, and request_pay's options as the buyer sees them
in the sandbox's windows.

The buyer's browser is the test's client of homeport's app, which serves the embedded sandbox
at ``/sandbox``: the script and form URLs homeport hands out point there.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import httpx

from homeport.domain.merchants.models import CreatedMerchant
from tests.e2e.test_checkout_approval import shown_result
from tests.sandbox_windows.pages import Form, forms, pc_message

ORIGIN = "https://shop.example"
NONCE = "0123456789abcdef0123456789abcdef"


async def order(
    api: httpx.AsyncClient, merchant: CreatedMerchant, *, device: str = "pc", **params: Any
) -> dict[str, Any]:
    """Register an order on ``device`` and start its window: the window start's answer."""
    body = {"merchant_uid": "order-1", "amount": 60000, "name": "노르웨이 회전 의자", **params}
    code = merchant.merchant.code
    registered = await api.post(
        "/checkout/v1/orders",
        json={"merchant_code": code, "params": body, "device": device, "origin": ORIGIN},
    )
    assert registered.status_code == 200, registered.text
    imp_uid = registered.json()["response"]["imp_uid"]
    started = await api.post(f"/checkout/v1/orders/{imp_uid}/window", json={"merchant_code": code})
    assert started.status_code == 200, started.text
    answer: dict[str, Any] = started.json()["response"]
    return answer


async def open_pc(api: httpx.AsyncClient, started: dict[str, Any]) -> httpx.Response:
    """What ``kcp_spay_hub.js`` does: post the form, plus its own two fields, to ``../pay/pc``."""
    window_url = urllib.parse.urljoin(started["script_url"], "../pay/pc")
    fields = {**started["form"], "sandbox_parent_origin": ORIGIN, "sandbox_nonce": NONCE}
    return await api.post(window_url, data=fields)


async def open_mobile(api: httpx.AsyncClient, started: dict[str, Any]) -> httpx.Response:
    return await api.post(started["action"], data=started["form"])


def pay_form(page: httpx.Response) -> Form:
    found = forms(page.text)
    assert "pay-form" in found, page.text[:1500]
    return found["pay-form"]


async def press(
    api: httpx.AsyncClient, page: httpx.Response, action: str = "pay", **choices: str
) -> httpx.Response:
    form = pay_form(page)
    return await api.post(form.action, data={**form.fields, **choices, "action": action})


async def ret_url(
    api: httpx.AsyncClient, merchant: CreatedMerchant, imp_uid: str, fields: dict[str, str]
) -> httpx.Response:
    """What homeport's PC page does with the window's result: post it to the Ret_URL."""
    query = urllib.parse.urlencode({"merchant_code": merchant.merchant.code})
    return await api.post(f"/checkout/v1/return/{imp_uid}?{query}", data=fields)


async def test_a_pc_window_started_by_homeport_is_paid_and_approved_at_the_ret_url(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, token_a: str
) -> None:
    started = await order(api, merchant_a)
    assert started["device"] == "pc"
    assert started["action"] is None
    assert started["script_url"] == "http://homeport.test/sandbox/plugin/kcp_spay_hub.js"
    assert (await api.get(started["script_url"])).status_code == 200
    assert started["form"]["good_mny"] == "60000"
    assert started["form"]["pay_method"] == "100000000000"

    page = await open_pc(api, started)
    result = pc_message(await press(api, page, card_cd="CCLG", card_no="4111111111111111", quota="03"))
    assert result["nonce"] == NONCE
    assert result["fields"]["res_cd"] == "0000"
    answer = await ret_url(api, merchant_a, started["imp_uid"], result["fields"])

    callback = shown_result(answer)
    assert callback["success"] is True
    assert callback["status"] == "paid"
    assert callback["paid_amount"] == 60000
    assert callback["card_quota"] == 3
    payment = (await api.get(f"/payments/{started['imp_uid']}", headers={"Authorization": token_a})).json()
    assert payment["response"]["status"] == "paid"
    assert payment["response"]["amount"] == 60000


async def test_a_closed_pc_window_fails_the_payment_at_the_ret_url(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    started = await order(api, merchant_a)
    result = pc_message(await press(api, await open_pc(api, started), "cancel"))
    callback = shown_result(await ret_url(api, merchant_a, started["imp_uid"], result["fields"]))

    assert callback["success"] is False
    assert callback["error_code"] == "3001"


async def test_the_pc_window_offers_only_the_installments_asked_for(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    started = await order(api, merchant_a, display={"card_quota": [2, 3]})
    form = pay_form(await open_pc(api, started))

    assert [value for value, _ in form.options["quota"]] == ["00", "02", "03"]


async def test_a_window_under_50000_won_offers_no_installments(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    started = await order(api, merchant_a, amount=49000)
    page = await open_pc(api, started)

    assert "quota" not in pay_form(page).options
    assert 'id="lump-sum-only"' in page.text


async def test_a_direct_card_company_is_the_only_card_with_its_fixed_installments(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    started = await order(api, merchant_a, card={"direct": {"code": "361", "quota": 6}})
    form = pay_form(await open_pc(api, started))

    assert [value for value, _ in form.options["card_cd"]] == ["CCBC"]
    assert [value for value, _ in form.options["quota"]] == ["06"]


async def test_disabled_cards_are_not_listed_in_the_mobile_window(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    detail = [{"card_code": "*", "enabled": False}, {"card_code": "366", "enabled": True}]
    started = await order(api, merchant_a, device="mobile", card={"detail": detail})
    form = pay_form(await open_mobile(api, started))

    assert [value for value, _ in form.options["card_cd"]] == ["CCLG"]


async def test_an_escrow_cart_is_shown_in_the_window_and_the_payment_is_escrow(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, token_a: str
) -> None:
    products = [
        {"orderNumber": "L1", "name": "의자 다리", "quantity": 4, "amount": 20000},
        {"orderNumber": "L2", "name": "등받이", "quantity": 1, "amount": 30000},
    ]
    started = await order(api, merchant_a, device="mobile", escrow=True, kcpProducts=products)
    page = await open_mobile(api, started)

    assert 'id="escrow-cart"' in page.text
    assert "의자 다리" in page.text
    assert "등받이" in page.text
    assert "2건" in page.text  # bask_cntx
    returned = forms((await press(api, page, card_cd="CCLG", card_no="4111111111111111")).text)["kcp-return"]
    answer = await api.post(returned.action, data=returned.fields)
    assert shown_result(answer)["status"] == "paid"
    payment = (await api.get(f"/payments/{started['imp_uid']}", headers={"Authorization": token_a})).json()
    assert payment["response"]["escrow"] is True


async def test_the_shop_name_logo_and_buyer_id_reach_the_window(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    started = await order(
        api,
        merchant_a,
        pay_method="cultureland",
        company="의자나라",
        bypass={"shop_user_id": "buyer-77", "site_logo": "https://shop.example/logo.gif"},
    )
    page = await open_pc(api, started)

    assert "<h1>의자나라</h1>" in page.text
    assert 'src="https://shop.example/logo.gif"' in page.text
    assert '<span id="shop-user-id">buyer-77</span>' in page.text


async def test_a_prefilled_phone_number_is_the_phone_windows_number(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    started = await order(api, merchant_a, pay_method="phone", prefill={"phoneNumber": "010-1234-5678"})
    form = pay_form(await open_pc(api, started))

    assert form.fields["mobile_no"] == "01012345678"


async def test_the_vbank_due_is_the_windows_deposit_deadline(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    started = await order(api, merchant_a, pay_method="vbank", vbank_due="2099-01-08 18:30:00")
    page = await open_pc(api, started)

    assert 'datetime="20990108183000"' in page.text


async def test_an_origin_that_is_not_scheme_host_port_refuses_the_order(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    params = {"merchant_uid": "order-1", "amount": 1000}
    answer = await api.post(
        "/checkout/v1/orders",
        json={
            "merchant_code": merchant_a.merchant.code,
            "params": params,
            "origin": "https://shop.example/checkout?x=1",
        },
    )

    assert answer.status_code == 400
    assert "origin" in answer.json()["message"]
