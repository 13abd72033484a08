"""The PC window: ``kcp_spay_hub.js`` and the page it opens in its overlay iframe.

The script defines ``KCP_Pay_Execute_Web``, ``KCP_Pay_Execute`` and ``GetField``, posts the
merchant's form to ``/pay/pc`` with ``sandbox_parent_origin`` and ``sandbox_nonce`` added, and
calls ``m_Completepayment`` when the window's result arrives by ``postMessage``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from homeport.sandbox.context import sandbox_of
from homeport.sandbox.windows.forms import read_form
from homeport.sandbox.windows.pages import open_window
from homeport.sandbox.windows.session import new_session

router = APIRouter()

_HUB_SCRIPT = Path(__file__).parent.parent / "static" / "kcp_spay_hub.js"


@router.post("/pay/pc", include_in_schema=False)
async def pc_window(request: Request) -> Response:
    """The PC window, opened by ``kcp_spay_hub.js`` in its overlay iframe (UTF-8 form)."""
    sandbox = sandbox_of(request)
    fields = await read_form(request, "utf-8")
    return open_window(request, new_session(sandbox, "pc", "UTF-8", fields))


def _hub_script() -> Response:
    return Response(
        _HUB_SCRIPT.read_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/plugin/kcp_spay_hub.js", include_in_schema=False)
async def spay_hub_script() -> Response:
    """KCP's PC window script: ``KCP_Pay_Execute_Web(form)``, ``GetField``, ``m_Completepayment``."""
    return _hub_script()


@router.get("/plugin/payplus_web.jsp", include_in_schema=False)
async def payplus_web_script() -> Response:
    """The older PC script URL (``KCP_Pay_Execute(form)``); the same script."""
    return _hub_script()
