"""KCP's server API, emulated (kcp.md §0-7): what homeport's connector talks to.

- ``POST /std/tradeReg/register``: mobile trade registration; ``approvalKey``, ``traceNo``,
  ``PayUrl``; answers ``Code``/``Message`` (0000).
- ``POST /gw/enc/v1/payment``: approval of a window authentication (``tran_cd`` 00100000)
  or batch-key issuance (00300001).
- ``POST /gw/hub/v1/payment``: batch-key payment (``card_tx_type`` 11511000), key-in
  payment (11121000), key-in batch-key issuance (12100000), batch-key delete
  (``pay_method=BATCH``, ``tx_type=10005010``), virtual account by API (``pay_method=VCNT``,
  ``va_txtype=41100000``, success ``V000``).
- ``POST /gw/mod/v1/cancel``: ``STSC`` full cancel, ``STPC`` partial cancel, ``STHD``/``STPD``
  virtual-account refund, ``STE1`` escrow delivery.
- ``POST /std/inquery`` (KCP's spelling): transaction inquiry.

Every request is a JSON object of strings; every answer is HTTP 200 JSON in UTF-8 with
``res_cd``/``res_msg``/``res_en_msg`` (registration: ``Code``/``Message``), errors included
(codes in :mod:`homeport.sandbox.codes`). Every endpoint checks the credentials first
(kcp.md §3, §14.1): ``site_cd`` configured (else UNKNOWN_SITE), ``kcp_cert_info`` equal to the
site's certificate with CR/LF removed (else BAD_CERT); cancel and inquiry also verify
``kcp_sign_data`` with the public key of that certificate (else BAD_SIGNATURE). A missing
required field answers MISSING_FIELD naming it; a body that is not a JSON object of strings,
or a value the sandbox cannot read, answers BAD_FIELD naming what it could not read.
Injected faults and scenarios: :mod:`homeport.sandbox.faults` and ``scenarios``.

Choices where kcp.md is silent (each marked in the code):

- a decline caused by the buyer's card (the window auth's stored scenario) uses the auth
  up, as KCP's one-time ``enc_data`` is spent by the attempt; a decline injected by the fault
  header or a magic amount changes nothing, so the same auth can be approved afterwards;
- at batch-key issuance only card-validity declines (lost/stolen, invalid number, expired)
  refuse the key; other card scenarios (limit exceeded, faults) are stored on the key and
  play at every payment with it, so charge timeouts can be tested deterministically;
- a full cancel (``STSC``) cancels whatever balance remains and answers ``tno`` and
  ``canc_time`` only (kcp.md lists ``mod_mny``/``rem_mny``/``mod_pcan_seq_no`` for partial
  cancels); a deposited virtual account is refunded with ``STHD``/``STPD`` only;
- ``Trade.fields`` keeps every request field except the named Trade fields and
  ``kcp_cert_info`` (a credential, not part of the order).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response

from homeport.sandbox import codes, faults, methods, scenarios
from homeport.sandbox.auths import TRAN_BATCH_KEY, TRAN_PAYMENT, find_auth
from homeport.sandbox.clock import kcp_time, parse_kcp_time
from homeport.sandbox.config import SiteConfig
from homeport.sandbox.context import Sandbox, sandbox_of
from homeport.sandbox.credentials import (
    certificate_from_cert_info,
    serialize_certificate,
    signature_valid,
)
from homeport.sandbox.methods import PABK, PACA, PAMC, PAVC, Card
from homeport.sandbox.records import BatchKey, Trade, Transaction, VirtualAccount

router = APIRouter(tags=["KCP API"])

JSON_TYPE = "application/json; charset=utf-8"
#: Trade registration's ``pay_method`` values (kcp.md §10.2).
REGISTER_METHODS = ("CARD", "BANK", "VCNT", "MOBX", "TPNT", "GIFT", "AUTH")
#: Declines that make a card unusable for a billing key (refused at issuance, see above).
CARD_INVALID = frozenset(
    {codes.STOLEN_CARD.res_cd, codes.INVALID_CARD_NUMBER.res_cd, codes.EXPIRED_CARD.res_cd}
)
#: Legacy: ``ordr_idxx`` is at most 40 characters (kcp.md §2).
MAX_ORDER_LENGTH = 40
#: Installments only from 50,000 won (kcp.md §10.1).
MIN_INSTALLMENT_AMOUNT = 50_000

#: The result fields of an answer (not replayed by inquiry).
_RESULT_FIELDS = frozenset({"res_cd", "res_msg", "res_en_msg"})
_AMOUNT = re.compile(r"[0-9]{1,12}")
_ALNUM_UPPER = string.ascii_uppercase + string.digits


class KcpResponse(Response):
    """A KCP JSON answer: compact UTF-8 (Korean unescaped), as KCP's samples read it."""

    media_type = JSON_TYPE

    def render(self, content: Any) -> bytes:
        """The JSON bytes."""
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Failure(Exception):
    """A KCP error answer: ``res_cd`` with its messages, and what exactly was wrong."""

    def __init__(self, code: codes.Code, detail: str = "") -> None:
        super().__init__(f"{code.res_cd} {detail}")
        self.code = code
        self.detail = detail

    def body(self, *, register: bool = False) -> dict[str, str]:
        """The error answer (registration speaks ``Code``/``Message``)."""
        message = f"{self.code.res_msg} ({self.detail})" if self.detail else self.code.res_msg
        if register:
            return {"Code": self.code.res_cd, "Message": message}
        english = f"{self.code.res_en_msg}: {self.detail}" if self.detail else self.code.res_en_msg
        return {"res_cd": self.code.res_cd, "res_msg": message, "res_en_msg": english}


def ok(code: codes.Code = codes.OK) -> dict[str, str]:
    """The head of a success answer."""
    return {"res_cd": code.res_cd, "res_msg": code.res_msg, "res_en_msg": code.res_en_msg}


@dataclass
class Call:
    """One request being served: its fields, the sandbox, and what faults still have to do."""

    sandbox: Sandbox
    fields: dict[str, str]
    injected: scenarios.Scenario
    hold: bool = False  # answer only after hold_seconds ("timeout")
    late: bool = False  # answer after slow_seconds ("slow", from a stored scenario)
    site: SiteConfig | None = None

    # --- reading fields ------------------------------------------------------------------

    def text(self, name: str) -> str:
        """A required field; MISSING_FIELD naming it when absent or empty."""
        value = self.fields.get(name, "")
        if value == "":
            raise Failure(codes.MISSING_FIELD, name)
        return value

    def optional(self, name: str, default: str = "") -> str:
        """An optional field."""
        return self.fields.get(name) or default

    def money(self, name: str, *, minimum: int = 1) -> int:
        """A required amount in won: ASCII digits, at least ``minimum``."""
        return self.amount_text(name, self.text(name), minimum=minimum)

    @staticmethod
    def amount_text(name: str, text: str, *, minimum: int = 1) -> int:
        """An amount given as text."""
        if not _AMOUNT.fullmatch(text):
            raise Failure(codes.BAD_FIELD, f"{name}={text!r} is not an amount in won (1-12 digits)")
        value = int(text)
        if value < minimum:
            raise Failure(codes.BAD_FIELD, f"{name} must be at least {minimum}")
        return value

    def order_number(self, name: str = "ordr_idxx") -> str:
        """The merchant's order number (at most 40 characters)."""
        value = self.text(name)
        if len(value) > MAX_ORDER_LENGTH:
            raise Failure(codes.BAD_FIELD, f"{name} is longer than {MAX_ORDER_LENGTH} characters")
        return value

    # --- credentials ---------------------------------------------------------------------

    def authenticate(self) -> SiteConfig:
        """Check ``site_cd`` and ``kcp_cert_info`` (kcp.md §3.1, §14.1)."""
        site_cd = self.text("site_cd")
        site = self.sandbox.site(site_cd)
        if site is None:
            raise Failure(codes.UNKNOWN_SITE, f"site_cd {site_cd}")
        cert_info = self.text("kcp_cert_info")
        credentials = self.sandbox.credentials.get(site_cd)
        expected = serialize_certificate(credentials.certificate_pem()) if credentials else None
        if cert_info != expected:
            if "\r" in cert_info or "\n" in cert_info:
                hint = "kcp_cert_info must be the PEM with every CR and LF removed"
            elif "BEGINCERTIFICATE" in cert_info:
                hint = "keep the spaces of the BEGIN/END CERTIFICATE lines; remove only CR/LF"
            else:
                hint = f"kcp_cert_info is not the certificate issued to {site_cd}"
            raise Failure(codes.BAD_CERT, hint)
        self.site = site
        return site

    @property
    def site_cd(self) -> str:
        """The authenticated site's code."""
        if self.site is None:  # pragma: no cover - handlers authenticate first
            raise RuntimeError("not authenticated")
        return self.site.site_cd

    def verify_signature(self, *names: str) -> None:
        """Check ``kcp_sign_data`` over ``site_cd^<names...>`` (kcp.md §3.3)."""
        sign_data = self.text("kcp_sign_data")
        message = "^".join(self.fields.get(name, "") for name in ("site_cd", *names))
        certificate = certificate_from_cert_info(self.fields.get("kcp_cert_info", ""))
        if certificate is None or not signature_valid(certificate, message, sign_data):
            what = "^".join(("site_cd", *names))
            raise Failure(
                codes.BAD_SIGNATURE,
                f"kcp_sign_data is not a SHA256withRSA signature of {what} by the certificate's key",
            )

    # --- scenarios -----------------------------------------------------------------------

    def play(self, scenario: scenarios.Scenario) -> None:
        """A stored scenario's fault: answer broken now, or answer late."""
        if scenario.fault in faults.BEFORE:
            raise faults.Fault(scenario.fault)
        if scenario.fault == "timeout":
            self.hold = True
        elif scenario.fault == "slow":
            self.late = True

    def commit_point(self) -> None:
        """The request would succeed: an injected decline refuses it now, changing nothing."""
        if self.injected.decline is not None:
            raise Failure(self.injected.decline)

    # --- time and identifiers ------------------------------------------------------------

    def now(self) -> str:
        """The current time, KCP-style."""
        return kcp_time(self.sandbox.clock.now())


Handler = Callable[[Call], dict[str, str]]


def _parse(raw: bytes) -> tuple[dict[str, str], str]:
    """The request's fields, or what is wrong with the body."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}, "the body is not JSON; KCP takes a JSON object of strings"
    if not isinstance(data, dict):
        return {}, "the body is not a JSON object"
    for key, value in data.items():
        if not isinstance(value, str):
            return {}, f"{key} must be a JSON string (KCP sends every value as a string)"
    return data, ""


async def _serve(request: Request, handler: Handler, *, register: bool = False) -> Response:
    """Read, check and answer one KCP call, applying faults and scenarios."""
    sandbox = sandbox_of(request)
    fields, problem = _parse(await request.body())
    injected = faults.injected(request.headers.get(scenarios.FAULT_HEADER), fields)
    if injected.fault in faults.BEFORE:
        return faults.response(injected.fault)
    if injected.fault == "slow":
        await asyncio.sleep(sandbox.config.slow_seconds)
    call = Call(sandbox=sandbox, fields=fields, injected=injected, hold=injected.fault == "timeout")
    try:
        if problem:
            raise Failure(codes.BAD_FIELD, problem)
        # One ledger transaction per call: a Failure or Fault rolls every write back. No
        # await happens inside, so concurrent calls cannot interleave.
        with sandbox.ledger.transaction():
            body = handler(call)
    except faults.Fault as fault:
        return faults.response(fault.kind)
    except Failure as failure:
        body = failure.body(register=register)
    if call.hold:
        await asyncio.sleep(sandbox.config.hold_seconds)
    elif call.late:
        await asyncio.sleep(sandbox.config.slow_seconds)
    return KcpResponse(body)


# --- shared steps -------------------------------------------------------------------------


def _unique(sandbox: Sandbox, kind: str, make: Callable[[], str]) -> str:
    while True:
        key = make()
        if sandbox.ledger.get(kind, key) is None:
            return key


def _new_tno(sandbox: Sandbox) -> str:
    return _unique(sandbox, "transaction", sandbox.new_tno)


def _transaction(call: Call, tno: str) -> dict[str, Any]:
    record = call.sandbox.ledger.get("transaction", tno)
    if record is None or record.get("site_cd") != call.site_cd:
        raise Failure(codes.NO_TRANSACTION, f"tno {tno}")
    return record


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


def _card_payment(
    call: Call, card: Card, *, amount: int, ordr_idxx: str, batch_key: str = ""
) -> dict[str, str]:
    """Approve a card payment made without a window (batch key, key-in)."""
    sandbox = call.sandbox
    tno, app_time = _new_tno(sandbox), call.now()
    fields = methods.card_fields(
        sandbox, card, amount=amount, tno=tno, app_time=app_time, ordr_idxx=ordr_idxx
    )
    body = {**ok(), **_head(tno, ordr_idxx, amount, PACA, app_time, "N"), **fields}
    _store_transaction(
        call,
        tno=tno,
        pay_type=PACA,
        ordr_idxx=ordr_idxx,
        amount=amount,
        app_time=app_time,
        body=body,
        batch_key=batch_key,
    )
    return body


def _check_group(call: Call, group_id: str) -> None:
    site = call.site
    if not group_id or site is None or group_id not in site.group_ids:
        raise Failure(codes.NO_GROUP_ID, f"group id {group_id or '(none)'} of site {call.site_cd}")


def _live_batch_key(call: Call, batch_key: str) -> dict[str, Any]:
    key = call.sandbox.ledger.get("batch_key", batch_key)
    if key is None or key.get("site_cd") != call.site_cd or key.get("deleted_at"):
        raise Failure(codes.NO_BATCH_KEY)
    return key


def _issue_batch_key(
    call: Call, card: Card, *, group_id: str, scenario: scenarios.Scenario
) -> dict[str, str]:
    """Store a new billing key for ``card`` and answer like kcp.md §6.3 (no tno)."""
    sandbox = call.sandbox
    batch_key = _unique(sandbox, "batch_key", lambda: sandbox.new_digits(16))
    key: BatchKey = {
        "batch_key": batch_key,
        "site_cd": call.site_cd,
        "group_id": group_id,
        "card_cd": card.card_cd,
        "card_name": card.name,
        "card_mask_no": card.card_no,
        "card_bin_type_01": card.card_bin_type_01,
        "card_bin_type_02": card.card_bin_type_02,
        "scenario": scenario.name,
        "issued_at": call.now(),
        "deleted_at": "",
    }
    sandbox.ledger.put("batch_key", batch_key, dict(key))
    return {**ok(), **methods.batch_key_fields(sandbox, card, batch_key=batch_key)}


def _quota(call: Call, amount: int) -> str:
    quota = call.optional("quota", "00")
    if not (quota.isascii() and quota.isdigit() and len(quota) <= 2):
        raise Failure(codes.BAD_FIELD, f"quota={quota!r} is not 00 (lump sum) or a number of months")
    quota = quota.zfill(2)
    if quota != "00" and amount < MIN_INSTALLMENT_AMOUNT:
        raise Failure(codes.BAD_FIELD, f"installments (quota) need at least {MIN_INSTALLMENT_AMOUNT} won")
    return quota


def _card_amounts(call: Call) -> int:
    """``amount`` with ``card_mny`` (= amount) and ``currency`` (410) checked."""
    amount = call.money("amount")
    card_mny = call.optional("card_mny")
    if card_mny and Call.amount_text("card_mny", card_mny) != amount:
        raise Failure(codes.BAD_FIELD, "card_mny must equal amount")
    currency = call.optional("currency", "410")
    if currency != "410":
        raise Failure(codes.BAD_FIELD, f"currency={currency!r}: the sandbox takes 410 (KRW) only")
    return amount


def _card_number(call: Call, name: str = "card_no") -> str:
    number = call.text(name)
    if not (number.isascii() and number.isdigit() and 13 <= len(number) <= 19 and methods.luhn_valid(number)):
        raise Failure(codes.INVALID_CARD_NUMBER, f"{name} must be 13-19 digits passing the Luhn check")
    return number


def _card_expiry(call: Call) -> None:
    expiry = call.text("card_expiry")
    if not (expiry.isascii() and expiry.isdigit() and len(expiry) == 4 and 1 <= int(expiry[2:]) <= 12):
        raise Failure(codes.BAD_FIELD, f"card_expiry={expiry!r} is not YYMM")
    now = call.sandbox.clock.now()
    if (2000 + int(expiry[:2]), int(expiry[2:])) < (now.year, now.month):
        raise Failure(codes.EXPIRED_CARD, f"card_expiry {expiry}")


def _card_holder(call: Call) -> None:
    """``card_taxno`` (birth YYMMDD or business number) and ``card_pwd`` (2 digits), if sent."""
    taxno, pwd = call.optional("card_taxno"), call.optional("card_pwd")
    if taxno and not (taxno.isascii() and taxno.isdigit() and len(taxno) in (6, 10)):
        raise Failure(codes.BAD_FIELD, "card_taxno must be a birth date YYMMDD or a 10-digit business number")
    if pwd and not (pwd.isascii() and pwd.isdigit() and len(pwd) == 2):
        raise Failure(codes.BAD_FIELD, "card_pwd must be the first 2 digits of the card password")


# --- trade registration -------------------------------------------------------------------


@router.post("/std/tradeReg/register")
async def register(request: Request) -> Response:
    """Mobile trade registration (kcp.md §6.2, §10.2): answers ``Code``/``Message``."""
    # The sandbox's own root, mount point included: Starlette's base_url is the outermost
    # app's root, so a sandbox mounted at /sandbox would hand out a PayUrl outside it.
    base = f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}".rstrip("/")
    return await _serve(request, lambda call: _register(call, base), register=True)


_TRADE_FIELDS = frozenset(
    {"site_cd", "ordr_idxx", "good_mny", "good_name", "pay_method", "Ret_URL", "escw_used", "kcp_cert_info"}
)


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
    approval_key = _unique(sandbox, "trade", lambda: base64.b64encode(secrets.token_bytes(32)).decode())
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


# --- approval -----------------------------------------------------------------------------


@router.post("/gw/enc/v1/payment")
async def approve(request: Request) -> Response:
    """Approval of a window authentication, or batch-key issuance (kcp.md §6.3)."""
    return await _serve(request, _approve)


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
    _check_group(call, group_id)
    call.commit_point()
    if scenario.decline is not None and scenario.decline.res_cd in CARD_INVALID:
        _use_auth(call, auth, res_cd=scenario.decline.res_cd)
        return Failure(scenario.decline).body()
    _use_auth(call, auth, res_cd=codes.OK.res_cd)
    card = Card.from_selection(selection)
    return _issue_batch_key(call, card, group_id=group_id, scenario=scenario)


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
        # The buyer's card declined: KCP's enc_data is spent by the attempt (module docstring).
        _use_auth(call, auth, res_cd=scenario.decline.res_cd)
        return Failure(scenario.decline).body()

    sandbox = call.sandbox
    tno, app_time = _new_tno(sandbox), call.now()
    ordr_idxx = str(auth.get("ordr_idxx"))
    escw_yn = "Y" if auth.get("escw_used") == "Y" else "N"
    fields = methods.approval_fields(
        sandbox, pay_type, selection, amount=good_mny, tno=tno, app_time=app_time, ordr_idxx=ordr_idxx
    )
    body = {**ok(), **_head(tno, ordr_idxx, good_mny, pay_type, app_time, escw_yn), **fields}
    account = ""
    if pay_type == PAVC:
        account = fields["account"]
        buyr_name = str(selection.get("buyr_name") or "")
        _store_account(
            call, tno=tno, ordr_idxx=ordr_idxx, amount=good_mny, fields=fields, buyr_name=buyr_name
        )
    _store_transaction(
        call,
        tno=tno,
        pay_type=pay_type,
        ordr_idxx=ordr_idxx,
        amount=good_mny,
        app_time=app_time,
        body=body,
        escw_yn=escw_yn,
        vbank_account=account,
    )
    _use_auth(call, auth, res_cd=codes.OK.res_cd, tno=tno)
    return body


# --- hub: batch keys, key-in, virtual accounts ------------------------------------------


@router.post("/gw/hub/v1/payment")
async def hub(request: Request) -> Response:
    """KCP's hub: dispatch on ``card_tx_type``, else ``pay_method`` + ``tx_type``/``va_txtype``."""
    return await _serve(request, _hub)


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


def _batch_pay(call: Call) -> dict[str, str]:
    """A payment with a billing key (kcp.md §6.5)."""
    batch_key = call.text("bt_batch_key")
    group_id = call.text("bt_group_id")
    amount = _card_amounts(call)
    ordr_idxx = call.order_number()
    call.text("good_name")
    quota = _quota(call, amount)
    key = _live_batch_key(call, batch_key)
    _check_group(call, group_id)
    if group_id != key.get("group_id"):
        raise Failure(codes.NO_GROUP_ID, f"the batch key belongs to another group than {group_id}")
    scenario = scenarios.by_name(key.get("scenario"))
    call.commit_point()
    call.play(scenario)
    if scenario.decline is not None:
        raise Failure(scenario.decline)  # the key stays usable
    card = Card.from_batch_key(key, quota)
    return _card_payment(call, card, amount=amount, ordr_idxx=ordr_idxx, batch_key=batch_key)


def _keyin_pay(call: Call) -> dict[str, str]:
    """A key-in (수기) card payment (kcp.md §7); ``card_taxno``/``card_pwd`` only for 인증."""
    number = _card_number(call)
    _card_expiry(call)
    _card_holder(call)
    amount = _card_amounts(call)
    ordr_idxx = call.order_number()
    call.text("good_name")
    quota = _quota(call, amount)
    scenario = scenarios.for_card(number)
    call.commit_point()
    call.play(scenario)
    if scenario.decline is not None:
        raise Failure(scenario.decline)
    return _card_payment(call, Card.from_number(number, quota), amount=amount, ordr_idxx=ordr_idxx)


# unverified against KCP: legacy field names (kcp.md §6.4). The REST endpoint for this is
# not published; the legacy module's card_tx_type and fields are taken on the hub.
def _keyin_issue(call: Call) -> dict[str, str]:
    """Batch-key issuance by card number (legacy ``card_tx_type`` 12100000)."""
    group_id = call.text("group_id")
    number = _card_number(call)
    _card_expiry(call)
    _card_holder(call)
    _check_group(call, group_id)
    scenario = scenarios.for_card(number)
    call.commit_point()
    if scenario.decline is not None and scenario.decline.res_cd in CARD_INVALID:
        raise Failure(scenario.decline)
    return _issue_batch_key(call, Card.from_number(number), group_id=group_id, scenario=scenario)


def _delete_batch_key(call: Call) -> dict[str, str]:
    """Delete a billing key (kcp.md §6.6): answers exactly ``res_cd`` and ``res_msg``."""
    batch_key = call.text("batch_key")
    group_id = call.text("group_id")
    key = _live_batch_key(call, batch_key)
    _check_group(call, group_id)
    if group_id != key.get("group_id"):
        raise Failure(codes.NO_GROUP_ID, f"the batch key belongs to another group than {group_id}")
    call.commit_point()
    key["deleted_at"] = call.now()
    call.sandbox.ledger.update("batch_key", batch_key, key)
    return {"res_cd": codes.OK.res_cd, "res_msg": codes.OK.res_msg}


# unverified against KCP: one source only (kcp.md §7). The response's order_no, amount,
# pay_method, app_time and escw_yn, and depositor = va_name, are the sandbox's guesses.
def _vbank_issue(call: Call) -> dict[str, str]:
    """A virtual account issued by API, answering ``V000`` (kcp.md §7)."""
    amount = call.money("amount")
    va_mny = call.optional("va_mny")
    if va_mny and Call.amount_text("va_mny", va_mny) != amount:
        raise Failure(codes.BAD_FIELD, "va_mny must equal amount")
    ordr_idxx = call.order_number()
    call.text("good_name")
    bank_code = methods.bank_code_of(call.text("va_bankcode"))
    if bank_code not in methods.VBANK_BANKS:
        raise Failure(
            codes.BAD_FIELD,
            f"va_bankcode={call.fields['va_bankcode']!r} issues no virtual accounts; "
            f"one of {', '.join('BK' + b for b in methods.VBANK_BANKS)}",
        )
    va_date = call.optional("va_date")
    if va_date:
        if not methods.valid_va_date(va_date):
            raise Failure(codes.BAD_FIELD, f"va_date={va_date!r} is not YYYYMMDDHHMMSS")
        if parse_kcp_time(va_date) <= call.sandbox.clock.now():
            raise Failure(codes.BAD_FIELD, f"va_date {va_date} is in the past")
    call.commit_point()
    sandbox = call.sandbox
    tno, app_time = _new_tno(sandbox), call.now()
    selection = {"bankcode": "BK" + bank_code, "va_date": va_date, "depositor": call.optional("va_name")}
    fields = methods.vbank_fields(sandbox, selection, account=methods.new_account(sandbox))
    body = {**ok(codes.VBANK_OK), **_head(tno, ordr_idxx, amount, PAVC, app_time, "N"), **fields}
    _store_account(
        call, tno=tno, ordr_idxx=ordr_idxx, amount=amount, fields=fields, buyr_name=call.optional("buyr_name")
    )
    _store_transaction(
        call,
        tno=tno,
        pay_type=PAVC,
        ordr_idxx=ordr_idxx,
        amount=amount,
        app_time=app_time,
        body=body,
        vbank_account=fields["account"],
    )
    return body


# --- cancel -------------------------------------------------------------------------------

MOD_TYPES = ("STSC", "STPC", "STHD", "STPD", "STE1")
PARTIAL_TYPES = (PACA, PABK)  # partial cancels: card and transfer (kcp.md §4.2)


@router.post("/gw/mod/v1/cancel")
async def cancel(request: Request) -> Response:
    """Cancel, partial cancel, vbank refund, escrow delivery (kcp.md §4, §8)."""
    return await _serve(request, _cancel)


def _cancel(call: Call) -> dict[str, str]:
    call.authenticate()
    tno = call.text("tno")
    mod_type = call.text("mod_type")
    call.verify_signature("tno", "mod_type")
    if mod_type not in MOD_TYPES:
        raise Failure(
            codes.BAD_FIELD, f"mod_type={mod_type!r} is not supported by the sandbox ({', '.join(MOD_TYPES)})"
        )
    transaction = _transaction(call, tno)
    if mod_type == "STE1":
        return _escrow_delivery(call, transaction)
    if transaction.get("status") == "STSC":
        raise Failure(codes.ALREADY_CANCELLED, f"tno {tno}")
    if mod_type == "STSC":
        return _full_cancel(call, transaction)
    if mod_type == "STPC":
        return _partial_cancel(call, transaction)
    return _refund(call, transaction, mod_type)


def _deposited(call: Call, transaction: dict[str, Any]) -> int:
    account = call.sandbox.ledger.get("vbank", str(transaction.get("vbank_account") or "")) or {}
    return max(int(transaction.get("deposited") or 0), int(account.get("deposited") or 0))


def _new_seq(call: Call, transaction: dict[str, Any]) -> str:
    """A partial-cancel sequence number: numeric, unique (kcp.md §12; legacy 14 digits)."""
    taken = {c.get("mod_pcan_seq_no") for c in transaction.get("cancels") or []}
    while True:
        seq = call.sandbox.clock.now().strftime("%y%m%d") + call.sandbox.new_digits(8)
        if seq not in taken:
            return seq


def _record_cancel(
    call: Call,
    transaction: dict[str, Any],
    *,
    mod_type: str,
    mod_mny: int,
    extra: dict[str, Any] | None = None,
) -> tuple[str, str, int]:
    """Append a cancel entry and move the balance; the entry's time, sequence and new balance."""
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
    return canc_time, seq, balance


def _full_cancel(call: Call, transaction: dict[str, Any]) -> dict[str, str]:
    """Cancel the remaining balance; a vbank before deposit closes its account."""
    is_vbank = transaction.get("pay_type") == PAVC
    if is_vbank and _deposited(call, transaction) > 0:
        raise Failure(codes.ALREADY_DEPOSITED, "refund it with mod_type STHD or STPD")
    call.commit_point()
    remaining = int(transaction.get("rem_mny") or 0)
    canc_time, _seq, _balance = _record_cancel(call, transaction, mod_type="STSC", mod_mny=remaining)
    if is_vbank:
        account = call.sandbox.ledger.get("vbank", str(transaction.get("vbank_account") or ""))
        if account is not None:
            account["status"] = "cancelled"
            call.sandbox.ledger.update("vbank", str(account["account"]), account)
    return {**ok(), "tno": str(transaction["tno"]), "canc_time": canc_time}


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
    canc_time, seq, balance = _record_cancel(call, transaction, mod_type="STPC", mod_mny=mod_mny)
    return {
        **ok(),
        "tno": str(transaction["tno"]),
        "canc_time": canc_time,
        "mod_mny": str(mod_mny),
        "rem_mny": str(balance),
        "mod_pcan_seq_no": seq,
        "card_mod_mny": str(mod_mny) if pay_type == PACA else "0",
        "coupon_mod_mny": "0",
    }


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
    if _deposited(call, transaction) <= 0:
        raise Failure(codes.NOT_DEPOSITED, f"tno {transaction.get('tno')}")
    if mod_type == "STHD":
        mod_mny = int(transaction.get("rem_mny") or 0)
    else:
        mod_mny = _partial_amounts(call, transaction)
    call.commit_point()
    canc_time, seq, balance = _record_cancel(
        call, transaction, mod_type=mod_type, mod_mny=mod_mny, extra={"refund": refund}
    )
    body = {**ok(), "tno": str(transaction["tno"]), "canc_time": canc_time}
    if mod_type == "STPD":
        body.update({"mod_mny": str(mod_mny), "rem_mny": str(balance), "mod_pcan_seq_no": seq})
    return body


# unverified against KCP: REST escrow state changes are known from legacy docs only
# (kcp.md §4.2, §8). The entry has mod_mny 0 and leaves the balance alone.
def _escrow_delivery(call: Call, transaction: dict[str, Any]) -> dict[str, str]:
    """Escrow delivery registration (STE1), recorded among the transaction's modifications."""
    deli_numb, deli_corp = call.text("deli_numb"), call.text("deli_corp")
    if transaction.get("escw_yn") != "Y":
        raise Failure(codes.BAD_FIELD, f"tno {transaction.get('tno')} is not an escrow payment")
    if transaction.get("status") == "STSC":
        raise Failure(codes.ALREADY_CANCELLED, f"tno {transaction.get('tno')}")
    call.commit_point()
    when = call.now()
    transaction.setdefault("cancels", []).append(
        {"mod_type": "STE1", "mod_mny": 0, "canc_time": when, "deli_numb": deli_numb, "deli_corp": deli_corp}
    )
    call.sandbox.ledger.update("transaction", str(transaction["tno"]), transaction)
    return {**ok(), "tno": str(transaction["tno"])}


# --- inquiry ------------------------------------------------------------------------------

#: pay_type -> (status field, cancel flag field, remaining-balance field), kcp.md §5.
_INQUIRY_FIELDS: dict[str, tuple[str, str, str]] = {
    PACA: ("stat_ca_cd", "canc_card_yn", ""),
    PABK: ("stat_bk_cd", "canc_bk_yn", "bk_rem_mny"),
    PAMC: ("stat_hp_cd", "", "hp_rem_mny"),
}


@router.post("/std/inquery")
async def inquiry(request: Request) -> Response:
    """Transaction inquiry (kcp.md §5), signed over ``site_cd^tno^pay_type``."""
    return await _serve(request, _inquiry)


def _inquiry(call: Call) -> dict[str, str]:
    call.authenticate()
    tno = call.text("tno")
    pay_type = call.text("pay_type")
    call.verify_signature("tno", "pay_type")
    if pay_type not in methods.PAY_TYPES:
        raise Failure(codes.BAD_FIELD, f"pay_type={pay_type!r}; one of {', '.join(methods.PAY_TYPES)}")
    transaction = _transaction(call, tno)
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
        body["ipgm_mnyx"] = str(_deposited(call, transaction))  # unverified against KCP (TX00's name)
    return body
