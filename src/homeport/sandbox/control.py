"""The sandbox's own control endpoints under ``/_sandbox`` (not KCP's; for tests and people).

- ``POST /_sandbox/deposit``: JSON ``{account or tno, amount?, remitter?, op_cd?}``, a
  deposit as KCP's stage mock-deposit page makes one (kcp.md §9.5); answers the TX00
  notification with its attempts.
- ``POST /_sandbox/notifications/deliver``: send every notification whose next try is due.
- ``POST /_sandbox/reset``: forget every record (configuration and credentials stay).
- ``GET /_sandbox/records/{kind}``: ``trade``, ``auth``, ``transaction``, ``batch_key``,
  ``vbank`` or ``notification`` records, oldest first; query parameters keep records with
  equal fields; billing keys, card numbers and passwords come masked.
- ``GET /_sandbox/sites``: the configured sites with their TEST ONLY credential files.

Errors are JSON ``{"error": code, "message": text}`` with a 4xx status, never a 500.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from homeport.sandbox.config import SandboxConfig
from homeport.sandbox.context import sandbox_of
from homeport.sandbox.credentials import SiteCredentials
from homeport.sandbox.notifications import (
    OP_DEPOSIT,
    DepositError,
    InvalidField,
    account_for_tno,
    deliver_due,
    deposit,
)


def loopback_only(request: Request) -> None:
    """The control endpoints reset state and fake deposits: only this machine may call them."""
    host = request.client.host if request.client else ""
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host in {"localhost", "testclient"}
    if not local:
        raise HTTPException(status_code=403, detail="the sandbox control endpoints answer loopback only")


router = APIRouter(prefix="/_sandbox", tags=["sandbox control"], dependencies=[Depends(loopback_only)])

KINDS = ("trade", "auth", "transaction", "batch_key", "vbank", "notification")

#: Fields never shown whole: billing keys and anything a card holder types.
_SECRET_FIELDS = frozenset(
    {"batch_key", "bt_batch_key", "card_pwd", "card_pass", "passwd", "password", "cvc", "cvv"}
)
_CARD_FIELDS = frozenset({"card_no", "card_mask_no", "card_number"})
_EXPIRY_FIELDS = frozenset({"card_expiry", "expiry", "expiry_date", "card_expire", "exp_date"})


def error(status: int, code: str, message: str) -> JSONResponse:
    """A control API error."""
    return JSONResponse({"error": code, "message": message}, status_code=status)


def _mask_value(key: str, value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    name = key.lower()
    if name in _SECRET_FIELDS:
        return value[:4] + "*" * max(len(value) - 8, 4) + value[-4:] if len(value) > 8 else "****"
    if name in _EXPIRY_FIELDS:
        return "****"
    digits = value.replace("-", "").replace(" ", "")
    if name in _CARD_FIELDS and digits.isdigit() and len(digits) >= 12:
        return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]
    return value


def masked(data: Any, key: str = "") -> Any:
    """A copy of a record with billing keys, card numbers and passwords masked."""
    if isinstance(data, dict):
        return {k: masked(v, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [masked(item, key) for item in data]
    return _mask_value(key, data)


async def _json_object(request: Request) -> dict[str, Any] | JSONResponse:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurd nesting
        return error(400, "bad_json", "the body must be a JSON object")
    if not isinstance(body, dict):
        return error(400, "bad_json", "the body must be a JSON object")
    return body


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidField(f"{name} must be a string")
    return str(value)


@router.post("/deposit")
async def deposit_endpoint(request: Request) -> JSONResponse:
    """A deposit to a virtual account (by ``account`` or ``tno``), notified to the merchant."""
    sandbox = sandbox_of(request)
    body = await _json_object(request)
    if isinstance(body, JSONResponse):
        return body
    try:
        account = _text(body, "account")
        tno = _text(body, "tno")
        if account is None and tno is None:
            return error(400, "missing_account", "give the virtual account number (account) or tno")
        if account is None and tno is not None:
            account = account_for_tno(sandbox, tno)
        op_cd = body.get("op_cd", OP_DEPOSIT)
        if isinstance(op_cd, int) and not isinstance(op_cd, bool):
            op_cd = f"{op_cd:02d}"
        amount = body.get("amount")
        if isinstance(amount, float) and amount.is_integer():
            amount = int(amount)
        remitter = _text(body, "remitter") or "홍길동"
        notification = await deposit(
            sandbox,
            str(account),
            amount,
            remitter=remitter,
            op_cd=str(op_cd),
        )
    except DepositError as exc:
        return error(exc.status, exc.code, exc.message)
    return JSONResponse(dict(notification))


@router.post("/notifications/deliver")
async def deliver_endpoint(request: Request) -> JSONResponse:
    """Send every notification whose next try is due now (the loop does this by itself too)."""
    tries = await deliver_due(sandbox_of(request))
    return JSONResponse({"tries": tries})


@router.post("/reset")
async def reset_endpoint(request: Request) -> JSONResponse:
    """Forget every record; configuration and credentials stay."""
    sandbox_of(request).ledger.reset()
    return JSONResponse({"reset": True})


@router.get("/records/{kind}")
async def records_endpoint(kind: str, request: Request) -> JSONResponse:
    """Every record of a kind, oldest first; query parameters keep records with equal fields."""
    if kind not in KINDS:
        return error(404, "unknown_kind", f"unknown record kind {kind!r}; one of {', '.join(KINDS)}")
    match = dict(request.query_params)
    records = [
        masked(record)
        for record in sandbox_of(request).ledger.all(kind)
        if all(str(record.get(k, "")) == v for k, v in match.items())
    ]
    return JSONResponse({"kind": kind, "count": len(records), "records": records})


def site_descriptions(
    config: SandboxConfig, credentials_by_site: dict[str, SiteCredentials]
) -> list[dict[str, Any]]:
    """The configured sites with their generated (TEST ONLY) credential files."""
    described = []
    for site in config.sites:
        credentials = credentials_by_site.get(site.site_cd)
        described.append(
            {
                "site_cd": site.site_cd,
                "site_name": site.site_name,
                "group_ids": list(site.group_ids),
                "escrow": site.escrow,
                "notify_url": site.notify_url,
                "notify_charset": site.notify_charset,
                "certificate_path": str(credentials.certificate_path) if credentials else "",
                "private_key_path": str(credentials.private_key_path) if credentials else "",
                # The generated keys are TEST ONLY: the password protects nothing.
                "key_password": credentials.key_password if credentials else "",
                "test_only": True,
            }
        )
    return described


@router.get("/sites")
async def sites_endpoint(request: Request) -> JSONResponse:
    """The sites the sandbox accepts, with the paths of their TEST ONLY certificate and key."""
    sandbox = sandbox_of(request)
    return JSONResponse({"sites": site_descriptions(sandbox.config, sandbox.credentials)})
