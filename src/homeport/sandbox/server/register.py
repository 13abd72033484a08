"""Mobile trade registration (kcp.md §6.2, §10.2): ``POST /std/tradeReg/register``."""

from __future__ import annotations

import base64
import secrets
import string

from fastapi import APIRouter, Request, Response

from homeport.sandbox import codes, methods
from homeport.sandbox.records import Trade
from homeport.sandbox.server.requests import Call, Failure, serve

router = APIRouter()

#: Trade registration's ``pay_method`` values (kcp.md §10.2).
REGISTER_METHODS = ("CARD", "BANK", "VCNT", "MOBX", "TPNT", "GIFT", "AUTH")

_ALNUM_UPPER = string.ascii_uppercase + string.digits
_TRADE_FIELDS = frozenset(
    {"site_cd", "ordr_idxx", "good_mny", "good_name", "pay_method", "Ret_URL", "escw_used", "kcp_cert_info"}
)


@router.post("/std/tradeReg/register")
async def register(request: Request) -> Response:
    """Mobile trade registration (kcp.md §6.2, §10.2): answers ``Code``/``Message``."""
    # The sandbox's own root, mount point included: Starlette's base_url is the outermost
    # app's root, so a sandbox mounted at /sandbox would hand out a PayUrl outside it.
    base = f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}".rstrip("/")
    return await serve(request, lambda call: _register(call, base), register=True)


def _register(call: Call, base: str) -> dict[str, str]:
    call.authenticate()
    ordr_idxx = call.order_number()
    good_mny = call.money("good_mny", minimum=0)  # 0 for batch-key issuance (kcp.md §6.2)
    good_name = call.text("good_name")
    pay_method = call.text("pay_method")
    if pay_method not in REGISTER_METHODS:
        raise Failure(codes.BAD_FIELD, f"pay_method={pay_method!r}; one of {', '.join(REGISTER_METHODS)}")
    if good_mny == 0 and pay_method != "AUTH":
        raise Failure(codes.BAD_FIELD, "good_mny must be at least 1 (0 only for pay_method=AUTH)")
    ret_url = call.text("Ret_URL")
    if not ret_url.startswith(("http://", "https://")):
        raise Failure(codes.BAD_FIELD, "Ret_URL must be an absolute http(s) URL")
    escw_used = call.optional("escw_used", "N")
    if escw_used not in ("Y", "N"):
        raise Failure(codes.BAD_FIELD, "escw_used must be Y or N")
    call.commit_point()
    sandbox = call.sandbox
    approval_key = sandbox.new_key("trade", lambda: base64.b64encode(secrets.token_bytes(32)).decode())
    trace_no = call.site_cd + "".join(secrets.choice(_ALNUM_UPPER) for _ in range(11))
    trade: Trade = {
        "approvalKey": approval_key,
        "traceNo": trace_no,
        "site_cd": call.site_cd,
        "ordr_idxx": ordr_idxx,
        "good_mny": good_mny,
        "good_name": good_name,
        "pay_method": pay_method,
        "Ret_URL": ret_url,
        "escw_used": escw_used,
        "registered_at": call.now(),
        "fields": {k: v for k, v in call.fields.items() if k not in _TRADE_FIELDS},
    }
    sandbox.ledger.put("trade", approval_key, dict(trade))
    return {
        "Code": codes.OK.res_cd,
        "Message": codes.OK.res_msg,
        "approvalKey": approval_key,
        "traceNo": trace_no,
        "PayUrl": f"{base}/pay/mobileGW.kcp",
        "hashData": methods.trade_hash(call.site_cd, ordr_idxx, str(good_mny)),
    }
