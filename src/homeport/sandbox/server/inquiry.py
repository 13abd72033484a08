"""``POST /std/inquery`` (KCP's spelling): transaction inquiry (kcp.md §5)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from homeport.sandbox import codes, methods
from homeport.sandbox.methods import PABK, PACA, PAMC, PAVC
from homeport.sandbox.server.requests import Call, Failure, ok, serve
from homeport.sandbox.server.transactions import deposited, find_transaction

router = APIRouter()

#: pay_type -> (status field, cancel flag field, remaining-balance field), kcp.md §5.
_INQUIRY_FIELDS: dict[str, tuple[str, str, str]] = {
    PACA: ("stat_ca_cd", "canc_card_yn", ""),
    PABK: ("stat_bk_cd", "canc_bk_yn", "bk_rem_mny"),
    PAMC: ("stat_hp_cd", "", "hp_rem_mny"),
}


@router.post("/std/inquery")
async def inquiry(request: Request) -> Response:
    """Transaction inquiry (kcp.md §5), signed over ``site_cd^tno^pay_type``."""
    return await serve(request, _inquiry)


def _inquiry(call: Call) -> dict[str, str]:
    tno, pay_type = call.signed_tno("pay_type")
    if pay_type not in methods.PAY_TYPES:
        raise Failure(codes.BAD_FIELD, f"pay_type={pay_type!r}; one of {', '.join(methods.PAY_TYPES)}")
    transaction = find_transaction(call, tno)
    if transaction.get("pay_type") != pay_type:
        raise Failure(codes.PAY_TYPE_MISMATCH, f"tno {tno} was paid with {transaction.get('pay_type')}")
    call.commit_point()
    status = str(transaction.get("status") or "STSR")
    cancels = [c for c in transaction.get("cancels") or [] if int(c.get("mod_mny") or 0) > 0]
    body = {
        **ok(),
        "tno": tno,
        "order_no": str(transaction.get("ordr_idxx") or ""),
        "pay_method": pay_type,
        "amount": str(transaction.get("amount") or 0),
        "rem_mny": str(transaction.get("rem_mny") or 0),
        "app_time": str(transaction.get("app_time") or ""),
    }
    for key, value in (transaction.get("approval") or {}).items():
        body.setdefault(key, str(value))
    status_field, cancel_field, rem_field = _INQUIRY_FIELDS.get(pay_type, ("", "", ""))
    if status_field:
        body[status_field] = status
    if cancel_field:
        body[cancel_field] = "Y" if cancels else "N"  # unverified against KCP: Y once anything is cancelled
    if rem_field:
        body[rem_field] = body["rem_mny"]
    body["shop_status"] = status
    body["can_time"] = str(cancels[-1]["canc_time"]) if cancels else ""
    if pay_type == PAVC:
        body["ipgm_mnyx"] = str(deposited(call, transaction))  # unverified against KCP (TX00's name)
    return body
