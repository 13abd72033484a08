"""A window's round trip without a browser: order, window start, the sandbox's mobile window,
KCP's Ret_URL post to homeport, and the approval of the STORED amount (issue 6, §7.4-7.5).

The buyer's browser is the test's client of homeport's app, which serves the embedded sandbox at
``/sandbox`` (the window URLs homeport hands out point there); the pages are read with the
window tests' form parser, and the buttons pressed are the window's own (pay / decline / cancel).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import replace
from typing import Any

import httpx
import pytest

from homeport.domain.merchants.models import CreatedMerchant
from homeport.pg.base import Declined, TradeRequest
from homeport.services import Services
from tests.sandbox_windows.pages import Form, forms

#: Where the result page keeps the callback object, as JSON.
RESULT_SCRIPT = re.compile(r'<script id="homeport-result" type="application/json">(.*?)</script>', re.S)
DECLINING_CARD = "4000000000000002"  # the sandbox's card refused at approval (8016)


@pytest.fixture
def kcp(services: Services) -> httpx.AsyncClient:
    """The embedded sandbox as homeport reaches it (its records, a forged page's window)."""
    assert services.sandbox_http is not None
    return services.sandbox_http


async def register(api: httpx.AsyncClient, merchant: CreatedMerchant, **params: Any) -> str:
    body = {"merchant_uid": "order-1", "amount": 10000, "name": "노르웨이 회전 의자", **params}
    answer = await api.post(
        "/checkout/v1/orders",
        json={"merchant_code": merchant.merchant.code, "params": body, "device": "mobile"},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["response"]["imp_uid"])


async def start(
    api: httpx.AsyncClient, merchant: CreatedMerchant, imp_uid: str, **extra: str
) -> dict[str, Any]:
    answer = await api.post(
        f"/checkout/v1/orders/{imp_uid}/window", json={"merchant_code": merchant.merchant.code, **extra}
    )
    assert answer.status_code == 200, answer.text
    started: dict[str, Any] = answer.json()["response"]
    return started


def _form(response: httpx.Response, form_id: str) -> Form:
    found = forms(response.text)
    assert form_id in found, response.text[:1500]
    return found[form_id]


async def window(
    browser: httpx.AsyncClient, url: str, form: dict[str, str], action: str = "pay", **choices: str
) -> Form:
    """Open the window with the page's form (UTF-8 through KCP's filter, kcp.md §10.2), press a
    button: the Ret_URL post."""
    opened = await browser.post(url, data=form)
    pay_form = _form(opened, "pay-form")
    picked = {**pay_form.fields, **choices, "action": action}
    return _form(await browser.post(pay_form.action, data=picked), "kcp-return")


def shown_result(answer: httpx.Response) -> dict[str, Any]:
    """The callback object (§7.4) the Ret_URL's result page carries (and posts to the SDK)."""
    found = re.search(
        r'<script id="homeport-result" type="application/json">(.*?)</script>', answer.text, re.S
    )
    assert found, answer.text[:1500]
    result: dict[str, Any] = json.loads(found.group(1))
    return result


async def post_return(api: httpx.AsyncClient, returned: Form, **tamper: str) -> httpx.Response:
    """What the result page auto-posts to the Ret_URL, in its charset."""
    charset = "cp949" if returned.accept_charset.lower() in ("", "euc-kr") else returned.accept_charset
    return await api.post(
        returned.action,
        content=urllib.parse.urlencode({**returned.fields, **tamper}, encoding=charset),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


async def pay(
    api: httpx.AsyncClient,
    merchant: CreatedMerchant,
    action: str = "pay",
    choices: dict[str, str] | None = None,
    **params: Any,
) -> tuple[str, httpx.Response]:
    """Register, start, press ``action`` in the window and post its result to the Ret_URL."""
    imp_uid = await register(api, merchant, **params)
    started = await start(api, merchant, imp_uid)
    returned = await window(api, started["action"], started["form"], action, **(choices or {}))
    return imp_uid, await post_return(api, returned)


CARD = {"card_cd": "CCLG", "card_no": "4111111111111111"}


async def card_window(api: httpx.AsyncClient, merchant: CreatedMerchant, **params: Any) -> tuple[str, Form]:
    """A registered 10,000-won order paid by card in its window: the Ret_URL post, not sent yet."""
    imp_uid = await register(api, merchant, **params)
    started = await start(api, merchant, imp_uid)
    return imp_uid, await window(api, started["action"], started["form"], **CARD)


async def rest_payment(api: httpx.AsyncClient, auth: dict[str, str], imp_uid: str) -> dict[str, Any]:
    answer = await api.get(f"/payments/{imp_uid}", headers=auth)
    assert answer.status_code == 200, answer.text
    payment: dict[str, Any] = answer.json()["response"]
    return payment


async def transactions(kcp: httpx.AsyncClient, order_id: str) -> list[dict[str, Any]]:
    answer = await kcp.get("/_sandbox/records/transaction", params={"ordr_idxx": order_id})
    records: list[dict[str, Any]] = answer.json()["records"]
    return records


async def test_a_card_window_is_paid_for_the_stored_amount_with_the_card_and_installments(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    imp_uid = await register(api, merchant_a, amount=50000)
    started = await start(api, merchant_a, imp_uid)
    assert started["form"]["good_mny"] == "50000"
    returned = await window(
        api, started["action"], started["form"], card_cd="CCLG", card_no="4111111111111111", quota="03"
    )
    answer = await post_return(api, returned)

    result = shown_result(answer)
    assert result["success"] is True
    assert result["status"] == "paid"
    assert result["paid_amount"] == 50000
    assert result["apply_num"]
    assert result["card_name"]
    assert result["card_quota"] == 3
    assert result["error_code"] is None
    payment = await rest_payment(api, auth, imp_uid)
    assert payment["status"] == "paid"
    assert payment["amount"] == 50000
    assert payment["card_quota"] == 3
    assert payment["apply_num"] == result["apply_num"]
    assert payment["card_name"] == result["card_name"]
    assert payment["pg_tid"]


async def test_a_card_refused_at_approval_fails_the_payment_with_the_pg_reason(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    imp_uid = await register(api, merchant_a)
    started = await start(api, merchant_a, imp_uid)
    returned = await window(api, started["action"], started["form"], card_cd="CCLG", card_no=DECLINING_CARD)
    result = shown_result(await post_return(api, returned))

    assert result["success"] is False
    assert result["status"] == "failed"
    assert result["error_code"] == "8016"
    assert result["error_msg"].startswith("[8016]")
    payment = await rest_payment(api, auth, imp_uid)
    assert payment["status"] == "failed"
    assert payment["fail_reason"] == result["error_msg"]


async def test_a_closed_window_fails_the_payment_without_asking_kcp(
    api: httpx.AsyncClient, kcp: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    imp_uid, answer = await pay(api, merchant_a, action="cancel")

    result = shown_result(answer)
    assert result["success"] is False
    assert result["status"] == "failed"
    assert result["error_code"] == "3001"
    assert "3001" in result["error_msg"]
    assert (await rest_payment(api, auth, imp_uid))["fail_reason"] == result["error_msg"]
    assert await transactions(kcp, "order-1") == []


async def test_a_replayed_return_answers_the_stored_outcome_and_approves_once(
    api: httpx.AsyncClient, kcp: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    imp_uid, returned = await card_window(api, merchant_a)
    first = shown_result(await post_return(api, returned))
    again = shown_result(await post_return(api, returned))

    assert first["status"] == again["status"] == "paid"
    assert again["apply_num"] == first["apply_num"]
    assert len(await transactions(kcp, "order-1")) == 1
    assert (await rest_payment(api, auth, imp_uid))["status"] == "paid"


async def test_an_amount_in_the_return_form_is_ignored_the_stored_amount_is_approved(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    imp_uid, returned = await card_window(api, merchant_a)
    result = shown_result(await post_return(api, returned, good_mny="100", amount="100", ordr_mony="100"))

    assert result["paid_amount"] == 10000
    assert (await rest_payment(api, auth, imp_uid))["amount"] == 10000


async def test_a_window_authenticated_for_another_amount_is_refused_and_nothing_is_approved(
    api: httpx.AsyncClient,
    kcp: httpx.AsyncClient,
    services: Services,
    merchant_a: CreatedMerchant,
    auth: dict[str, str],
) -> None:
    imp_uid = await register(api, merchant_a)  # stored: 10,000 won
    started = await start(api, merchant_a, imp_uid)
    # A forged page registers its own trade for 100 won and sends the buyer's result to our Ret_URL.
    ret_url = started["form"]["Ret_URL"]
    forged = await _forged_trade(services, merchant_a, ret_url, amount=100)
    # The forged page's window is the sandbox's (reached in-process, as KCP would be directly).
    returned = await window(kcp, forged.action, dict(forged.form), card_cd="CCLG", card_no="4111111111111111")
    result = shown_result(await post_return(api, returned))

    assert result["success"] is False
    assert result["status"] == "failed"
    assert "8059" in result["error_msg"]
    assert (await rest_payment(api, auth, imp_uid))["status"] == "failed"
    assert await transactions(kcp, "order-1") == []  # KCP approved nothing, at any amount


async def _forged_trade(services: Services, merchant: CreatedMerchant, ret_url: str, *, amount: int) -> Any:
    """A trade for order-1 at another amount, registered with KCP behind homeport's back."""
    channel = await services.gateway.channel_for(merchant.merchant.id, billing=False)
    registration = await services.gateway.connector(channel).register_trade(
        TradeRequest(order_id="order-1", amount=amount, name="의자", pay_method="card", return_url=ret_url)
    )
    assert not isinstance(registration, Declined)
    return registration


async def test_a_virtual_account_window_leaves_the_payment_ready_with_the_account(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    imp_uid, answer = await pay(
        api, merchant_a, pay_method="vbank", vbank_due="2099-01-08", choices={"vbank_code": "BK04"}
    )

    result = shown_result(answer)
    assert result["success"] is True
    assert result["status"] == "ready"
    assert result["vbank_num"]
    assert result["vbank_name"]
    assert result["vbank_date"] > 0
    payment = await rest_payment(api, auth, imp_uid)
    assert payment["status"] == "ready"
    assert payment["vbank_num"] == result["vbank_num"]


async def test_m_redirect_url_receives_the_outcome_in_its_query(
    api: httpx.AsyncClient, kcp: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    imp_uid, returned = await card_window(api, merchant_a, m_redirect_url="https://shop.test/done?from=kcp")
    answer = await post_return(api, returned)

    assert answer.status_code == 302
    location = urllib.parse.urlsplit(answer.headers["location"])
    assert location.netloc == "shop.test"
    query = dict(urllib.parse.parse_qsl(location.query, keep_blank_values=True))
    assert query == {
        "from": "kcp",
        "imp_uid": imp_uid,
        "merchant_uid": "order-1",
        "imp_success": "true",
    }


async def test_m_redirect_url_of_a_closed_window_carries_the_error(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    imp_uid = await register(api, merchant_a, m_redirect_url="https://shop.test/done")
    started = await start(api, merchant_a, imp_uid)
    answer = await post_return(api, await window(api, started["action"], started["form"], "cancel"))

    assert answer.status_code == 302
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["location"]).query))
    assert query["imp_success"] == "false"
    assert query["error_code"] == "3001"
    assert query["error_msg"]


async def test_the_window_start_no_longer_takes_an_m_redirect_url(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    imp_uid = await register(api, merchant_a)
    answer = await api.post(
        f"/checkout/v1/orders/{imp_uid}/window",
        json={"merchant_code": merchant_a.merchant.code, "m_redirect_url": "https://evil.test/"},
    )

    assert answer.status_code == 400
    assert "m_redirect_url" in answer.json()["message"]


async def test_a_ret_url_query_cannot_change_where_the_buyer_is_redirected(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    _, returned = await card_window(api, merchant_a, m_redirect_url="https://shop.test/done")
    crafted = returned.action + "&" + urllib.parse.urlencode({"m_redirect_url": "https://evil.test/"})
    answer = await post_return(api, replace(returned, action=crafted))

    assert answer.status_code == 302
    assert urllib.parse.urlsplit(answer.headers["location"]).netloc == "shop.test"


async def test_without_a_stored_m_redirect_url_a_ret_url_query_gets_no_redirect(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    _, returned = await card_window(api, merchant_a)
    crafted = returned.action + "&" + urllib.parse.urlencode({"m_redirect_url": "https://evil.test/"})
    answer = await post_return(api, replace(returned, action=crafted))

    assert answer.status_code == 200
    assert shown_result(answer)["status"] == "paid"


async def test_a_paid_order_cannot_open_its_window_again(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    imp_uid, _ = await pay(api, merchant_a, choices=CARD)
    answer = await api.post(
        f"/checkout/v1/orders/{imp_uid}/window", json={"merchant_code": merchant_a.merchant.code}
    )

    assert answer.status_code == 400
    assert answer.json()["response"] is None
