"""The mobile window at ``PayUrl`` (kcp.md §10.2): an EUC-KR form, or UTF-8 behind KCP's filter.

It needs a trade registration (``/std/tradeReg/register``): the Trade found by
``approval_key`` must agree with the form's ``site_cd``/``ordr_idxx``/``good_mny``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from homeport.sandbox import codes
from homeport.sandbox.context import Sandbox, sandbox_of
from homeport.sandbox.windows.forms import http_url, read_form
from homeport.sandbox.windows.options import ACTION_RESULTS, METHODS
from homeport.sandbox.windows.pages import failure_page, open_window
from homeport.sandbox.windows.session import (
    TRADE_MISMATCH,
    TRADE_NOT_FOUND,
    Session,
    WindowError,
    new_session,
)

router = APIRouter()


def _check_trade(sandbox: Sandbox, session: Session) -> None:
    """The trade behind a mobile form must agree with it; its Ret_URL is where results go."""
    approval_key = session.get("approval_key")
    trade = sandbox.ledger.get("trade", approval_key) if approval_key else None
    if trade is None:
        raise WindowError(TRADE_NOT_FOUND)
    ret_url = http_url(str(trade.get("Ret_URL", ""))) or http_url(session.get("Ret_URL"))
    session.fields["Ret_URL"] = ret_url
    if str(trade.get("site_cd", "")) != session.get("site_cd"):
        raise WindowError(TRADE_MISMATCH, "사이트코드(site_cd)가 거래등록 정보와 다릅니다.")
    if str(trade.get("ordr_idxx", "")) != session.get("ordr_idxx"):
        raise WindowError(TRADE_MISMATCH, "주문번호(ordr_idxx)가 거래등록 정보와 다릅니다.")
    if str(trade.get("good_mny", "")) != session.get("good_mny"):
        raise WindowError(codes.AMOUNT_MISMATCH, "결제금액(good_mny)이 거래등록 금액과 다릅니다.")
    trace_no = session.get("traceNo")
    if trace_no and trade.get("traceNo") and trace_no != trade.get("traceNo"):
        raise WindowError(TRADE_MISMATCH, "traceNo가 거래등록 정보와 다릅니다.")
    trade_method = str(trade.get("pay_method", "")).upper()
    action = ACTION_RESULTS.get(session.get("ActionResult").lower())
    if trade_method and action and METHODS[action[0]].trade_pay_method != trade_method:
        raise WindowError(TRADE_MISMATCH, "결제수단이 거래등록 정보와 다릅니다.")


async def _open_mobile(request: Request, default_charset: str) -> Response:
    sandbox = sandbox_of(request)
    fields = await read_form(request, default_charset)
    # The result goes back in the form's encoding: UTF-8 only when asked (kcp.md §10.2).
    utf8 = fields.get("encoding_trans", "").strip().upper() in {"UTF-8", "UTF8"}
    session = new_session(sandbox, "mobile", "UTF-8" if utf8 else "EUC-KR", fields)
    try:
        _check_trade(sandbox, session)
    except WindowError as failure:
        return failure_page(request, session, failure)
    return open_window(request, session)


@router.post("/pay/mobileGW.kcp", include_in_schema=False)
async def mobile_window(request: Request) -> Response:
    """The mobile window at ``PayUrl``: an EUC-KR form (kcp.md §10.2)."""
    return await _open_mobile(request, "euc-kr")


@router.post("/pay/jsp/encodingFilter/encodingFilter.jsp", include_in_schema=False)
async def mobile_window_utf8(request: Request) -> Response:
    """The mobile window behind KCP's encoding filter: a UTF-8 form carrying ``PayUrl``."""
    return await _open_mobile(request, "utf-8")
