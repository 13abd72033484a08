"""The sandbox's payment windows in a real browser, from a merchant's pages to KCP's approval.

A tiny merchant app (below) runs on its own loopback port, so the sandbox is another origin as
KCP is in production. Its pages are written the way KCP's samples are (kcp.md §10):

- ``/pc/order``: declares ``m_Completepayment`` before loading ``kcp_spay_hub.js`` from the
  sandbox, and pays with ``KCP_Pay_Execute_Web(document.order_info)``; ``m_Completepayment``
  copies the result into the form with ``GetField`` and shows the form's fields as JSON in
  ``<pre id=result>``;
- ``/mobile/order``: registers the trade server-side (``/std/tradeReg/register``) and
  auto-submits the order form to ``PayUrl`` (an EUC-KR page, as KCP's mobile sample) or to
  the encoding filter with ``encoding_trans=UTF-8`` (a UTF-8 page);
- ``/kcp/return``: the ``Ret_URL``; records the posted form, decoded as the request says
  (UTF-8, else EUC-KR), and shows it as JSON in ``<pre id=result>``.

The merchant server's approval (``/gw/enc/v1/payment``) is made by the test with httpx.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from playwright.sync_api import FrameLocator, Page, expect

from tests.browser.conftest import SandboxServer
from tests.browser.servers import ThreadedServer
from tests.e2e.processes import free_port

pytestmark = pytest.mark.browser

SITE_CD = "T0000"
CARD = "100000000000"
#: A CP949 syllable outside strict EUC-KR (똠) with ordinary Hangul: what browsers call EUC-KR.
KOREAN_GOOD_NAME = "똠방각하 한글 상품"
_orders = itertools.count(1)


def new_order(prefix: str) -> str:
    """A fresh merchant order number."""
    return f"BR-{prefix}-{next(_orders):04d}"


# --- the merchant ---------------------------------------------------------------------------

_PC_PAGE = Template("""<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>주문 (PC)</title>
<script>
  /* KCP calls this when the window finishes; it must exist before kcp_spay_hub.js loads. */
  function m_Completepayment(FormOrJson, closeEvent) {
    var frm = document.order_info;
    GetField(frm, FormOrJson);
    var fields = {};
    for (var i = 0; i < frm.elements.length; i++) {
      var el = frm.elements[i];
      if (el.name) fields[el.name] = el.value;
    }
    document.getElementById("result").textContent = JSON.stringify(fields);
    closeEvent();
  }
</script>
<script src="$hub_script"></script>
</head>
<body>
<h1>주문하기</h1>
<form name="order_info" method="post">
$fields
</form>
<button type="button" id="pay-button" onclick="KCP_Pay_Execute_Web(document.order_info)">결제하기</button>
<pre id="result"></pre>
</body>
</html>
""")

_MOBILE_PAGE = Template("""<!doctype html>
<html lang="ko">
<head>
<meta charset="$charset">
<title>주문 (모바일)</title>
</head>
<body onload="document.order_info.submit()">
<p>결제창으로 이동합니다…</p>
<form name="order_info" method="post" action="$action" accept-charset="$charset">
$fields
</form>
</body>
</html>
""")

_RESULT_PAGE = Template("""<!doctype html>
<html lang="ko">
<head><meta charset="utf-8"><title>결제 결과</title></head>
<body><h1>결제 결과</h1><pre id="result">$result</pre></body>
</html>
""")

#: The mobile form's pay_method (trade registration) and ActionResult, per method (kcp.md §10.2).
_MOBILE_METHODS = {"card": ("CARD", "card"), "vbank": ("VCNT", "vcnt")}


def _hidden(fields: dict[str, str]) -> str:
    return "\n".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in fields.items()
    )


def _declared_charset(request: Request) -> str:
    for part in request.headers.get("content-type", "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset":
            return value.strip("\"'").lower()
    return ""


def _decode_form(body: bytes, declared: str) -> tuple[str, dict[str, str]]:
    """The form in the charset the request declares; browsers declare none, so UTF-8 if the
    bytes are UTF-8, else EUC-KR (as Windows-949, the browsers' EUC-KR)."""
    text = body.decode("ascii")
    charsets = [declared] if declared else ["utf-8", "euc-kr"]
    for charset in charsets:
        codec = "cp949" if charset in {"euc-kr", "cp949", "ks_c_5601-1987"} else charset
        try:
            pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, encoding=codec, errors="strict")
        except UnicodeDecodeError:
            continue
        return charset, dict(pairs)
    raise AssertionError(f"Ret_URL body is neither UTF-8 nor EUC-KR: {body[:200]!r}")


@dataclass
class Merchant:
    """The merchant's site: its URL and every form posted to its Ret_URL, by order number."""

    url: str
    returns: dict[str, dict[str, Any]] = field(default_factory=dict)

    def pc_order(self, ordr_idxx: str, good_mny: int, **extra: str) -> str:
        """The PC order page's URL."""
        query = {"ordr_idxx": ordr_idxx, "good_mny": str(good_mny), **extra}
        return f"{self.url}/pc/order?{urllib.parse.urlencode(query)}"

    def mobile_order(self, ordr_idxx: str, good_mny: int, **extra: str) -> str:
        """The mobile order page's URL (``method`` card or vbank, ``charset`` utf-8 or euc-kr)."""
        query = {"ordr_idxx": ordr_idxx, "good_mny": str(good_mny), **extra}
        return f"{self.url}/mobile/order?{urllib.parse.urlencode(query)}"


def merchant_app(merchant: Merchant, sandbox: SandboxServer) -> FastAPI:
    """The merchant's pages (module docstring)."""
    app = FastAPI(openapi_url=None)

    @app.get("/pc/order")
    async def pc_order(request: Request) -> Response:
        query = request.query_params
        fields = {
            "site_cd": SITE_CD,
            "site_name": "브라우저 테스트 상점",
            "ordr_idxx": query["ordr_idxx"],
            "good_name": query.get("good_name", "PC 테스트 상품"),
            "good_mny": query["good_mny"],
            "pay_method": query.get("pay_method", CARD),
            "currency": "410",
            "buyr_name": "홍길동",
            "module_type": "01",
            "quotaopt": query.get("quotaopt", ""),
            # Filled in by GetField when the window finishes.
            "res_cd": "",
            "res_msg": "",
            "enc_info": "",
            "enc_data": "",
            "tran_cd": "",
            "ret_pay_method": "",
            "use_pay_method": "",
            "ordr_chk": "",
        }
        page = _PC_PAGE.substitute(
            hub_script=html.escape(f"{sandbox.url}/plugin/kcp_spay_hub.js"), fields=_hidden(fields)
        )
        return HTMLResponse(page)

    @app.get("/mobile/order")
    async def mobile_order(request: Request) -> Response:
        query = request.query_params
        utf8 = query.get("charset", "utf-8") == "utf-8"
        pay_method, action_result = _MOBILE_METHODS[query.get("method", "card")]
        order = {
            "ordr_idxx": query["ordr_idxx"],
            "good_name": query.get("good_name", "모바일 테스트 상품"),
            "good_mny": query["good_mny"],
        }
        ret_url = f"{merchant.url}/kcp/return"
        async with httpx.AsyncClient(timeout=10.0) as client:
            answer = await client.post(
                f"{sandbox.url}/std/tradeReg/register",
                json={
                    "site_cd": SITE_CD,
                    "kcp_cert_info": sandbox.cert_info(SITE_CD),
                    **order,
                    "pay_method": pay_method,
                    "Ret_URL": ret_url,
                },
            )
        registered = answer.json()
        if registered.get("Code") != "0000":
            return HTMLResponse(f"<pre id=result>{html.escape(answer.text)}</pre>", status_code=502)
        fields = {
            "req_tx": "pay",
            "site_cd": SITE_CD,
            "shop_name": "브라우저 테스트 상점",
            **order,
            "currency": "410",
            "pay_method": pay_method,
            "ActionResult": action_result,
            "van_code": "",
            "Ret_URL": ret_url,
            "approval_key": registered["approvalKey"],
            "traceNo": registered["traceNo"],
            "PayUrl": registered["PayUrl"],
            "escw_used": "N",
            "buyr_name": "홍길동",
            "param_opt_1": "옵션1",
            "tablet_size": "1.0",
        }
        if utf8:
            fields["encoding_trans"] = "UTF-8"
            action = f"{sandbox.url}/pay/jsp/encodingFilter/encodingFilter.jsp"
        else:
            action = registered["PayUrl"]
        charset = "utf-8" if utf8 else "euc-kr"
        page = _MOBILE_PAGE.substitute(charset=charset, action=html.escape(action), fields=_hidden(fields))
        codec = "utf-8" if utf8 else "cp949"
        return Response(page.encode(codec), media_type=f"text/html; charset={charset}")

    @app.post("/kcp/return")
    async def kcp_return(request: Request) -> Response:
        charset, fields = _decode_form(await request.body(), _declared_charset(request))
        received = {"charset": charset, "fields": fields}
        merchant.returns[fields.get("ordr_idxx", "")] = received
        result = html.escape(json.dumps(received, ensure_ascii=False))
        return HTMLResponse(_RESULT_PAGE.substitute(result=result))

    return app


@pytest.fixture(scope="module")
def merchant(sandbox_server: SandboxServer) -> Iterator[Merchant]:
    """The merchant app, on its own loopback port (another origin than the sandbox)."""
    port = free_port()
    shop = Merchant(url=f"http://127.0.0.1:{port}")
    with ThreadedServer(merchant_app(shop, sandbox_server), port):
        yield shop


# --- the merchant server's side of KCP, and reading pages ----------------------------------


def approve(sandbox: SandboxServer, result: dict[str, str], pay_type: str) -> dict[str, str]:
    """The merchant server's approval of a window's result (kcp.md §6.3), ``ordr_mony`` = good_mny."""
    body = {
        "site_cd": SITE_CD,
        "kcp_cert_info": sandbox.cert_info(SITE_CD),
        "tran_cd": result["tran_cd"],
        "enc_data": result["enc_data"],
        "enc_info": result["enc_info"],
        "ordr_mony": result["good_mny"],
        "ordr_no": result["ordr_idxx"],
        "pay_type": pay_type,
    }
    response = httpx.post(f"{sandbox.url}/gw/enc/v1/payment", json=body, timeout=10.0)
    assert response.status_code == 200, response.text
    answer: dict[str, str] = response.json()
    return answer


def shown_result(page: Page) -> dict[str, Any]:
    """The JSON the merchant page shows in ``<pre id=result>``, once it is there."""
    result = page.locator("#result")
    expect(result).not_to_be_empty()
    shown: dict[str, Any] = json.loads(result.text_content() or "")
    return shown


def open_pc_window(page: Page, url: str) -> FrameLocator:
    """Load the PC order page, press 결제하기 and wait for the window in its overlay."""
    page.goto(url)
    page.locator("#pay-button").click()
    expect(page.locator("#kcp-sandbox-overlay")).to_be_visible()
    window = page.frame_locator("#kcp-sandbox-window")
    expect(window.locator("#pay-form")).to_be_visible()
    return window


def landed_on_return(page: Page, merchant: Merchant) -> dict[str, Any]:
    """Wait for the browser to arrive on the merchant's Ret_URL; what it shows."""
    page.wait_for_url(f"{merchant.url}/kcp/return")
    return shown_result(page)


# --- PC window -----------------------------------------------------------------------------


def test_pc_card_payment_reaches_m_completepayment_and_is_approved(
    page: Page, merchant: Merchant, sandbox_server: SandboxServer, tmp_path: Path
) -> None:
    """Paying in the overlay window calls m_Completepayment with res_cd 0000, enc_data/enc_info,
    tran_cd 00100000 and ordr_chk "ordr_idxx|good_mny", copied into the order form by GetField;
    the merchant server's approval of those fields with ordr_mony = good_mny answers 0000."""
    ordr_idxx = new_order("PC")
    window = open_pc_window(page, merchant.pc_order(ordr_idxx, 1004))
    expect(window.locator("#ordr-idxx")).to_have_text(ordr_idxx)
    page.screenshot(path=tmp_path / "pc-window.png")  # an artifact to look at, not compared

    window.locator("#card_cd").select_option("CCLG")
    window.get_by_role("button", name="결제하기", exact=True).click()
    result = shown_result(page)

    assert result["res_cd"] == "0000", result
    assert result["enc_data"]
    assert result["enc_info"]
    assert result["tran_cd"] == "00100000"
    assert result["ordr_chk"] == f"{ordr_idxx}|1004"
    assert (result["ret_pay_method"], result["use_pay_method"]) == ("CARD", CARD)
    expect(page.locator("#kcp-sandbox-overlay")).to_have_count(0)

    approval = approve(sandbox_server, result, "PACA")
    assert approval["res_cd"] == "0000", approval
    assert approval["card_cd"] == "CCLG"
    assert approval["amount"] == "1004"


def test_pc_cancel_button_returns_3001_and_closes_the_overlay(page: Page, merchant: Merchant) -> None:
    """취소 in the window reaches m_Completepayment as res_cd 3001 without enc_data, and
    closeEvent() removes the overlay from the merchant page."""
    window = open_pc_window(page, merchant.pc_order(new_order("PC"), 1004))

    window.get_by_role("button", name="취소", exact=True).click()
    result = shown_result(page)

    assert result["res_cd"] == "3001", result
    assert result["enc_data"] == ""
    expect(page.locator("#kcp-sandbox-overlay")).to_have_count(0)
    expect(page.locator("#kcp-sandbox-window")).to_have_count(0)


def test_pc_installment_choice_is_the_approved_quota(
    page: Page, merchant: Merchant, sandbox_server: SandboxServer
) -> None:
    """From 50,000 won with quotaopt=12 the window offers 일시불 and 2-12 months; the months the
    buyer picks are the approval's quota."""
    ordr_idxx = new_order("PC")
    window = open_pc_window(page, merchant.pc_order(ordr_idxx, 55_000, quotaopt="12"))
    quota = window.locator("#quota")
    offered = quota.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert offered == ["00", *(f"{m:02d}" for m in range(2, 13))]

    quota.select_option("12")
    window.get_by_role("button", name="결제하기", exact=True).click()
    result = shown_result(page)
    assert result["res_cd"] == "0000", result

    approval = approve(sandbox_server, result, "PACA")
    assert approval["res_cd"] == "0000", approval
    assert approval["quota"] == "12"
    assert approval["amount"] == "55000"


# --- mobile window --------------------------------------------------------------------------


def test_mobile_card_through_the_utf8_encoding_filter_lands_on_ret_url(
    page: Page, merchant: Merchant, sandbox_server: SandboxServer
) -> None:
    """Register → the UTF-8 order form posts to the encoding filter → 결제하기 → the browser is
    posted to Ret_URL in UTF-8 with res_cd 0000, tran_cd and enc_data/enc_info, which approve."""
    ordr_idxx = new_order("MO")
    page.goto(merchant.mobile_order(ordr_idxx, 1004, method="card", charset="utf-8"))
    expect(page.locator("#pay-form")).to_be_visible()
    assert page.url.endswith("/pay/jsp/encodingFilter/encodingFilter.jsp")

    page.get_by_role("button", name="결제하기", exact=True).click()
    received = landed_on_return(page, merchant)

    fields = received["fields"]
    assert received["charset"] == "utf-8"
    assert fields["res_cd"] == "0000", fields
    assert fields["res_msg"] == "정상처리"
    assert fields["tran_cd"] == "00100000"
    assert fields["enc_data"]
    assert fields["enc_info"]
    assert fields["ordr_idxx"] == ordr_idxx
    assert merchant.returns[ordr_idxx] == received
    approval = approve(sandbox_server, fields, "PACA")
    assert approval["res_cd"] == "0000", approval


def test_mobile_euc_kr_order_keeps_its_korean_good_name(page: Page, merchant: Merchant) -> None:
    """An EUC-KR order page posted straight to PayUrl: the window shows the Korean good_name
    (a CP949-only syllable included) and Ret_URL receives it back EUC-KR-encoded, intact."""
    ordr_idxx = new_order("MO")
    url = merchant.mobile_order(ordr_idxx, 1004, method="card", charset="euc-kr", good_name=KOREAN_GOOD_NAME)
    page.goto(url)
    expect(page.locator("#good-name")).to_have_text(KOREAN_GOOD_NAME)
    assert page.url.endswith("/pay/mobileGW.kcp")

    page.get_by_role("button", name="결제하기", exact=True).click()
    received = landed_on_return(page, merchant)

    fields = received["fields"]
    assert received["charset"] == "euc-kr"  # the bytes were not UTF-8
    assert fields["res_cd"] == "0000", fields
    assert fields["good_name"] == KOREAN_GOOD_NAME
    assert (fields["buyr_name"], fields["param_opt_1"]) == ("홍길동", "옵션1")
    assert fields["res_msg"] == "정상처리"


def test_mobile_virtual_account_approval_issues_an_account(
    page: Page, merchant: Merchant, sandbox_server: SandboxServer
) -> None:
    """A virtual-account window (ActionResult vcnt): the buyer picks a bank, Ret_URL gets
    res_cd 0000, and the approval (pay_type PAVC) answers an account at that bank."""
    ordr_idxx = new_order("VA")
    page.goto(merchant.mobile_order(ordr_idxx, 30_000, method="vbank", charset="utf-8"))
    page.locator("#vbank_code").select_option("BK20")
    page.get_by_role("button", name="결제하기", exact=True).click()
    fields = landed_on_return(page, merchant)["fields"]
    assert fields["res_cd"] == "0000", fields
    assert fields["use_pay_method"] == "001000000000"

    approval = approve(sandbox_server, fields, "PAVC")
    assert approval["res_cd"] == "0000", approval
    assert re.fullmatch(r"T[0-9]{13}", approval["account"]), approval  # stage-style (kcp.md §9.5)
    assert approval["bankcode"] == "BK20"
    assert len(approval["va_date"]) == 14
