"""The KCP sandbox over real HTTP, and KCP connectors to it, for the conformance scenarios.

One sandbox per test module: :func:`create_sandbox_app` served by uvicorn in a thread on a free
loopback port, with ``hold_seconds=3`` so a "timeout" scenario (amount 91001) holds its reply
for 3 s. Its sites notify a real HTTP receiver (the merchant's notification URL, another
uvicorn thread), so the deposit tool hands the scenarios the bytes the sandbox sent. Both are
stopped when the module is done.

Connectors are built per test (their HTTP clients belong to the test's event loop), one per
:class:`ConnectorKind`:

- ``standard``: site ``T0000``;
- ``billing``: site ``A52Q7`` with its group ``A52Q71000489``;
- ``escrow``: site ``T0007``, KCP's escrow test site;
- ``short_read_timeout``: ``T0000`` with the connector's read timeout cut to 1 s.
- ``unreachable``: ``T0000`` at a free port nobody listens on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from homeport.clock import SystemClock
from homeport.domain.money import Won
from homeport.pg.base import Approved, PgConnector
from homeport.pg.kcp.client import KcpTimeouts
from homeport.pg.kcp.connector import KcpConnector
from homeport.sandbox.app import build_sandbox, create_sandbox_app
from homeport.sandbox.config import TEST_KEY_PASSWORD, SandboxConfig, SiteConfig
from homeport.testing.connector_conformance import (
    ConformanceTarget,
    ConnectorKind,
    FaultInjection,
    SentNotification,
)
from tests.conformance.windows import WINDOW_METHODS, SandboxMobileWindow
from tests.e2e.processes import HEALTH_TIMEOUT_SECONDS, free_port
from tests.sandbox_notify.support import Receiver, running_receiver

GENERAL_SITE = "T0000"
BILLING_SITE = "A52Q7"
BILLING_GROUP = "A52Q71000489"
ESCROW_SITE = "T0007"
#: A bank that issues KCP virtual accounts (국민, kcp.md §11.6), in i'mport's code.
VBANK_BANK = "004"
#: Seconds the sandbox holds a "timeout" reply, and after how long the short client gives up.
HOLD_SECONDS = 3.0
SHORT_READ_SECONDS = 1.0
#: The sandbox's magic inputs (docs/sandbox.md, "Scenarios").
DECLINING_CARD = "4000000000000002"
TIMEOUT_AMOUNT, HTTP500_AMOUNT, HTTP502_AMOUNT, MALFORMED_AMOUNT = 91001, 91002, 91003, 91004


@dataclass(frozen=True)
class RunningSandbox:
    """A sandbox served over HTTP: its root URL and data directory (TEST ONLY credentials)."""

    url: str
    data_dir: Path
    receiver: Receiver

    def certificate(self, site_cd: str) -> Path:
        """The site's generated service certificate."""
        return self.data_dir / "credentials" / f"{site_cd}.cert.pem"

    def private_key(self, site_cd: str) -> Path:
        """The site's generated private key (encrypted PKCS#8, password ``changeit``)."""
        return self.data_dir / "credentials" / f"{site_cd}.key.pem"


@pytest.fixture(scope="module")
def notification_receiver() -> Iterator[Receiver]:
    """The merchant's notification URL: a real HTTP server answering KCP's ``result=0000``."""
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def sandbox_server(
    tmp_path_factory: pytest.TempPathFactory, notification_receiver: Receiver
) -> Iterator[RunningSandbox]:
    """The sandbox app under uvicorn in a thread on 127.0.0.1; stopped when the module ends."""
    data_dir = tmp_path_factory.mktemp("conformance-sandbox")
    notify_url = notification_receiver.url("/kcp/notifications")
    sites = (
        SiteConfig(GENERAL_SITE, notify_url=notify_url),
        SiteConfig(ESCROW_SITE, escrow=True, notify_url=notify_url),
        SiteConfig(BILLING_SITE, group_ids=(BILLING_GROUP,)),
    )
    sandbox = build_sandbox(SandboxConfig(data_dir=data_dir, sites=sites, hold_seconds=HOLD_SECONDS))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_sandbox_app(sandbox),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="on",
            ws="none",
        )
    )
    thread = threading.Thread(target=server.run, name=f"kcp-sandbox-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive():
                pytest.fail("the sandbox's uvicorn thread exited before it started", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"the sandbox did not start within {HEALTH_TIMEOUT_SECONDS} s", pytrace=False)
            time.sleep(0.05)
        yield RunningSandbox(
            url=f"http://127.0.0.1:{port}", data_dir=data_dir, receiver=notification_receiver
        )
    finally:
        server.should_exit = True
        thread.join(timeout=HOLD_SECONDS + 10)
        sandbox.ledger.close()


ConnectorFactory = Callable[[ConnectorKind], PgConnector]


@pytest.fixture
async def connector_for(sandbox_server: RunningSandbox) -> AsyncIterator[ConnectorFactory]:
    """Builds the KCP connector a scenario asks for; its HTTP client is closed after the test."""
    clients: list[httpx.AsyncClient] = []

    def build(kind: ConnectorKind) -> PgConnector:
        http = httpx.AsyncClient()
        clients.append(http)
        # The connector sets per-call timeouts itself; the "lost reply" scenarios shorten its
        # read timeout below the sandbox's hold.
        timeouts = (
            KcpTimeouts(read=SHORT_READ_SECONDS, read_short=SHORT_READ_SECONDS)
            if kind is ConnectorKind.SHORT_READ_TIMEOUT
            else None
        )
        site_cd = {ConnectorKind.BILLING: BILLING_SITE, ConnectorKind.ESCROW: ESCROW_SITE}.get(
            kind, GENERAL_SITE
        )
        base_url = (
            f"http://127.0.0.1:{free_port()}" if kind is ConnectorKind.UNREACHABLE else sandbox_server.url
        )
        return KcpConnector.from_files(
            site_cd=site_cd,
            certificate_path=sandbox_server.certificate(site_cd),
            private_key_path=sandbox_server.private_key(site_cd),
            key_password=TEST_KEY_PASSWORD,
            base_url=base_url,
            http=http,
            group_id=BILLING_GROUP if kind is ConnectorKind.BILLING else None,
            timeouts=timeouts,
        )

    yield build
    for http in clients:
        await http.aclose()


@pytest.fixture
async def buyer_browser(sandbox_server: RunningSandbox) -> AsyncIterator[httpx.AsyncClient]:
    """The buyer's browser: plain HTTP to the sandbox's windows."""
    async with httpx.AsyncClient(base_url=sandbox_server.url, timeout=10.0) as browser:
        yield browser


@pytest.fixture
def sandbox_target(sandbox_server: RunningSandbox, buyer_browser: httpx.AsyncClient) -> ConformanceTarget:
    """Everything the sandbox offers: windows for every method, billing, key-in, magic inputs."""

    async def find_pg_tids(order_id: str) -> Sequence[str]:
        answer = await buyer_browser.get("/_sandbox/records/transaction", params={"ordr_idxx": order_id})
        answer.raise_for_status()
        return [str(record["tno"]) for record in answer.json()["records"]]

    async def deposit(approved: Approved, amount: Won) -> SentNotification | None:
        """KCP's stage mock-deposit page, emulated (kcp.md §9.5): the TX00 the receiver got."""
        receiver = sandbox_server.receiver
        before = len(receiver.posts)
        answer = await buyer_browser.post(
            "/_sandbox/deposit", json={"tno": approved.pg_tid, "amount": amount}
        )
        if answer.status_code == 409:  # account_closed: revoked or past its deadline
            return None
        answer.raise_for_status()
        sent = receiver.posts[before:]
        assert len(sent) == 1, f"the deposit sent {len(sent)} notifications"
        return SentNotification(body=sent[0].body, content_type=sent[0].headers["content-type"])

    return ConformanceTarget(
        name="KCP sandbox",
        # KCP's window return fields (kcp.md §10): the tokens are never sent, nothing listens.
        sample_window_return={"res_cd": "0000", "tran_cd": "00100000", "enc_data": "x__", "enc_info": "y__"},
        window=SandboxMobileWindow(buyer_browser),
        window_methods=WINDOW_METHODS,
        billing_group_id=BILLING_GROUP,
        keyin=True,
        declining_card=DECLINING_CARD,
        declining_pg_code="8016",
        amount_mismatch_pg_code="8059",
        faults=FaultInjection(
            timeout_amount=TIMEOUT_AMOUNT,
            server_error_amount=HTTP500_AMOUNT,
            bad_gateway_amount=HTTP502_AMOUNT,
            malformed_amount=MALFORMED_AMOUNT,
            find_pg_tids=find_pg_tids,
        ),
        now=SystemClock().now,
        vbank_bank_code=VBANK_BANK,
        vbank_deposit=deposit,
        escrow=True,
    )
