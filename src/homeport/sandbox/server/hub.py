"""KCP's hub, ``POST /gw/hub/v1/payment``: batch keys, key-in payments, virtual accounts.

Dispatch on ``card_tx_type`` (11511000 batch-key payment, 11121000 key-in payment, 12100000
key-in batch-key issuance), else on ``pay_method`` with ``tx_type`` (``BATCH``/10005010,
batch-key delete) or ``va_txtype`` (``VCNT``/41100000, virtual account by API).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from homeport.sandbox import codes, methods, scenarios
from homeport.sandbox.clock import parse_kcp_time
from homeport.sandbox.methods import PACA, PAVC, Card
from homeport.sandbox.server.batch_keys import check_group, issue_batch_key, key_refusal, live_batch_key
from homeport.sandbox.server.cards import card_order, keyin_card
from homeport.sandbox.server.requests import Call, Failure, serve
from homeport.sandbox.server.transactions import new_tno, record_approval

router = APIRouter()


@router.post("/gw/hub/v1/payment")
async def hub(request: Request) -> Response:
    """KCP's hub: dispatch on ``card_tx_type``, else ``pay_method`` + ``tx_type``/``va_txtype``."""
    return await serve(request, _hub)


def _hub(call: Call) -> dict[str, str]:
    call.authenticate()
    card_tx_type = call.optional("card_tx_type")
    pay_method = call.optional("pay_method")
    if card_tx_type == "11511000":
        return _batch_pay(call)
    if card_tx_type == "11121000":
        return _keyin_pay(call)
    if card_tx_type == "12100000":
        return _keyin_issue(call)
    if not card_tx_type and pay_method == "BATCH" and call.optional("tx_type") == "10005010":
        return _delete_batch_key(call)
    if not card_tx_type and pay_method == "VCNT" and call.optional("va_txtype") == "41100000":
        return _vbank_issue(call)
    given = ", ".join(
        f"{name}={call.fields[name]!r}"
        for name in ("card_tx_type", "pay_method", "tx_type", "va_txtype")
        if name in call.fields
    )
    raise Failure(
        codes.BAD_FIELD,
        f"not a hub operation the sandbox knows ({given or 'no card_tx_type or pay_method'}); "
        "card_tx_type 11511000/11121000/12100000, pay_method=BATCH with tx_type=10005010, "
        "or pay_method=VCNT with va_txtype=41100000",
    )


def _charge(call: Call, scenario: scenarios.Scenario) -> None:
    """The card's scenario plays at the commit point: a decline refuses the payment."""
    call.commit_point()
    call.play(scenario)
    if scenario.decline is not None:
        raise Failure(scenario.decline)


def _card_payment(
    call: Call, card: Card, *, amount: int, ordr_idxx: str, batch_key: str = ""
) -> dict[str, str]:
    """Approve a card payment made without a window (batch key, key-in)."""
    sandbox = call.sandbox
    tno, app_time = new_tno(sandbox), call.now()
    fields = methods.card_fields(
        sandbox, card, amount=amount, tno=tno, app_time=app_time, ordr_idxx=ordr_idxx
    )
    return record_approval(
        call,
        tno=tno,
        app_time=app_time,
        pay_type=PACA,
        ordr_idxx=ordr_idxx,
        amount=amount,
        fields=fields,
        batch_key=batch_key,
    )


def _batch_pay(call: Call) -> dict[str, str]:
    """A payment with a billing key (kcp.md §6.5)."""
    batch_key = call.text("bt_batch_key")
    group_id = call.text("bt_group_id")
    amount, ordr_idxx, quota = card_order(call)
    key = live_batch_key(call, batch_key, group_id)
    _charge(call, scenarios.by_name(key.get("scenario")))  # a decline leaves the key usable
    card = Card.from_batch_key(key, quota)
    return _card_payment(call, card, amount=amount, ordr_idxx=ordr_idxx, batch_key=batch_key)


def _keyin_pay(call: Call) -> dict[str, str]:
    """A key-in (수기) card payment (kcp.md §7); ``card_taxno``/``card_pwd`` only for 인증."""
    number = keyin_card(call)
    amount, ordr_idxx, quota = card_order(call)
    _charge(call, scenarios.for_card(number))
    return _card_payment(call, Card.from_number(number, quota), amount=amount, ordr_idxx=ordr_idxx)


# unverified against KCP: legacy field names (kcp.md §6.4). The REST endpoint for this is
# not published; the legacy module's card_tx_type and fields are taken on the hub.
def _keyin_issue(call: Call) -> dict[str, str]:
    """Batch-key issuance by card number (legacy ``card_tx_type`` 12100000)."""
    group_id = call.text("group_id")
    number = keyin_card(call)
    check_group(call, group_id)
    scenario = scenarios.for_card(number)
    call.commit_point()
    refusal = key_refusal(scenario)
    if refusal is not None:
        raise Failure(refusal)
    return issue_batch_key(call, Card.from_number(number), group_id=group_id, scenario=scenario)


def _delete_batch_key(call: Call) -> dict[str, str]:
    """Delete a billing key (kcp.md §6.6): answers exactly ``res_cd`` and ``res_msg``."""
    batch_key = call.text("batch_key")
    group_id = call.text("group_id")
    key = live_batch_key(call, batch_key, group_id)
    call.commit_point()
    key["deleted_at"] = call.now()
    call.sandbox.ledger.update("batch_key", batch_key, key)
    return {"res_cd": codes.OK.res_cd, "res_msg": codes.OK.res_msg}


# unverified against KCP: one source only (kcp.md §7), which lists the answer's tno, account,
# bankname, bankcode and depositor. The rest of the answer (order_no, amount, pay_method,
# app_time, escw_yn, va_date) is the sandbox's guess, as are these choices: the account is
# named like a stage account (depositor 한국사이버결제, kcp.md §9.5) whatever va_name says
# (kcp.md does not say what va_name means); a bank that issues no virtual accounts answers
# 8737; ``tax_flag`` with the window's ``comm_*`` parts (§10.1) is checked when sent.
def _vbank_issue(call: Call) -> dict[str, str]:
    """A virtual account issued by API, answering ``V000`` (kcp.md §7)."""
    amount = call.money("amount")
    call.same_amount("va_mny", amount)
    ordr_idxx = call.order_number()
    call.text("good_name")
    bank_code = methods.bank_code_of(call.text("va_bankcode"))
    if bank_code is None:
        raise Failure(codes.BAD_FIELD, f"va_bankcode={call.fields['va_bankcode']!r} is not a BKxx bank code")
    if bank_code not in methods.VBANK_BANKS:
        raise Failure(
            codes.NO_VBANK_BANK,
            f"va_bankcode=BK{bank_code}; one of {', '.join('BK' + b for b in methods.VBANK_BANKS)}",
        )
    va_date = call.optional("va_date")
    if va_date:
        if not methods.valid_va_date(va_date):
            raise Failure(codes.BAD_FIELD, f"va_date={va_date!r} is not YYYYMMDDHHMMSS")
        if parse_kcp_time(va_date) <= call.sandbox.clock.now():
            raise Failure(codes.BAD_FIELD, f"va_date {va_date} is in the past")
    _check_tax(call, amount)
    call.commit_point()
    sandbox = call.sandbox
    tno, app_time = new_tno(sandbox), call.now()
    selection = {"bankcode": "BK" + bank_code, "va_date": va_date}
    fields = methods.vbank_fields(sandbox, selection, account=methods.new_account(sandbox))
    return record_approval(
        call,
        tno=tno,
        app_time=app_time,
        pay_type=PAVC,
        ordr_idxx=ordr_idxx,
        amount=amount,
        fields=fields,
        code=codes.VBANK_OK,
        buyr_name=call.optional("buyr_name") or call.optional("va_name"),
    )


def _check_tax(call: Call, amount: int) -> None:
    """``tax_flag`` TG01/TG02/TG03; for TG03 the three ``comm_*`` parts must add up to ``amount``."""
    tax_flag = call.optional("tax_flag")
    if not tax_flag:
        return
    if tax_flag not in ("TG01", "TG02", "TG03"):
        raise Failure(codes.BAD_FIELD, f"tax_flag={tax_flag!r}; TG01, TG02 or TG03")
    if tax_flag == "TG03":
        parts = [call.money(name, minimum=0) for name in ("comm_tax_mny", "comm_vat_mny", "comm_free_mny")]
        if sum(parts) != amount:
            raise Failure(codes.BAD_FIELD, "comm_tax_mny + comm_vat_mny + comm_free_mny must equal amount")
