"""What approvals store: transactions and virtual accounts, with their identifiers."""

from __future__ import annotations

from typing import Any

from homeport.sandbox import codes
from homeport.sandbox.context import Sandbox
from homeport.sandbox.methods import PAVC
from homeport.sandbox.records import Transaction, VirtualAccount
from homeport.sandbox.server.requests import Call, Failure, ok

#: The result fields of an answer (not replayed by inquiry).
_RESULT_FIELDS = frozenset({"res_cd", "res_msg", "res_en_msg"})


def new_tno(sandbox: Sandbox) -> str:
    """A new transaction number."""
    return sandbox.new_key("transaction", sandbox.new_tno)


def find_transaction(call: Call, tno: str) -> dict[str, Any]:
    """The authenticated site's transaction ``tno``; NO_TRANSACTION else."""
    record = call.sandbox.ledger.get("transaction", tno)
    if record is None or record.get("site_cd") != call.site_cd:
        raise Failure(codes.NO_TRANSACTION, f"tno {tno}")
    return record


def deposited(call: Call, transaction: dict[str, Any]) -> int:
    """What was deposited into the transaction's virtual account (its vbank record's sum), if any."""
    account = call.sandbox.ledger.get("vbank", str(transaction.get("vbank_account") or "")) or {}
    return int(account.get("deposited") or 0)


def record_approval(
    call: Call,
    *,
    tno: str,
    app_time: str,
    pay_type: str,
    ordr_idxx: str,
    amount: int,
    fields: dict[str, str],
    code: codes.Code = codes.OK,
    escw_yn: str = "N",
    batch_key: str = "",
    buyr_name: str = "",
) -> dict[str, str]:
    """The answer of an approval with the method's ``fields``, stored with its virtual account."""
    body = {**ok(code), **_head(tno, ordr_idxx, amount, pay_type, app_time, escw_yn), **fields}
    account = ""
    if pay_type == PAVC:
        account = fields["account"]
        _store_account(call, tno=tno, ordr_idxx=ordr_idxx, amount=amount, fields=fields, buyr_name=buyr_name)
    _store_transaction(
        call,
        tno=tno,
        pay_type=pay_type,
        ordr_idxx=ordr_idxx,
        amount=amount,
        app_time=app_time,
        body=body,
        escw_yn=escw_yn,
        batch_key=batch_key,
        vbank_account=account,
    )
    return body


def _head(
    tno: str, ordr_idxx: str, amount: int, pay_type: str, app_time: str, escw_yn: str
) -> dict[str, str]:
    return {
        "tno": tno,
        "order_no": ordr_idxx,
        "amount": str(amount),
        "pay_method": pay_type,
        "app_time": app_time,
        "escw_yn": escw_yn,
    }


def _store_transaction(
    call: Call,
    *,
    tno: str,
    pay_type: str,
    ordr_idxx: str,
    amount: int,
    app_time: str,
    body: dict[str, str],
    escw_yn: str = "N",
    batch_key: str = "",
    vbank_account: str = "",
) -> None:
    transaction: Transaction = {
        "tno": tno,
        "site_cd": call.site_cd,
        "ordr_idxx": ordr_idxx,
        "pay_type": pay_type,
        "amount": amount,
        "rem_mny": amount,
        "status": "STSR",
        "app_time": app_time,
        "approval": {k: v for k, v in body.items() if k not in _RESULT_FIELDS},
        "cancels": [],
        "escw_yn": escw_yn,
        "batch_key": batch_key,
        "vbank_account": vbank_account,
        "deposited": 0,
    }
    call.sandbox.ledger.put("transaction", tno, dict(transaction))


def _store_account(
    call: Call, *, tno: str, ordr_idxx: str, amount: int, fields: dict[str, str], buyr_name: str
) -> None:
    account: VirtualAccount = {
        "account": fields["account"],
        "tno": tno,
        "site_cd": call.site_cd,
        "ordr_idxx": ordr_idxx,
        "bankcode": fields["bankcode"],
        "bank_code": fields["bankcode"][2:],
        "bankname": fields["bankname"],
        "depositor": fields["depositor"],
        "amount": amount,
        "va_date": fields["va_date"],
        "deposited": 0,
        "status": "waiting",
    }
    data: dict[str, Any] = dict(account)
    if buyr_name:
        data["buyr_name"] = buyr_name  # read by notifications as TX00's ipgm_name
    call.sandbox.ledger.put("vbank", account["account"], data)
