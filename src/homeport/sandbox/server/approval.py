"""Approval of a window authentication, or batch-key issuance (kcp.md §6.3, §6.4).

``POST /gw/enc/v1/payment`` takes the ``enc_data``/``enc_info`` a payment window returned
(:mod:`homeport.sandbox.auths`): ``tran_cd`` 00100000 approves the payment, 00300001 issues a
billing key.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from homeport.sandbox import codes, methods, scenarios
from homeport.sandbox.auths import TRAN_BATCH_KEY, TRAN_PAYMENT, find_auth
from homeport.sandbox.methods import Card
from homeport.sandbox.server.batch_keys import check_group, issue_batch_key, key_refusal
from homeport.sandbox.server.requests import Call, Failure, serve
from homeport.sandbox.server.transactions import new_tno, record_approval

router = APIRouter()


@router.post("/gw/enc/v1/payment")
async def approve(request: Request) -> Response:
    """Approval of a window authentication, or batch-key issuance (kcp.md §6.3)."""
    return await serve(request, _approve)


def _use_auth(call: Call, auth: dict[str, Any], *, res_cd: str, tno: str = "") -> None:
    auth["used_by_tno"] = tno
    auth["used_at"] = call.now()
    auth["used_res_cd"] = res_cd
    call.sandbox.ledger.update("auth", str(auth["enc_data"]), auth)


def _approve(call: Call) -> dict[str, str]:
    call.authenticate()
    tran_cd = call.text("tran_cd")
    enc_data, enc_info = call.text("enc_data"), call.text("enc_info")
    if tran_cd == TRAN_PAYMENT:
        ordr_mony = call.money("ordr_mony", minimum=0)
        ordr_no, pay_type = call.text("ordr_no"), call.text("pay_type")
        auth = _auth(call, enc_data, enc_info, tran_cd)
        return _approve_payment(call, auth, ordr_mony=ordr_mony, ordr_no=ordr_no, pay_type=pay_type)
    if tran_cd == TRAN_BATCH_KEY:
        return _issue_from_auth(call, _auth(call, enc_data, enc_info, tran_cd))
    raise Failure(codes.BAD_FIELD, f"tran_cd={tran_cd!r}; 00100000 (payment) or 00300001 (batch key)")


def _auth(call: Call, enc_data: str, enc_info: str, tran_cd: str) -> dict[str, Any]:
    """The unused window authentication behind ``enc_data``/``enc_info``; INVALID_AUTH else."""
    found = find_auth(call.sandbox, enc_data, enc_info)
    if found is None:
        raise Failure(codes.INVALID_AUTH, "enc_data/enc_info were not issued by a payment window")
    auth: dict[str, Any] = dict(found)
    if auth.get("site_cd") != call.site_cd:
        raise Failure(codes.INVALID_AUTH, f"the authentication belongs to site {auth.get('site_cd')}")
    if auth.get("used_by_tno") or auth.get("used_at"):
        raise Failure(codes.INVALID_AUTH, "the authentication was used already")
    if auth.get("tran_cd") != tran_cd:
        raise Failure(codes.INVALID_AUTH, f"the window returned tran_cd {auth.get('tran_cd')}")
    return auth


def _issue_from_auth(call: Call, auth: dict[str, Any]) -> dict[str, str]:
    """Batch-key issuance after a window authentication (kcp.md §6.3)."""
    scenario = scenarios.by_name(auth.get("scenario"))
    selection: dict[str, Any] = dict(auth.get("selection") or {})
    group_id = str(selection.get("group_id") or selection.get("kcp_group_id") or "")
    check_group(call, group_id)
    call.commit_point()
    refusal = key_refusal(scenario)
    if refusal is not None:
        _use_auth(call, auth, res_cd=refusal.res_cd)
        return Failure(refusal).body()
    _use_auth(call, auth, res_cd=codes.OK.res_cd)
    card = Card.from_selection(selection)
    return issue_batch_key(call, card, group_id=group_id, scenario=scenario)


def _approve_payment(
    call: Call, auth: dict[str, Any], *, ordr_mony: int, ordr_no: str, pay_type: str
) -> dict[str, str]:
    """Approval of a payment authenticated in a window (``tran_cd`` 00100000)."""
    scenario = scenarios.by_name(auth.get("scenario"))
    selection: dict[str, Any] = dict(auth.get("selection") or {})
    good_mny = int(auth.get("good_mny") or 0)
    if ordr_mony != good_mny:
        raise Failure(codes.AMOUNT_MISMATCH, f"ordr_mony {ordr_mony}, authenticated {good_mny}")
    if ordr_no != auth.get("ordr_idxx"):
        raise Failure(codes.ORDER_MISMATCH, f"ordr_no {ordr_no}, authenticated {auth.get('ordr_idxx')}")
    if pay_type != auth.get("pay_type"):
        raise Failure(codes.PAY_TYPE_MISMATCH, f"pay_type {pay_type}, authenticated {auth.get('pay_type')}")
    if pay_type not in methods.PAY_TYPES:  # pragma: no cover - windows store known pay types
        raise Failure(codes.BAD_FIELD, f"pay_type={pay_type!r}")
    call.commit_point()
    call.play(scenario)
    if scenario.decline is not None:
        # The buyer's card declined: KCP's enc_data is spent by the attempt (see the choices in
        # :mod:`homeport.sandbox.server`).
        _use_auth(call, auth, res_cd=scenario.decline.res_cd)
        return Failure(scenario.decline).body()

    sandbox = call.sandbox
    tno, app_time = new_tno(sandbox), call.now()
    ordr_idxx = str(auth.get("ordr_idxx"))
    fields = methods.approval_fields(
        sandbox, pay_type, selection, amount=good_mny, tno=tno, app_time=app_time, ordr_idxx=ordr_idxx
    )
    body = record_approval(
        call,
        tno=tno,
        app_time=app_time,
        pay_type=pay_type,
        ordr_idxx=ordr_idxx,
        amount=good_mny,
        fields=fields,
        escw_yn="Y" if auth.get("escw_used") == "Y" else "N",
        buyr_name=str(selection.get("buyr_name") or ""),
    )
    _use_auth(call, auth, res_cd=codes.OK.res_cd, tno=tno)
    return body
