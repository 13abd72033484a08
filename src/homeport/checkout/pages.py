"""The browser side of checkout: the SDK file, the window pages and the Ret_URL's result page.

- ``GET /v1/iamport.js`` (and i'mport's legacy names, §7.1): the SDK (static/iamport.js).
- ``POST /checkout/v1/pay``: the SDK posts ``{merchant_code, params (JSON text), device,
  origin}`` here, into its overlay iframe (PC) or as the whole page (mobile). The order is
  registered and KCP's window opened: PC hosts KCP's PC window script (kcp.md §10.1), mobile
  hands the order form to KCP's mobile window (§10.2). A refused order answers the failure
  result at once (PC: to the callback; mobile: to ``m_redirect_url``, as SDK 1.1.5+ does, §7.1).
- ``POST /checkout/v1/return/{imp_uid}``: KCP's Ret_URL (also the PC page's own post): the
  approval with the stored amount, then the callback result (PC, §7.4) or a 302 to the
  ``m_redirect_url`` stored at registration (mobile, §7.5).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from homeport import pg
from homeport.api.body import Body, text_field
from homeport.api.deps import BodyDep, ServicesDep
from homeport.api.errors import status_for
from homeport.checkout.api import NO_PG_CODE, callback_result, device_of, return_url, sandbox_url
from homeport.domain.checkout.requests import checkout_request, http_url
from homeport.domain.errors import GatewayError, InvalidRequest
from homeport.domain.payments.models import PaymentChannel

router = APIRouter()
#: homeport's pages, and the PG's browser glue they include (PcWindow.host_script).
templates = Jinja2Templates(directory=[Path(__file__).parent / "templates", *pg.TEMPLATE_DIRS])
SDK_FILE = Path(__file__).parent / "static" / "iamport.js"
#: Merchants keep their script tags for a long time; a short cache keeps fixes reaching them.
SDK_CACHE = "public, max-age=300"
#: Who posts messages to the merchant page; the SDK accepts only this sender (static/iamport.js).
MESSAGE_FROM = "homeport-checkout"
#: The callback's error_code for a request refused before any window opened (homeport's own:
#: the contract has no unified code list, §7.4).
REFUSED_CODE = NO_PG_CODE


@router.get("/v1/iamport.js", include_in_schema=False)
@router.get("/js/iamport.payment.js", include_in_schema=False)
@router.get("/js/iamport.payment-{version}.js", include_in_schema=False)
async def sdk(version: str = "") -> FileResponse:
    """The SDK under every name merchants' script tags use (§7.1); one file for all versions."""
    return FileResponse(
        SDK_FILE, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": SDK_CACHE}
    )


def page_origin(value: str | None) -> str | None:
    """The merchant page's origin (``scheme://host[:port]``) or None when absent or malformed."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _params(body: Body) -> dict[str, Any]:
    text = text_field(body, "params", required=True) or ""
    try:
        params = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: a hostile, deeply nested body
        raise InvalidRequest("params(결제요청 파라메터)가 JSON이 아닙니다.") from None
    if not isinstance(params, dict):
        raise InvalidRequest("params(결제요청 파라메터)가 객체가 아닙니다.")
    return params


def refused_result(params: dict[str, Any], message: str) -> dict[str, Any]:
    """The callback of a request refused before a payment existed (§7.4: ``imp_uid`` null)."""
    merchant_uid = params.get("merchant_uid")
    return {
        "success": False,
        "imp_success": False,
        "imp_uid": None,
        "merchant_uid": merchant_uid if isinstance(merchant_uid, str) else None,
        "error_code": REFUSED_CODE,
        "error_msg": message,
    }


def result_page(
    request: Request, rsp: dict[str, Any], origin: str | None, *, status_code: int = 200
) -> Response:
    """The result page: shown, and posted to the SDK when it is inside the overlay."""
    context = {"rsp": rsp, "target_origin": origin or "*"}
    return templates.TemplateResponse(request, "result.html", context, status_code=status_code)


def redirect_with(url: str, rsp: dict[str, Any]) -> RedirectResponse:
    """A 302 to ``m_redirect_url`` with §7.5's query: error fields on failure only."""
    query = {
        "imp_uid": rsp.get("imp_uid") or "",
        "merchant_uid": rsp.get("merchant_uid") or "",
        "imp_success": "true" if rsp.get("success") else "false",
    }
    if not rsp.get("success"):
        query.update(error_code=rsp.get("error_code") or "", error_msg=rsp.get("error_msg") or "")
    separator = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{separator}{urlencode(query)}", status_code=302)


def _refusal(
    request: Request, params: dict[str, Any], device: PaymentChannel, origin: str | None, message: str
) -> Response:
    rsp = refused_result(params, message)
    redirect = params.get("m_redirect_url")
    if device is PaymentChannel.MOBILE and isinstance(redirect, str):
        try:
            return redirect_with(http_url(redirect, "m_redirect_url"), rsp)
        except InvalidRequest:
            pass  # not a URL we may send the buyer to: show the result instead
    return result_page(request, rsp, origin, status_code=400)


@router.post("/checkout/v1/pay", include_in_schema=False)
async def pay(request: Request, services: ServicesDep, body: BodyDep) -> Response:
    """Register the order and open KCP's window for it (PC: in the overlay; mobile: full page)."""
    origin = page_origin(text_field(body, "origin"))
    params: dict[str, Any] = {}
    device = PaymentChannel.PC
    try:
        device = device_of(body)
        params = _params(body)
        merchant_code = text_field(body, "merchant_code", required=True) or ""
        order = checkout_request(params, now=services.clock.now())
        payment = await services.checkout.register(merchant_code, order, device=device, origin=origin)
        ret_url = return_url(request, payment.imp_uid, merchant_code)
        start = await services.checkout.approval.start_window(
            merchant_code,
            payment.imp_uid,
            ret_url,
            user_agent=request.headers.get("user-agent", ""),
            sandbox_url=sandbox_url(request),
        )
    except GatewayError as error:
        status, _ = status_for(error)
        if status >= 500:
            raise
        return _refusal(request, params, device, origin, error.message)
    if start.device == PaymentChannel.MOBILE.value:
        return templates.TemplateResponse(request, "mobile.html", {"start": start})
    context = {
        "start": start,
        "return_url": ret_url,
        "opened": {"from": MESSAGE_FROM, "type": "opened", "imp_uid": payment.imp_uid},
        "target_origin": origin or "*",
    }
    return templates.TemplateResponse(request, "pc.html", context)


@router.post("/checkout/v1/return/{imp_uid}", response_model=None, include_in_schema=False)
async def window_return(
    imp_uid: str, request: Request, services: ServicesDep, merchant_code: str = ""
) -> Response:
    """KCP's Ret_URL: the window's form (EUC-KR or UTF-8), approved for the STORED amount.

    The browser may post anything here, including another ``good_mny``: the form is handed to
    the connector unread and the approval asks KCP for the amount stored at registration,
    which KCP refuses when it differs from what the buyer authenticated (8059). A replayed
    post answers the stored outcome without a second approval. Where the result goes was
    stored with the order (device, page origin, ``m_redirect_url``), never read from here.
    """
    try:
        completion = await services.checkout.approval.complete(
            merchant_code, imp_uid, await request.body(), request.headers.get("content-type", "")
        )
    except GatewayError as error:
        status, _ = status_for(error)
        if status >= 500:
            raise
        rsp = {
            "success": False,
            "imp_uid": imp_uid,
            "merchant_uid": None,
            "error_code": REFUSED_CODE,
            "error_msg": error.message,
        }
        return result_page(request, rsp, None, status_code=400)
    rsp = callback_result(completion.payment)
    window = completion.window
    if window is not None and window.device is PaymentChannel.MOBILE and window.m_redirect_url:
        return redirect_with(window.m_redirect_url, rsp)
    return result_page(request, rsp, window.origin if window else None)


@router.get("/checkout/v1/pay", include_in_schema=False)
async def pay_get() -> HTMLResponse:
    """Someone opened the window address by hand: say what it is for."""
    text = "이 주소는 IMP.request_pay()가 결제창을 열 때 쓰는 주소입니다."
    return HTMLResponse(f"<!doctype html><meta charset=utf-8><p>{text}</p>", status_code=405)
