"""``POST /gw/mod/v1/cancel``: cancel, partial cancel, vbank refund, escrow delivery (kcp.md §4, §8).

Signed over ``site_cd^tno^mod_type``. ``STSC`` cancels the whole remaining balance, ``STPC`` a
part of a card or transfer payment; a deposited virtual account is refunded with ``STHD``
(all) or ``STPD`` (a part); ``STE1`` registers an escrow delivery.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response

from homeport.sandbox import codes, methods
from homeport.sandbox.context import unique
from homeport.sandbox.methods import PABK, PACA, PAVC
from homeport.sandbox.server.requests import Call, Failure, ok, serve
from homeport.sandbox.server.transactions import deposited, find_transaction

router = APIRouter()

MOD_TYPES = ("STSC", "STPC", "STHD", "STPD", "STE1")
PARTIAL_TYPES = (PACA, PABK)  # partial cancels: card and transfer (kcp.md §4.2)
#: Partial cancels answer the amounts and the sequence number besides ``tno``/``canc_time``.
_PARTIAL_MOD_TYPES = ("STPC", "STPD")


@router.post("/gw/mod/v1/cancel")
async def cancel(request: Request) -> Response:
    """Cancel, partial cancel, vbank refund, escrow delivery (kcp.md §4, §8)."""
    return await serve(request, _cancel)


def _cancel(call: Call) -> dict[str, str]:
    tno, mod_type = call.signed_tno("mod_type")
    if mod_type not in MOD_TYPES:
        raise Failure(
            codes.BAD_FIELD, f"mod_type={mod_type!r} is not supported by the sandbox ({', '.join(MOD_TYPES)})"
        )
    transaction = find_transaction(call, tno)
    if mod_type == "STE1":
        return _escrow_delivery(call, transaction)
    if transaction.get("status") == "STSC":
        raise Failure(codes.ALREADY_CANCELLED, f"tno {tno}")
    if mod_type == "STSC":
        return _full_cancel(call, transaction)
    if mod_type == "STPC":
        return _partial_cancel(call, transaction)
    return _refund(call, transaction, mod_type)


def _new_seq(call: Call, transaction: dict[str, Any]) -> str:
    """A partial-cancel sequence number: numeric, unique (kcp.md §12; legacy 14 digits)."""
    taken = {c.get("mod_pcan_seq_no") for c in transaction.get("cancels") or []}
    return unique(
        lambda: call.sandbox.clock.now().strftime("%y%m%d") + call.sandbox.new_digits(8), taken.__contains__
    )


def _record_cancel(
    call: Call,
    transaction: dict[str, Any],
    *,
    mod_type: str,
    mod_mny: int,
    extra: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Append a cancel entry and move the balance; the answer (a partial one names the amounts)."""
    balance = int(transaction.get("rem_mny") or 0) - mod_mny
    canc_time, seq = call.now(), _new_seq(call, transaction)
    entry: dict[str, Any] = {
        "mod_type": mod_type,
        "mod_mny": mod_mny,
        "rem_mny": balance,
        "canc_time": canc_time,
        "mod_pcan_seq_no": seq,
        "mod_desc": call.optional("mod_desc"),
        **(extra or {}),
    }
    transaction.setdefault("cancels", []).append(entry)
    transaction["rem_mny"] = balance
    transaction["status"] = "STSC" if balance == 0 else "STPC"
    call.sandbox.ledger.update("transaction", str(transaction["tno"]), transaction)
    body = {**ok(), "tno": str(transaction["tno"]), "canc_time": canc_time}
    if mod_type in _PARTIAL_MOD_TYPES:
        body.update({"mod_mny": str(mod_mny), "rem_mny": str(balance), "mod_pcan_seq_no": seq})
    return body


def _full_cancel(call: Call, transaction: dict[str, Any]) -> dict[str, str]:
    """Cancel the remaining balance; a vbank before deposit closes its account."""
    is_vbank = transaction.get("pay_type") == PAVC
    if is_vbank and deposited(call, transaction) > 0:
        raise Failure(codes.ALREADY_DEPOSITED, "refund it with mod_type STHD or STPD")
    call.commit_point()
    remaining = int(transaction.get("rem_mny") or 0)
    body = _record_cancel(call, transaction, mod_type="STSC", mod_mny=remaining)
    if is_vbank:
        account = call.sandbox.ledger.get("vbank", str(transaction.get("vbank_account") or ""))
        if account is not None:
            account["status"] = "cancelled"
            call.sandbox.ledger.update("vbank", str(account["account"]), account)
    return body


def _partial_amounts(call: Call, transaction: dict[str, Any]) -> int:
    """``mod_mny`` checked against ``rem_mny`` and the stored balance (kcp.md §4.1, §14.2)."""
    mod_mny = call.money("mod_mny")
    rem_mny = call.money("rem_mny", minimum=0)
    if call.optional("tax_flag") == "TG03":
        parts = [call.money(name, minimum=0) for name in ("mod_tax_mny", "mod_vat_mny", "mod_free_mny")]
        if sum(parts) != mod_mny:
            raise Failure(codes.BAD_FIELD, "mod_tax_mny + mod_vat_mny + mod_free_mny must equal mod_mny")
    balance = int(transaction.get("rem_mny") or 0)
    if rem_mny != balance:
        raise Failure(
            codes.REM_MNY_MISMATCH, f"rem_mny {rem_mny}, cancellable balance before this cancel {balance}"
        )
    if mod_mny > balance:
        raise Failure(codes.CANCEL_EXCEEDS, f"mod_mny {mod_mny}, balance {balance}")
    return mod_mny


def _partial_cancel(call: Call, transaction: dict[str, Any]) -> dict[str, str]:
    pay_type = str(transaction.get("pay_type"))
    if pay_type not in PARTIAL_TYPES:
        hint = "; refund a deposited virtual account with STPD" if pay_type == PAVC else ""
        raise Failure(codes.PARTIAL_NOT_ALLOWED, f"pay_type {pay_type}{hint}")
    if (transaction.get("approval") or {}).get("partcanc_yn") == "N":
        raise Failure(codes.PARTIAL_NOT_ALLOWED, "the card does not allow partial cancels (partcanc_yn=N)")
    mod_mny = _partial_amounts(call, transaction)
    call.commit_point()
    body = _record_cancel(call, transaction, mod_type="STPC", mod_mny=mod_mny)
    body["card_mod_mny"] = str(mod_mny) if pay_type == PACA else "0"
    body["coupon_mod_mny"] = "0"
    return body


#: Refund sub types by mod_type (kcp.md §4.1: MDSC00 full, MDSC03 partial, MDSC04 taxed-mix partial).
_REFUND_SUB_TYPES = {"STHD": ("MDSC00",), "STPD": ("MDSC03", "MDSC04")}


# unverified against KCP: refund field names and required-ness come from the legacy module
# (kcp.md §4.1-4.2, §16.1); the sandbox requires all five refund fields.
def _refund(call: Call, transaction: dict[str, Any], mod_type: str) -> dict[str, str]:
    """Refund of a deposited virtual account to the buyer's bank account (STHD/STPD)."""
    if transaction.get("pay_type") != PAVC:
        raise Failure(codes.BAD_FIELD, f"{mod_type} refunds virtual accounts; cancel this with STSC/STPC")
    bank = methods.bank_code_of(call.text("mod_bankcode"))
    if bank is None:
        raise Failure(
            codes.BAD_FIELD, f"mod_bankcode={call.fields['mod_bankcode']!r} is not a BKxx bank code"
        )
    account = call.text("mod_account")
    if not re.fullmatch(r"[0-9-]{6,20}", account):
        raise Failure(codes.BAD_FIELD, "mod_account must be 6-20 digits (dashes allowed)")
    depositor = call.text("mod_depositor")
    sub_type = call.text("mod_sub_type")
    if sub_type not in _REFUND_SUB_TYPES[mod_type]:
        raise Failure(
            codes.BAD_FIELD, f"mod_sub_type for {mod_type}: {' or '.join(_REFUND_SUB_TYPES[mod_type])}"
        )
    comp_type = call.text("mod_comp_type")
    if comp_type not in ("MDCP01", "MDCP02"):
        raise Failure(codes.BAD_FIELD, "mod_comp_type must be MDCP01 or MDCP02")
    refund = {
        "mod_bankcode": "BK" + bank,
        "mod_account": account,
        "mod_depositor": depositor,
        "mod_sub_type": sub_type,
        "mod_comp_type": comp_type,
    }
    if comp_type == "MDCP02":
        refund["mod_socname"] = call.text("mod_socname")
        call.text("mod_socno")  # checked, never stored
    if deposited(call, transaction) <= 0:
        raise Failure(codes.NOT_DEPOSITED, f"tno {transaction.get('tno')}")
    # Only money that arrived can go back: after an under-deposit the refundable sum is what
    # was deposited less what was refunded already, not the order's remaining balance.
    remaining = int(transaction.get("rem_mny") or 0)
    refunded = int(transaction.get("amount") or 0) - remaining
    refundable = min(remaining, deposited(call, transaction) - refunded)
    if mod_type == "STHD":
        mod_mny = refundable
    else:
        mod_mny = _partial_amounts(call, transaction)
        if mod_mny > refundable:
            raise Failure(codes.CANCEL_EXCEEDS, f"mod_mny {mod_mny} exceeds the {refundable} won deposited")
    if mod_mny <= 0:
        raise Failure(
            codes.NOT_DEPOSITED, f"tno {transaction.get('tno')}: nothing deposited is left to refund"
        )
    call.commit_point()
    return _record_cancel(call, transaction, mod_type=mod_type, mod_mny=mod_mny, extra={"refund": refund})


# unverified against KCP: REST escrow state changes are known from legacy docs only
# (kcp.md §4.2, §8), and so are KCP's answers to them. The sandbox's choices: STE1 only for a
# payment made with escrow (8735 otherwise), once per payment (8736: kcp.md has no mod_type
# that changes a delivery, and STE1 moves the escrow to "shipped"), not after a cancel; the
# answer is the cancel endpoint's head (tno, canc_time, §4.3). The entry has mod_mny 0 and
# leaves the balance alone.
def _escrow_delivery(call: Call, transaction: dict[str, Any]) -> dict[str, str]:
    """Escrow delivery registration (STE1), recorded among the transaction's modifications."""
    deli_numb, deli_corp = call.text("deli_numb"), call.text("deli_corp")
    tno = str(transaction["tno"])
    if transaction.get("escw_yn") != "Y":
        raise Failure(codes.NOT_ESCROW, f"tno {tno} was paid without escrow (escw_used=N)")
    if transaction.get("status") == "STSC":
        raise Failure(codes.ALREADY_CANCELLED, f"tno {tno}")
    registered = [c for c in transaction.get("cancels") or [] if c.get("mod_type") == "STE1"]
    if registered:
        raise Failure(codes.DELIVERY_REGISTERED, f"tno {tno}: waybill {registered[0].get('deli_numb')}")
    call.commit_point()
    when = call.now()
    transaction.setdefault("cancels", []).append(
        {"mod_type": "STE1", "mod_mny": 0, "canc_time": when, "deli_numb": deli_numb, "deli_corp": deli_corp}
    )
    call.sandbox.ledger.update("transaction", tno, transaction)
    return {**ok(), "tno": tno, "canc_time": when}
