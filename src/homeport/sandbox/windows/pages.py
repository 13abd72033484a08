"""The pages a buyer sees: the window, its messages, and the result handed to the merchant.

A result goes back by auto-posting to ``Ret_URL`` (mobile, in the form's charset) or by
``postMessage`` to the merchant page (PC), in KCP's field names (kcp.md §6.1-6.2, §10).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from homeport.sandbox import codes
from homeport.sandbox.context import sandbox_of
from homeport.sandbox.methods import INSTALLMENT_MINIMUM
from homeport.sandbox.windows.choice import Authorized
from homeport.sandbox.windows.forms import flag, http_url
from homeport.sandbox.windows.session import Session, WindowError
from homeport.sandbox.windows.view import View, build_view

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")

DEFAULT_CARD_NUMBER = "4111111111111111"

#: Merchant fields echoed back to the merchant with every result.
_ECHOED = ("buyr_name", "buyr_mail", "buyr_tel1", "buyr_tel2", "param_opt_1", "param_opt_2", "param_opt_3")

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def result_fields(
    session: Session,
    code: codes.Code,
    *,
    message: str = "",
    authorized: Authorized | None = None,
) -> dict[str, str]:
    """What the merchant receives (Ret_URL post or postMessage), in KCP's names."""
    auth = authorized.auth if authorized else {}
    method = authorized.method if authorized else None
    fields = {
        "res_cd": code.res_cd,
        "res_msg": message or code.res_msg,
        "res_en_msg": code.res_en_msg,
        "tran_cd": str(auth.get("tran_cd", "")),
        "enc_data": str(auth.get("enc_data", "")),
        "enc_info": str(auth.get("enc_info", "")),
        "site_cd": session.get("site_cd"),
        "ordr_idxx": session.get("ordr_idxx"),
        "good_name": session.get("good_name"),
        "good_mny": session.get("good_mny"),
        "use_pay_method": method.use_pay_method if method else "",
        "escw_used": "Y" if flag(session.get("escw_used")) else "N",
    }
    for name in _ECHOED:
        fields[name] = session.fields.get(name, "")
    if session.channel == "pc":
        fields["ret_pay_method"] = method.ret_pay_method if method else ""
        fields["ordr_chk"] = f"{session.get('ordr_idxx')}|{session.get('good_mny')}"
    else:
        fields["req_tx"] = "pay"
        fields["trace_no"] = session.get("traceNo")
    if authorized:
        fields.update(authorized.extra)
    if session.get("pay_method").upper() in {"AUTH", "AUTH:CARD"}:
        fields.setdefault("card_mask_no", "")
    return fields


def failure_fields(session: Session, failure: WindowError) -> dict[str, str]:
    """The result of a window that could not go on."""
    return result_fields(session, failure.code, message=failure.detail)


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def message_page(request: Request, message: str, status_code: int) -> Response:
    """A window error page: nothing can go back to the merchant."""
    return _render(request, "message.html", {"title": "결제창 오류", "message": message}, status_code)


def _target_origin(session: Session) -> str:
    origin = session.get("sandbox_parent_origin")
    return origin if _ORIGIN.fullmatch(origin) else "*"


def result_page(request: Request, session: Session, fields: dict[str, str], *, error: str = "") -> Response:
    """Hand the result to the merchant: auto-post to Ret_URL (mobile) or postMessage (PC)."""
    if session.channel == "pc":
        message = {
            "source": "homeport-kcp-sandbox",
            "type": "kcp_pay_result",
            "nonce": session.get("sandbox_nonce"),
            "fields": fields,
        }
        pc_context = {"message": message, "target_origin": _target_origin(session), "error": error}
        return _render(request, "result_pc.html", pc_context)
    target = http_url(session.get("Ret_URL"))
    if not target:
        return message_page(request, error or fields["res_msg"], 400)
    context: dict[str, Any] = {
        "ret_url": target,
        "charset": session.charset,
        "fields": fields,
        "error": error,
        "success": fields["res_cd"] == codes.OK.res_cd,
    }
    return _render(request, "result_mobile.html", context)


def failure_page(request: Request, session: Session, failure: WindowError) -> Response:
    """The result of a window that could not go on, handed to the merchant."""
    return result_page(request, session, failure_fields(session, failure), error=failure.detail)


def window_page(
    request: Request, session: Session, view: View, *, form: dict[str, str] | None = None, error: str = ""
) -> Response:
    """The window itself, again with the buyer's ``form`` and an ``error`` when input was wrong."""
    form = form or {}
    context = {
        "view": view,
        "session": session,
        "form": form,
        "error": error,
        "selected_method": form.get("method") or view.methods[0].key,
        "card_no": form.get("card_no") or DEFAULT_CARD_NUMBER,
        "submit_url": request.url_for("sandbox_window_submit", window_id=session.window_id),
        "installment_minimum": INSTALLMENT_MINIMUM,
    }
    return _render(request, "window.html", context, status_code=400 if error else 200)


def open_window(request: Request, session: Session) -> Response:
    """Store a new window and show it, or hand the merchant why it cannot open."""
    sandbox = sandbox_of(request)
    try:
        view = build_view(sandbox, session)
    except WindowError as failure:
        return failure_page(request, session, failure)
    sandbox.ledger.put("window", session.window_id, session.record())
    return window_page(request, session, view)
