"""Helpers for sandbox notification tests: a real HTTP receiver and ledger records.

The merchant side is a real HTTP server: a small Starlette app served by uvicorn on a free
loopback port in a background thread. It records every POST (raw bytes and headers) and
answers whatever the test queued (by default KCP's canonical ``result=0000`` page).
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import string
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from homeport.sandbox.app import build_sandbox
from homeport.sandbox.clock import ManualClock, kcp_time
from homeport.sandbox.config import SandboxConfig, SiteConfig
from homeport.sandbox.context import Sandbox
from homeport.sandbox.ledger import Ledger
from homeport.sandbox.records import Transaction, VirtualAccount
from tests.e2e.processes import free_port

OK_PAGE = '<html><body><form><input type="hidden" name="result" value="0000"></form></body></html>'
RETRY_PAGE = '<html><body><form><input type="hidden" name="result" value="9999"></form></body></html>'
INTERVAL = 60


@dataclass
class Post:
    """One notification as the merchant's server received it."""

    body: bytes
    headers: dict[str, str]
    path: str


@dataclass
class Receiver:
    """The merchant's notification endpoint: records posts, answers queued replies in order."""

    port: int
    posts: list[Post] = field(default_factory=list)
    replies: list[tuple[int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/kcp/noti") -> str:
        """A URL on this receiver."""
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, *replies: tuple[int, str]) -> None:
        """Queue replies (status, body); once used up, the receiver answers 200 with result=0000."""
        with self.lock:
            self.replies.extend(replies)

    def clear(self) -> None:
        """Forget posts and queued replies."""
        with self.lock:
            self.posts.clear()
            self.replies.clear()

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        with self.lock:
            self.posts.append(Post(body, dict(request.headers), request.url.path))
            status, text = self.replies.pop(0) if self.replies else (200, OK_PAGE)
        return Response(text.encode("euc-kr"), status_code=status, media_type="text/html; charset=euc-kr")


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A real HTTP receiver (uvicorn in a background thread), stopped on exit."""
    receiver = Receiver(port=free_port())
    app = Starlette(routes=[Route("/{path:path}", receiver.handle, methods=["POST", "GET"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=receiver.port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="notification-receiver", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.02)
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sites_for(receiver: Receiver) -> tuple[SiteConfig, ...]:
    """KCP's test sites: T0000 notifies in EUC-KR, T0007 in UTF-8, A52Q7 has no notify_url."""
    return (
        SiteConfig("T0000", notify_url=receiver.url("/kcp/noti")),
        SiteConfig("T0007", escrow=True, notify_url=receiver.url("/utf8/noti"), notify_charset="utf-8"),
        SiteConfig("A52Q7", group_ids=("A52Q71000489",)),
    )


def make_sandbox(data_dir: Path, credentials: Path, clock: ManualClock, **config: Any) -> Sandbox:
    """A sandbox on ``data_dir`` with a copy of the session's credentials."""
    shutil.copytree(credentials, data_dir / "credentials", dirs_exist_ok=True)
    return build_sandbox(SandboxConfig(data_dir=data_dir, **config), clock=clock)


def put_account(
    ledger: Ledger,
    *,
    now: dt.datetime,
    amount: int = 50_000,
    site_cd: str = "T0000",
    bankcode: str = "BK04",
    account: str | None = None,
    va_days: int = 7,
    **extra: Any,
) -> VirtualAccount:
    """A virtual account awaiting deposit and its transaction, as a vbank approval leaves them."""
    tno = now.strftime("%y%m%d") + "".join(secrets.choice(string.digits) for _ in range(8))
    number = account or "T" + "".join(secrets.choice(string.digits) for _ in range(13))
    va_date = kcp_time(now.replace(hour=23, minute=59, second=59) + dt.timedelta(days=va_days))
    record: VirtualAccount = {
        "account": number,
        "tno": tno,
        "site_cd": site_cd,
        "ordr_idxx": f"order-{tno[-6:]}",
        "bankcode": bankcode,
        "bankname": "국민은행",
        "depositor": "한국사이버결제",
        "amount": amount,
        "va_date": va_date,
        "deposited": 0,
        "status": "waiting",
    }
    ledger.put("vbank", number, {**record, **extra})
    transaction: Transaction = {
        "tno": tno,
        "site_cd": site_cd,
        "ordr_idxx": record["ordr_idxx"],
        "pay_type": "PAVC",
        "amount": amount,
        "rem_mny": amount,
        "status": "STSR",
        "app_time": kcp_time(now),
        "approval": {"res_cd": "0000", "tno": tno, "account": number, "buyr_name": "김주문"},
        "cancels": [],
        "escw_yn": "N",
        "batch_key": "",
        "vbank_account": number,
        "deposited": 0,
    }
    ledger.put("transaction", tno, dict(transaction))
    return record


def issue_account(sandbox: Sandbox, **options: Any) -> VirtualAccount:
    """:func:`put_account` in a sandbox's ledger at the sandbox's time."""
    return put_account(sandbox.ledger, now=sandbox.clock.now(), **options)
