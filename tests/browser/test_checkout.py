"""``IMP.request_pay`` in a real browser: a merchant page, homeport's SDK, KCP's (sandbox) windows.

One ``homeport serve`` (SQLite, embedded sandbox, pinned demo merchant) and a merchant site on
another loopback port, so homeport is another origin as i'mport's service is. The merchant page
is what merchants write (iamport-v1 §7): ``<script src="{homeport}/v1/iamport.js">``,
``IMP.init(code)``, ``IMP.request_pay(params, callback)``; the callback shows ``rsp`` as JSON in
``<pre id=result>``, and ``/complete`` (the ``m_redirect_url``) shows its query the same way.

Every flow runs on a PC (overlay iframe, callback) and on an emulated phone (full-page redirect
to ``m_redirect_url``), and each test then fetches the payment through the REST API with the
merchant's token, as merchants are told to (§7.4).
"""

from __future__ import annotations

import itertools
import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from playwright.sync_api import Browser, FrameLocator, Page, expect

from tests.browser.conftest import ACTION_TIMEOUT_MS
from tests.browser.servers import ThreadedServer
from tests.e2e.processes import (
    HomeportServer,
    free_port,
    pinned_demo_env,
    printed_credentials,
    running_server,
)
from tests.support import DEMO_KEY, DEMO_SECRET

pytestmark = pytest.mark.browser

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36"
)
DECLINING_CARD = "4000000000000002"  # the sandbox declines it at approval: 8016 limit exceeded
_orders = itertools.count(1)

_SHOP_PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>상점</title>
<script src="{homeport}/v1/iamport.js"></script></head>
<body><h1>상점</h1><pre id="result"></pre>
<script>
  IMP.init("{code}");
  window.pay = function (params) {{
    IMP.request_pay(params, function (rsp) {{
      document.getElementById("result").textContent = JSON.stringify(rsp);
    }});
  }};
</script></body></html>"""


@dataclass(frozen=True)
class Shop:
    """The merchant's site and homeport's address, code and REST API."""

    url: str
    homeport: HomeportServer
    code: str

    def rest(self, path: str) -> dict[str, Any]:
        """``GET path`` with the merchant's REST token; the envelope's response."""
        with httpx.Client(base_url=self.homeport.host, timeout=10.0) as client:
            token = client.post("/users/getToken", json={"imp_key": DEMO_KEY, "imp_secret": DEMO_SECRET})
            answer = client.get(path, headers={"Authorization": token.json()["response"]["access_token"]})
        assert answer.status_code == 200, answer.text
        response: dict[str, Any] = answer.json()["response"]
        return response

    def payment(self, imp_uid: str) -> dict[str, Any]:
        return self.rest(f"/payments/{imp_uid}")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    root = tmp_path_factory.mktemp("checkout-browser")
    with running_server(root / "homeport", pinned_demo_env(root / "homeport")) as homeport:
        credentials = printed_credentials(homeport.stdout)
        assert credentials is not None, homeport.describe()
        app = FastAPI(openapi_url=None)

        @app.get("/shop")
        async def shop_page() -> HTMLResponse:
            return HTMLResponse(_SHOP_PAGE.format(homeport=homeport.host, code=credentials.code))

        @app.get("/complete")
        async def complete(request: Request) -> HTMLResponse:
            shown = json.dumps(dict(request.query_params), ensure_ascii=False)
            return HTMLResponse(f"<!doctype html><meta charset=utf-8><pre id=result>{_escape(shown)}</pre>")

        port = free_port()
        with ThreadedServer(app, port):
            yield Shop(url=f"http://127.0.0.1:{port}", homeport=homeport, code=credentials.code)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


@dataclass
class Checkout:
    """One buyer's tab on the merchant page, PC or phone."""

    page: Page
    shop: Shop
    mobile: bool

    def request_pay(self, **params: Any) -> None:
        """``IMP.request_pay`` with the seeds' usual params plus ``params``."""
        order = {
            "pg": "kcp",
            "pay_method": "card",
            "merchant_uid": f"order-{next(_orders):05d}",
            "name": "노르웨이 회전 의자",
            "amount": 10_000,
            "buyer_name": "홍길동",
            "buyer_tel": "010-1234-5678",
            "buyer_email": "buyer@example.com",
            "m_redirect_url": f"{self.shop.url}/complete",
            **params,
        }
        self.page.goto(f"{self.shop.url}/shop")
        self.page.evaluate("params => window.pay(params)", order)

    def window(self) -> Page | FrameLocator:
        """KCP's window: the page itself on a phone, two iframes deep on a PC."""
        if self.mobile:
            return self.page
        return self.page.frame_locator("iframe.imp-frame").frame_locator("#kcp-sandbox-window")

    def opened(self) -> Page | FrameLocator:
        """The window, once its buyer form is on screen."""
        window = self.window()
        expect(window.locator("#pay-form")).to_be_visible()
        return window

    def press(self, button: str = "결제하기") -> None:
        self.opened().get_by_role("button", name=button, exact=True).click()

    def result(self) -> dict[str, Any]:
        """The callback's ``rsp`` (PC) or the ``m_redirect_url`` query (phone)."""
        if self.mobile:
            self.page.wait_for_url(f"{self.shop.url}/complete?*")
        shown = self.page.locator("#result")
        expect(shown).not_to_be_empty()
        result: dict[str, Any] = json.loads(shown.text_content() or "")
        if not self.mobile:
            expect(self.page.locator(".imp-dialog")).to_have_count(0)
        return result


def succeeded(result: dict[str, Any]) -> bool:
    """§7.4's ``success`` on a callback, §7.5's ``imp_success`` (text) on a redirect."""
    return result.get("success") is True or result.get("imp_success") == "true"


@pytest.fixture(params=["pc", "mobile"])
def checkout(request: pytest.FixtureRequest, browser: Browser, shop: Shop) -> Iterator[Checkout]:
    mobile = request.param == "mobile"
    options: dict[str, Any] = {"locale": "ko-KR"}
    if mobile:
        options.update(
            user_agent=PHONE_UA, is_mobile=True, has_touch=True, viewport={"width": 412, "height": 915}
        )
    else:
        options.update(viewport={"width": 1280, "height": 900})
    context = browser.new_context(**options)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda problem: errors.append(str(problem)))
    try:
        yield Checkout(page, shop, mobile)
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def assert_reported(result: dict[str, Any], payment: dict[str, Any]) -> None:
    """What the browser got names the payment the REST API returns."""
    assert result["imp_uid"] == payment["imp_uid"]
    assert result["merchant_uid"] == payment["merchant_uid"]
    if "status" in result:  # the callback (PC) carries the payment's fields, the redirect does not
        assert result["status"] == payment["status"]
        assert result["pay_method"] == payment["pay_method"]
        assert result["pg_provider"] == payment["pg_provider"] == "kcp"


# --- payments that succeed -------------------------------------------------------------------


def test_card_payment_is_paid_with_the_stored_amount(checkout: Checkout) -> None:
    checkout.request_pay(amount=10_000)
    checkout.press()
    result = checkout.result()

    assert succeeded(result), result
    payment = checkout.shop.payment(result["imp_uid"])
    assert_reported(result, payment)
    assert (payment["status"], payment["amount"], payment["pay_method"]) == ("paid", 10_000, "card")
    assert payment["apply_num"]
    assert payment["card_name"]
    assert payment["pg_tid"]
    assert payment["channel"] == ("mobile" if checkout.mobile else "pc")
    if not checkout.mobile:
        assert result["paid_amount"] == 10_000
        assert result["apply_num"] == payment["apply_num"]
        assert result["card_name"] == payment["card_name"]


def test_card_installments_are_offered_from_50000_won_and_the_chosen_months_are_paid(
    checkout: Checkout,
) -> None:
    checkout.request_pay(amount=55_000, display={"card_quota": [2, 3, 6]})
    quota = checkout.opened().locator("#quota")
    offered = quota.locator("option").evaluate_all("options => options.map(o => o.value)")
    # KCP's quotaopt is a maximum, not a list (decision 0007): [2, 3, 6] offers up to 6 months.
    assert offered == ["00", "02", "03", "04", "05", "06"]
    quota.select_option("03")
    checkout.press()
    result = checkout.result()

    assert succeeded(result), result
    payment = checkout.shop.payment(result["imp_uid"])
    assert (payment["status"], payment["amount"], payment["card_quota"]) == ("paid", 55_000, 3)


def test_virtual_account_is_issued_ready_and_paid_by_the_deposit(checkout: Checkout) -> None:
    checkout.request_pay(pay_method="vbank", amount=23_000)
    checkout.press()
    result = checkout.result()

    assert succeeded(result), result
    issued = checkout.shop.payment(result["imp_uid"])
    assert issued["status"] == "ready"
    assert issued["vbank_num"]
    assert issued["vbank_name"]
    assert issued["vbank_date"] > 0
    if not checkout.mobile:
        assert (result["status"], result["vbank_num"]) == ("ready", issued["vbank_num"])

    deposit = httpx.post(
        f"{checkout.shop.homeport.host}/sandbox/_sandbox/deposit",
        json={"tno": issued["pg_tid"]},
        timeout=10.0,
    )
    assert deposit.status_code == 200, deposit.text
    paid = checkout.shop.payment(result["imp_uid"])
    assert (paid["status"], paid["amount"]) == ("paid", 23_000)
    assert paid["paid_at"] > 0


@pytest.mark.parametrize(
    ("pay_method", "extra"),
    [
        ("trans", {}),
        ("phone", {"prefill": {"phoneNumber": "01012345678"}}),
        ("cultureland", {"bypass": {"shop_user_id": "buyer-7"}}),
        ("kakaopay", {}),
    ],
    ids=["bank-transfer", "phone", "gift-certificate", "easy-pay"],
)
def test_other_methods_are_paid_through_their_windows(
    checkout: Checkout, pay_method: str, extra: dict[str, Any]
) -> None:
    checkout.request_pay(pay_method=pay_method, amount=12_000, **extra)
    window = checkout.opened()
    if pay_method == "phone":
        number = window.locator("#mobile_no")
        if number.is_editable():
            number.fill("01012345678")
    checkout.press()
    result = checkout.result()

    assert succeeded(result), result
    payment = checkout.shop.payment(result["imp_uid"])
    assert_reported(result, payment)
    assert (payment["status"], payment["amount"], payment["pay_method"]) == ("paid", 12_000, pay_method)
    if pay_method == "trans":
        assert payment["bank_name"]
    if pay_method == "kakaopay":
        assert payment["emb_pg_provider"] == "kakaopay"


def test_billing_key_window_issues_a_key_that_again_charges(checkout: Checkout) -> None:
    customer_uid = f"browser-customer-{next(_orders):05d}"
    checkout.request_pay(pg="kcp_billing", customer_uid=customer_uid, amount=9_900)
    window = checkout.opened()
    taxno = window.locator("#card_taxno")
    if taxno.count():
        taxno.fill("800101")
    checkout.press()
    result = checkout.result()

    assert succeeded(result), result
    customer = checkout.shop.rest(f"/subscribe/customers/{customer_uid}")
    assert customer["customer_uid"] == customer_uid
    assert customer["card_number"]

    with httpx.Client(base_url=checkout.shop.homeport.host, timeout=10.0) as client:
        token = client.post("/users/getToken", json={"imp_key": DEMO_KEY, "imp_secret": DEMO_SECRET})
        again = client.post(
            "/subscribe/payments/again",
            headers={"Authorization": token.json()["response"]["access_token"]},
            json={
                "customer_uid": customer_uid,
                "merchant_uid": f"again-{customer_uid}",
                "amount": 9_900,
                "name": "정기결제",
            },
        )
    charged = again.json()["response"]
    assert (charged["status"], charged["amount"], charged["customer_uid"]) == ("paid", 9_900, customer_uid)


# --- payments that fail ----------------------------------------------------------------------


def test_declined_card_reports_the_pg_code_and_the_payment_fails(checkout: Checkout) -> None:
    checkout.request_pay()
    checkout.opened().locator("#card_no").fill(DECLINING_CARD)
    checkout.press()
    result = checkout.result()

    assert not succeeded(result), result
    assert result["error_code"] == "8016"
    assert result["error_msg"]
    payment = checkout.shop.payment(result["imp_uid"])
    assert_reported(result, payment)
    assert payment["status"] == "failed"
    assert payment["fail_reason"] == result["error_msg"]


def test_closing_the_window_reports_the_buyers_cancel_and_the_payment_fails(checkout: Checkout) -> None:
    checkout.request_pay()
    checkout.press("취소")
    result = checkout.result()

    assert not succeeded(result), result
    assert result["error_code"] == "3001"
    payment = checkout.shop.payment(result["imp_uid"])
    assert payment["status"] == "failed"


def test_an_amount_changed_in_the_window_form_is_never_approved(checkout: Checkout) -> None:
    """The buyer rewrites good_mny on its way to KCP's window. PC: the window authenticates
    100 won, but homeport asks KCP to approve the 10,000 it stored, which KCP refuses. Mobile:
    the trade was registered for 10,000, so the window itself refuses the form (8059). Either
    way nothing is paid and the payment keeps the stored amount."""

    def tamper(route: Any) -> None:
        body = urllib.parse.parse_qs(route.request.post_data or "", keep_blank_values=True)
        body["good_mny"] = ["100"]
        route.continue_(post_data=urllib.parse.urlencode(body, doseq=True))

    checkout.page.route("**/sandbox/pay/**", tamper)
    checkout.request_pay(amount=10_000)
    if not checkout.mobile:
        # The forged amount reached the window, and the buyer pays it.
        expect(checkout.opened().locator("#good-mny")).to_have_text("100원")
        checkout.press()
    result = checkout.result()

    assert not succeeded(result), result
    payment = checkout.shop.payment(result["imp_uid"])
    assert (payment["status"], payment["amount"], payment["paid_at"]) == ("failed", 10_000, 0)


def test_an_amount_other_than_the_prepared_one_never_opens_a_window(checkout: Checkout) -> None:
    merchant_uid = f"prepared-{next(_orders):05d}"
    with httpx.Client(base_url=checkout.shop.homeport.host, timeout=10.0) as client:
        token = client.post("/users/getToken", json={"imp_key": DEMO_KEY, "imp_secret": DEMO_SECRET})
        prepared = client.post(
            "/payments/prepare",
            headers={"Authorization": token.json()["response"]["access_token"]},
            json={"merchant_uid": merchant_uid, "amount": 30_000},
        )
    assert prepared.json()["code"] == 0, prepared.text
    checkout.request_pay(merchant_uid=merchant_uid, amount=300)
    result = checkout.result()

    assert not succeeded(result), result
    assert result["merchant_uid"] == merchant_uid
    assert result["imp_uid"] in (None, "")
    assert "30000" in result["error_msg"] or "30,000" in result["error_msg"], result


def test_a_string_amount_is_refused_with_a_clear_message(checkout: Checkout) -> None:
    checkout.request_pay(amount="10000")
    result = checkout.result()

    assert not succeeded(result), result
    assert "amount" in result["error_msg"], result


def test_gift_certificates_without_shop_user_id_are_refused_before_the_window(checkout: Checkout) -> None:
    checkout.request_pay(pay_method="cultureland")
    result = checkout.result()

    assert not succeeded(result), result
    assert "shop_user_id" in result["error_msg"], result


def test_the_sdk_close_button_reports_a_buyer_cancel(browser: Browser, shop: Shop, tmp_path: Path) -> None:
    """PC only: the overlay's own × ends the call with a failure; the payment is not paid."""
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        checkout = Checkout(page, shop, mobile=False)
        checkout.request_pay()
        expect(checkout.window().locator("#pay-form")).to_be_visible()
        page.locator(".imp-close").click()
        result = checkout.result()
        assert not succeeded(result), result
        assert result["imp_uid"]
        assert shop.payment(result["imp_uid"])["status"] == "ready"  # never submitted: replaced on retry
    finally:
        context.close()


def test_the_demo_page_pays_and_shows_the_payment_as_the_rest_api_returns_it(
    browser: Browser, shop: Shop
) -> None:
    """``/demo`` of ``homeport serve``: pay with the defaults, see the callback and the payment."""
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{shop.homeport.host}/demo")
        expect(page.locator("#merchant-code")).to_have_text(shop.code)
        page.locator("#pay").click()
        window = page.frame_locator("iframe.imp-frame").frame_locator("#kcp-sandbox-window")
        window.get_by_role("button", name="결제하기", exact=True).click()

        expect(page.locator("#payment")).to_contain_text('"status": "paid"')
        callback = json.loads(page.locator("#callback").text_content() or "")
        assert callback["success"] is True
        shown = json.loads(page.locator("#payment").text_content() or "")["response"]
        assert shown == shop.payment(callback["imp_uid"])
    finally:
        context.close()
