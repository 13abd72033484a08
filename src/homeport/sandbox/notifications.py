"""KCP's common notification (공통 통보): virtual-account deposits sent to the merchant.

A deposit (:func:`deposit`) changes a :class:`~homeport.sandbox.records.VirtualAccount` and
its :class:`~homeport.sandbox.records.Transaction`, stores a ``TX00``
:class:`~homeport.sandbox.records.Notification` and POSTs it to the site's ``notify_url``
(kcp.md §9):

- the body is ``application/x-www-form-urlencoded`` in the site's charset (EUC-KR by
  default, UTF-8 when the site says so; §9.1), with no signature;
- a delivery counts only if the reply is HTTP 200 and its body holds an input named
  ``result`` with the value ``0000`` (§9.2); anything else (``9999``, a 500, a timeout, a
  refused connection) is retried every ``notify_interval_seconds``, at most
  ``notify_attempts`` tries in all. Every try is recorded on the notification;
- amounts that differ from the account's are settled as deposited and reported exactly
  (§9.4); ``op_cd`` ``13`` is the bank taking a deposit back.

Retries run in :func:`deliver_due`, which the sandbox app's lifespan calls in a loop
(:class:`NotificationLoop`); time comes from ``sandbox.clock``, so tests move a ManualClock
instead of sleeping. A try is claimed in a ledger transaction before it is sent, so two
loops (or a loop and ``homeport sandbox deposit`` in another process, on the same SQLite
file) never send the same try twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import time
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import httpx

from homeport.sandbox import charsets
from homeport.sandbox.clock import kcp_time, parse_kcp_time
from homeport.sandbox.context import Sandbox
from homeport.sandbox.records import Notification

log = logging.getLogger("homeport.sandbox.notifications")

TX_DEPOSIT = "TX00"
#: ``op_cd`` of an ordinary deposit (kcp.md §9.4: every value but 13 is a deposit).
OP_DEPOSIT = "50"
#: ``op_cd`` of a deposit the bank cancelled (wrong deposit): the amount is taken back.
OP_CANCEL = "13"
#: The value of the ``result`` input that tells KCP the notification was processed.
RESULT_OK = "0000"
#: ``ipgm_mnyx`` is at most 12 digits (kcp.md §9.4).
MAX_AMOUNT = 999_999_999_999
#: How much of a reply body an attempt keeps (for reading why a delivery failed).
BODY_EXCERPT = 300

_OP_CD = re.compile(r"\d{2}")


class DepositError(Exception):
    """A deposit the sandbox refuses; ``status`` is the HTTP status the control API answers."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownAccount(DepositError):
    """No virtual account with that number (or none issued for that tno)."""

    status = 404
    code = "unknown_account"


class InvalidDeposit(DepositError):
    """A bad amount: not whole won, out of range, or more taken back than was deposited."""

    status = 400
    code = "bad_amount"


class InvalidField(DepositError):
    """A bad field other than the amount (``op_cd``, a non-text account or remitter)."""

    status = 400
    code = "bad_field"


class AccountClosed(DepositError):
    """The account no longer takes deposits: cancelled, closed or past its deadline."""

    status = 409
    code = "account_closed"


# --- deposits ----------------------------------------------------------------------------------


def account_for_tno(sandbox: Sandbox, tno: str) -> str:
    """The virtual account issued for a transaction; UnknownAccount if there is none."""
    found = sandbox.ledger.find("vbank", tno=tno)
    if found:
        return str(found[-1]["account"])
    transaction = sandbox.ledger.get("transaction", tno)
    if transaction and transaction.get("vbank_account"):
        return str(transaction["vbank_account"])
    raise UnknownAccount(f"no virtual account was issued for tno {tno}")


def _bank_code(account: dict[str, Any]) -> str:
    """The 2-digit bank code notifications carry (REST results say ``BK04``; §11.6)."""
    code = str(account.get("bank_code") or "")
    if not code:
        bankcode = str(account.get("bankcode") or "")
        code = bankcode[2:] if bankcode.upper().startswith("BK") else bankcode
    return code


def _orderer(account: dict[str, Any], transaction: dict[str, Any] | None, remitter: str) -> str:
    """``ipgm_name``: the orderer's name as the merchant registered it, else the remitter."""
    approval = (transaction or {}).get("approval") or {}
    for candidate in (account.get("buyr_name"), approval.get("buyr_name")):
        if candidate:
            return str(candidate)[:30]
    return remitter[:30]


def _check_amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidDeposit(f"amount must be a whole number of won, not {amount!r}")
    if not 0 < amount <= MAX_AMOUNT:
        raise InvalidDeposit(f"amount must be between 1 and {MAX_AMOUNT} won, not {amount}")
    return amount


def _new_noti_id(sandbox: Sandbox) -> str:
    """A fresh notification id: 20 digits (the time, then random digits; kcp.md §9.4 ≤20)."""
    return kcp_time(sandbox.clock.now()) + sandbox.new_digits(6)


def _deposit_amount(record: dict[str, Any], amount: int | None, *, cancelling: bool) -> int:
    """The amount of a deposit (or reversal), checked against the account."""
    expected = int(record.get("amount") or 0)
    deposited = int(record.get("deposited") or 0)
    if amount is None:
        amount = deposited if cancelling else expected - deposited
        if amount <= 0:
            what = "nothing has been deposited" if cancelling else "the account is fully paid"
            raise InvalidDeposit(f"{what}; give an amount explicitly")
    amount = _check_amount(amount)
    if cancelling and amount > deposited:
        raise InvalidDeposit(
            f"cannot take back {amount} won: only {deposited} won were deposited to {record['account']}"
        )
    return amount


def _check_open(record: dict[str, Any], transaction: dict[str, Any] | None, now: dt.datetime) -> None:
    """Refuse a deposit to a cancelled, closed or expired account (a bank would)."""
    status = str(record.get("status") or "waiting")
    if status in {"cancelled", "closed"}:
        raise AccountClosed(f"virtual account {record['account']} is {status} and takes no deposits")
    if (transaction or {}).get("status") == "STSC":
        raise AccountClosed(
            f"transaction {record.get('tno')} of virtual account {record['account']} is cancelled"
        )
    deadline = str(record.get("va_date") or "")
    if deadline and now > parse_kcp_time(deadline):
        raise AccountClosed(f"virtual account {record['account']} expired at {deadline}")


def _tx00_fields(
    record: dict[str, Any],
    transaction: dict[str, Any] | None,
    *,
    amount: int,
    total: int,
    remitter: str,
    op_cd: str,
    now: dt.datetime,
) -> dict[str, str]:
    """A TX00 notification's form fields (kcp.md §9.3-9.4), ``noti_id`` still empty."""
    return {
        "site_cd": str(record.get("site_cd") or ""),
        "tno": str(record.get("tno") or ""),
        "order_no": str(record.get("ordr_idxx") or ""),
        "tx_cd": TX_DEPOSIT,
        "tx_tm": kcp_time(now),
        "ipgm_name": _orderer(record, transaction, remitter),
        "remitter": remitter,
        "ipgm_mnyx": str(amount),
        "totl_mnyx": str(total),
        "ipgm_time": kcp_time(now),
        "bank_code": _bank_code(record),
        "account": str(record["account"]),
        "op_cd": op_cd,
        "noti_id": "",
        "cash_a_no": "",  # no cash receipt is issued for sandbox deposits
        "cash_a_dt": "",
        "cash_no": "",
        "char_set": "",  # observed on real notifications (kcp.md §9.3); the site's charset
        "noti_cnt": "0",  # the try number, set when sent
    }


def _store_notification(sandbox: Sandbox, fields: dict[str, str], now: dt.datetime) -> Notification:
    """Store a new notification for ``fields`` under a fresh ``noti_id``."""
    site = sandbox.site(fields["site_cd"])
    url = site.notify_url if site else ""
    charset = site.notify_charset if site else "euc-kr"
    fields["char_set"] = charset.upper()
    if site is None:
        note = f"site {fields['site_cd']} is not configured in the sandbox; nothing is sent"
    elif not url:
        note = f"site {site.site_cd} has no notify_url; the notification is stored, not sent"
    else:
        note = ""
    with sandbox.ledger.transaction():  # the fresh noti_id stays free until it is stored
        noti_id = sandbox.new_key("notification", lambda: _new_noti_id(sandbox))
        notification: Notification = {
            "noti_id": noti_id,
            "tx_cd": fields["tx_cd"],
            "site_cd": fields["site_cd"],
            "tno": fields["tno"],
            "account": fields.get("account", ""),
            "url": url,
            "charset": charset,
            "fields": {**fields, "noti_id": noti_id},
            "attempts": [],
            "delivered": False,
            "created_at": now.isoformat(),
            # Whoever stores it sends the first try at once (see deposit); the loop waits.
            "next_attempt_at": (now + _interval(sandbox)).isoformat() if url else "",
            "note": note,
        }
        sandbox.ledger.put("notification", noti_id, dict(notification))
    return notification


def record_deposit(
    sandbox: Sandbox,
    account: str,
    amount: int | None = None,
    *,
    remitter: str = "홍길동",
    op_cd: str = OP_DEPOSIT,
) -> Notification:
    """Book a deposit (or, with ``op_cd`` 13, its reversal) and store its TX00 notification.

    ``amount`` defaults to what remains to be paid (for 13: everything deposited so far).
    Under- and over-deposits are booked as they are. Nothing is sent yet: :func:`deposit`
    books and sends.
    """
    if not isinstance(op_cd, str) or not _OP_CD.fullmatch(op_cd):
        raise InvalidField(f"op_cd must be two digits (50 deposit, 13 cancel), not {op_cd!r}")
    remitter = (remitter or "").strip()[:14] or "홍길동"  # remitter is at most 14 (§9.4)
    cancelling = op_cd == OP_CANCEL
    ledger = sandbox.ledger
    now = sandbox.clock.now()
    with ledger.transaction():
        record = ledger.get("vbank", account)
        if record is None:
            raise UnknownAccount(f"no virtual account {account}")
        tno = str(record.get("tno") or "")
        transaction = ledger.get("transaction", tno) if tno else None
        if not cancelling:
            _check_open(record, transaction, now)
        amount = _deposit_amount(record, amount, cancelling=cancelling)
        deposited = int(record.get("deposited") or 0)
        total = deposited - amount if cancelling else deposited + amount
        record["deposited"] = total
        if record.get("status", "waiting") in {"waiting", "deposited"}:
            paid = total > 0 and total >= int(record.get("amount") or 0)
            record["status"] = "deposited" if paid else "waiting"
        ledger.update("vbank", account, record)
        if transaction is not None:  # a copy for whoever reads the transaction alone
            transaction["deposited"] = total
            ledger.update("transaction", tno, transaction)
        fields = _tx00_fields(
            record,
            transaction,
            amount=amount,
            total=total,
            remitter=remitter,
            op_cd=op_cd,
            now=now,
        )
        return _store_notification(sandbox, fields, now)


async def deposit(
    sandbox: Sandbox,
    account: str,
    amount: int | None = None,
    *,
    remitter: str = "홍길동",
    op_cd: str = OP_DEPOSIT,
) -> Notification:
    """Book a deposit to a virtual account and send its TX00 notification once.

    Returns the stored notification with its first attempt (none without a notify_url).
    Later tries happen in :func:`deliver_due`.
    """
    notification = record_deposit(sandbox, account, amount, remitter=remitter, op_cd=op_cd)
    if notification["url"]:
        await _try(sandbox, notification["noti_id"], due_only=False)
    return get_notification(sandbox, notification["noti_id"])


async def cancel_deposit(
    sandbox: Sandbox, account: str, amount: int | None = None, *, remitter: str = "홍길동"
) -> Notification:
    """The bank takes a deposit back (``op_cd`` 13); ``amount`` defaults to all deposited."""
    return await deposit(sandbox, account, amount, remitter=remitter, op_cd=OP_CANCEL)


def get_notification(sandbox: Sandbox, noti_id: str) -> Notification:
    """A stored notification; KeyError if there is none."""
    record = sandbox.ledger.get("notification", noti_id)
    if record is None:
        raise KeyError(noti_id)
    notification: Notification = record  # type: ignore[assignment]  # Notification-shaped JSON
    return notification


# --- delivery ----------------------------------------------------------------------------------


def _interval(sandbox: Sandbox) -> dt.timedelta:
    return dt.timedelta(seconds=sandbox.config.notify_interval_seconds)


class _ResultFinder(HTMLParser):
    """Finds ``<input name="result" value="...">`` however the attributes are written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "input" or self.result is not None:
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        if values.get("name", "").strip().lower() == "result":
            self.result = values.get("value", "").strip()


def reply_result(body: str) -> str | None:
    """The value of the ``result`` input in a reply body, or None if it has none."""
    finder = _ResultFinder()
    with contextlib.suppress(Exception):  # an unparsable reply simply has no result
        finder.feed(body)
        finder.close()
    return finder.result


def encode_fields(fields: dict[str, str], charset: str) -> bytes:
    """The form body in the site's charset (EUC-KR as CP949, see :mod:`~homeport.sandbox.charsets`)."""
    return urlencode(fields, encoding=charsets.codec(charset), errors="replace").encode("ascii")


def _claim(sandbox: Sandbox, noti_id: str, *, due_only: bool) -> Notification | None:
    """Reserve the next try of a notification (None if it is delivered, exhausted or not due)."""
    ledger = sandbox.ledger
    now = sandbox.clock.now()
    with ledger.transaction():
        record = ledger.get("notification", noti_id)
        if record is None or record.get("delivered") or not record.get("url"):
            return None
        attempts: list[dict[str, Any]] = record.get("attempts") or []
        if len(attempts) >= sandbox.config.notify_attempts:
            return None
        next_at = record.get("next_attempt_at") or ""
        if due_only and next_at and dt.datetime.fromisoformat(next_at) > now:
            return None
        number = len(attempts) + 1
        attempts.append({"n": number, "at": now.isoformat(), "error": "sending", "ok": False})
        record["attempts"] = attempts
        record["fields"]["noti_cnt"] = str(number)
        record["next_attempt_at"] = (now + _interval(sandbox)).isoformat()
        ledger.update("notification", noti_id, record)
    notification: Notification = record  # type: ignore[assignment]  # Notification-shaped JSON
    return notification


async def _send(sandbox: Sandbox, notification: Notification) -> dict[str, Any]:
    """POST one try; the attempt's outcome (status, result, error, duration)."""
    charset = notification["charset"]
    started = time.perf_counter()
    outcome: dict[str, Any] = {"status": None, "result": None, "error": "", "body": ""}
    try:
        response = await sandbox.http.post(
            notification["url"],
            content=encode_fields(notification["fields"], charset),
            headers={"Content-Type": f"application/x-www-form-urlencoded; charset={charset}"},
        )
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        outcome["error"] = f"{type(exc).__name__}: {exc}".rstrip(": ")
    else:
        text = response.content.decode(response.encoding or "utf-8", errors="replace")
        outcome["status"] = response.status_code
        outcome["result"] = reply_result(text)
        outcome["body"] = text[:BODY_EXCERPT]
        if response.status_code != 200:
            outcome["error"] = f"HTTP {response.status_code}"
        elif outcome["result"] is None:
            outcome["error"] = "the reply has no input named result"
        elif outcome["result"] != RESULT_OK:
            outcome["error"] = f"result={outcome['result']}"
    outcome["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    outcome["ok"] = outcome["status"] == 200 and outcome["result"] == RESULT_OK
    return outcome


def _finish(sandbox: Sandbox, noti_id: str, number: int, outcome: dict[str, Any]) -> None:
    ledger = sandbox.ledger
    with ledger.transaction():
        record = ledger.get("notification", noti_id)
        if record is None:  # the ledger was reset meanwhile
            return
        attempts: list[dict[str, Any]] = record.get("attempts") or []
        if len(attempts) >= number:
            attempts[number - 1] = {**attempts[number - 1], **outcome}
        if outcome["ok"]:
            record["delivered"] = True
            record["next_attempt_at"] = ""
            record["note"] = ""
        elif number >= sandbox.config.notify_attempts:
            record["next_attempt_at"] = ""
            record["note"] = f"gave up after {number} attempts"
        ledger.update("notification", noti_id, record)


async def _try(sandbox: Sandbox, noti_id: str, *, due_only: bool) -> bool:
    """Send a notification's next try if it may be sent now; whether a try was made."""
    claimed = _claim(sandbox, noti_id, due_only=due_only)
    if claimed is None:
        return False
    number = len(claimed["attempts"])
    outcome = await _send(sandbox, claimed)
    _finish(sandbox, noti_id, number, outcome)
    level = logging.INFO if outcome["ok"] else logging.WARNING
    log.log(
        level,
        "notification %s try %d to %s: %s",
        noti_id,
        number,
        claimed["url"],
        "delivered" if outcome["ok"] else outcome["error"],
    )
    return True


def _due(sandbox: Sandbox, record: dict[str, Any], now: dt.datetime) -> bool:
    if record.get("delivered") or not record.get("url"):
        return False
    if len(record.get("attempts") or []) >= sandbox.config.notify_attempts:
        return False
    next_at = record.get("next_attempt_at") or ""
    return not next_at or dt.datetime.fromisoformat(next_at) <= now


async def deliver_due(sandbox: Sandbox) -> int:
    """Send every undelivered notification whose next try has come; the number of tries made."""
    now = sandbox.clock.now()
    due = [r["noti_id"] for r in sandbox.ledger.all("notification") if _due(sandbox, r, now)]
    if not due:
        return 0
    made = await asyncio.gather(*(_try(sandbox, noti_id, due_only=True) for noti_id in due))
    return sum(made)


async def run_forever(sandbox: Sandbox, stop: asyncio.Event, *, poll_seconds: float = 1.0) -> None:
    """Call :func:`deliver_due` every ``poll_seconds`` until ``stop`` is set."""
    while not stop.is_set():
        try:
            await deliver_due(sandbox)
        except Exception:  # a broken record or a closed ledger must not end the loop
            log.exception("notification delivery failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)


class NotificationLoop:
    """:func:`run_forever` as a task, for an app's lifespan (standalone or mounted)."""

    def __init__(self, sandbox: Sandbox, *, poll_seconds: float = 1.0) -> None:
        self.sandbox = sandbox
        self.poll_seconds = poll_seconds
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the loop on the running event loop."""
        if self._task is None:
            self._stop = asyncio.Event()
            self._task = asyncio.create_task(
                run_forever(self.sandbox, self._stop, poll_seconds=self.poll_seconds),
                name="sandbox-notifications",
            )

    async def stop(self) -> None:
        """Ask the loop to finish and wait for it (a try in flight is allowed to end)."""
        if self._task is None:
            return
        self._stop.set()
        try:
            await asyncio.wait_for(self._task, timeout=15.0)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
