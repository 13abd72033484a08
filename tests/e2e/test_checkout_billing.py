"""A ``kcp_billing`` window (§7.3, DESIGN core flow 2, decision 0008) through the sandbox's
mobile window: the batch key is issued and stored as REST issuance stores it, the window's
payment is ``paid`` for 0 won, and ``again`` then charges the key."""

from __future__ import annotations

from typing import Any

import httpx

from homeport.domain.merchants.models import CreatedMerchant
from tests.e2e.test_checkout_approval import (
    CARD,
    post_return,
    register,
    rest_payment,
    shown_result,
    start,
    window,
)
from tests.sandbox_windows.pages import Form

STOLEN_CARD = "4000000000000010"  # the sandbox refuses its batch key (8041)

BUYER = {
    "buyer_name": "홍길동",
    "buyer_tel": "010-1234-5678",
    "buyer_email": "gildong@shop.test",
    "buyer_addr": "서울특별시 강남구 삼성동",
    "buyer_postcode": "06164",
}


async def billing_window(
    api: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    merchant: CreatedMerchant,
    action: str = "pay",
    card: dict[str, str] | None = None,
    **params: Any,
) -> tuple[str, Form]:
    """A ``kcp_billing`` order for customer ``buyer-1``, its window filled and ``action`` pressed."""
    order = {"pg": "kcp_billing", "customer_uid": "buyer-1", "amount": 0, **BUYER, **params}
    imp_uid = await register(api, merchant, **order)
    started = await start(api, merchant, imp_uid)
    assert started["form"]["kcp_group_id"] == "A52Q71000489"
    choices = {**(card or CARD), "card_taxno": "800101"}
    return imp_uid, await window(api, started["action"], started["form"], action, **choices)


async def customer(api: httpx.AsyncClient, auth: dict[str, str], customer_uid: str) -> dict[str, Any]:
    answer: dict[str, Any] = (await api.get(f"/subscribe/customers/{customer_uid}", headers=auth)).json()
    return answer


async def batch_keys(browser: httpx.AsyncClient) -> int:
    count: int = (await browser.get("/_sandbox/records/batch_key")).json()["count"]
    return count


async def test_a_billing_window_stores_the_key_as_rest_issuance_does_and_records_a_0_won_payment(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    imp_uid, returned = await billing_window(api, browser, merchant_a)
    result = shown_result(await post_return(api, returned))

    assert result["success"] is True
    assert result["status"] == "paid"
    assert result["paid_amount"] == 0
    assert result["customer_uid"] == "buyer-1"
    assert result["card_name"] == "신한카드"
    assert result["pg_tid"] is None  # KCP's issuance has no tno (kcp.md §6.3)
    payment = await rest_payment(api, auth, imp_uid)
    assert payment["status"] == "paid"
    assert payment["amount"] == 0
    assert payment["customer_uid"] == "buyer-1"
    assert payment["customer_uid_usage"] == "issue"
    assert payment["card_name"] == "신한카드"
    assert payment["paid_at"] > 0
    key = await customer(api, auth, "buyer-1")
    assert key["code"] == 0
    assert key["response"] | {"inserted": 0, "updated": 0} == key["response"] | {
        "customer_uid": "buyer-1",
        "pg_provider": "kcp",
        "pg_id": "A52Q7",  # merchant A's billing site
        "card_name": "신한카드",
        "card_code": "366",
        "card_number": "41111111****1111",  # the window's card_mask_no, separators dropped
        "customer_name": "홍길동",
        "customer_tel": "010-1234-5678",
        "customer_email": "gildong@shop.test",
        "customer_addr": "서울특별시 강남구 삼성동",
        "customer_postcode": "06164",
        "inserted": 0,
        "updated": 0,
    }
    assert "billing_key" not in key["response"]
    assert await batch_keys(browser) == 1


async def test_again_charges_the_key_a_billing_window_issued(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    # The window shows 9,900 won (a monthly plan) and charges nothing.
    issuing, returned = await billing_window(api, browser, merchant_a, amount=9900)
    assert shown_result(await post_return(api, returned))["success"] is True

    charged = await api.post(
        "/subscribe/payments/again",
        headers=auth,
        json={"customer_uid": "buyer-1", "merchant_uid": "order-2", "amount": 9900, "name": "월 구독"},
    )

    assert charged.json()["code"] == 0, charged.text
    charge = charged.json()["response"]
    assert charge["status"] == "paid"
    assert charge["amount"] == 9900
    assert charge["customer_uid"] == "buyer-1"
    assert charge["customer_uid_usage"] == "payment"
    assert charge["card_name"] == "신한카드"
    assert (await rest_payment(api, auth, charge["imp_uid"]))["status"] == "paid"
    issuance = await rest_payment(api, auth, issuing)
    assert issuance["amount"] == 0  # the window's payment charged nothing; only again did
    assert issuance["status"] == "paid"


async def test_a_replayed_billing_return_answers_the_stored_outcome_and_issues_once(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    imp_uid, returned = await billing_window(api, browser, merchant_a)
    first = shown_result(await post_return(api, returned))
    again = shown_result(await post_return(api, returned))

    assert first["status"] == again["status"] == "paid"
    assert (await rest_payment(api, auth, imp_uid))["status"] == "paid"
    assert again["customer_uid"] == "buyer-1"
    assert await batch_keys(browser) == 1
    assert (await customer(api, auth, "buyer-1"))["code"] == 0


async def test_a_closed_billing_window_fails_its_payment_and_stores_no_key(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    imp_uid, returned = await billing_window(api, browser, merchant_a, action="cancel")
    result = shown_result(await post_return(api, returned))

    assert result["success"] is False
    assert result["status"] == "failed"
    assert result["error_code"] == "3001"
    payment = await rest_payment(api, auth, imp_uid)
    assert payment["status"] == "failed"
    assert payment["fail_reason"] == result["error_msg"]
    assert (await customer(api, auth, "buyer-1"))["code"] == 1
    assert await batch_keys(browser) == 0


async def test_a_card_kcp_refuses_fails_the_billing_window_and_stores_no_key(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    card = {"card_cd": "CCLG", "card_no": STOLEN_CARD}
    imp_uid, returned = await billing_window(api, browser, merchant_a, card=card)
    result = shown_result(await post_return(api, returned))

    assert result["success"] is False
    assert result["status"] == "failed"
    assert result["error_code"] == "8041"
    assert result["error_msg"].startswith("[8041]")
    assert (await rest_payment(api, auth, imp_uid))["status"] == "failed"
    assert (await customer(api, auth, "buyer-1"))["code"] == 1


async def test_cancelling_a_billing_window_payment_says_there_is_no_money_to_cancel(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    imp_uid, returned = await billing_window(api, browser, merchant_a)
    assert shown_result(await post_return(api, returned))["success"] is True

    answer = await api.post("/payments/cancel", json={"imp_uid": imp_uid}, headers=auth)

    assert answer.status_code == 200
    assert answer.json()["code"] == 1
    assert "0원 결제건" in answer.json()["message"]
    assert (await rest_payment(api, auth, imp_uid))["status"] == "paid"
    assert (await customer(api, auth, "buyer-1"))["code"] == 0  # the key stays
