"""The window's own form: the buyer pays (``action=pay``), fails authentication
(``action=decline``) or cancels (``action=cancel``).

"결제하기" stores the buyer's choice (:func:`~.choice.authorize`) and hands the merchant
``enc_data``/``enc_info``; "인증 실패" hands it ``res_cd=9301`` with no tokens; "취소" hands
it ``res_cd=3001``. A window completes once.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from homeport.sandbox import codes
from homeport.sandbox.context import Sandbox, sandbox_of
from homeport.sandbox.windows.choice import authorize
from homeport.sandbox.windows.forms import read_form
from homeport.sandbox.windows.pages import (
    failure_fields,
    message_page,
    result_fields,
    result_page,
    window_page,
)
from homeport.sandbox.windows.session import InputError, Session, WindowError
from homeport.sandbox.windows.view import build_view

router = APIRouter()


@router.post("/pay/window/{window_id}", name="sandbox_window_submit", include_in_schema=False)
async def submit_window(window_id: str, request: Request) -> Response:
    """The buyer pays (``action=pay``) or cancels (``action=cancel``); a window completes once."""
    sandbox = sandbox_of(request)
    form = await read_form(request, "utf-8")
    record = sandbox.ledger.get("window", window_id)
    if record is None:
        return message_page(request, "결제창 정보를 찾을 수 없습니다.", 404)
    session = Session.from_record(record)
    error = ""
    # Checking the status, storing the auth and closing the window is one step: a window
    # completes once even when the buyer double-clicks.
    with sandbox.ledger.transaction():
        if (sandbox.ledger.get("window", window_id) or {}).get("status") != "open":
            return message_page(request, "이미 처리된 결제창입니다.", 409)
        try:
            fields = _complete(sandbox, session, form)
        except InputError as problem:
            return window_page(request, session, build_view(sandbox, session), form=form, error=str(problem))
        except WindowError as failure:
            fields, error = failure_fields(session, failure), failure.detail
        session.status = "done"
        sandbox.ledger.update("window", window_id, session.record())
    return result_page(request, session, fields, error=error)


def _complete(sandbox: Sandbox, session: Session, form: dict[str, str]) -> dict[str, str]:
    """The result fields for the buyer's action (InputError: show the window again)."""
    view = build_view(sandbox, session)
    action = form.get("action", "pay")
    if action == "cancel":
        return result_fields(session, codes.USER_CANCELLED)
    if action == "decline":
        return result_fields(session, codes.WINDOW_AUTH_FAILED)
    return result_fields(session, codes.OK, authorized=authorize(sandbox, session, view, form))
