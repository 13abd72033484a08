"""Outcome classification of the KCP HTTP layer, against a real local server where possible.

Rules: not sent → PgUnavailable (retried at most twice); sent but unreadable → PgOutcomeUnknown
(never retried); otherwise KCP's JSON answer whatever the HTTP status.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import structlog

from homeport.domain.errors import PgOutcomeUnknown, PgUnavailable
from homeport.pg.kcp.client import KcpClient, KcpTimeouts
from tests.unit.pg.support import Reply, StubKcp

BODY = {
    "site_cd": "T0000",
    "card_no": "4111111111111111",
    "bt_batch_key": "2304051168518034",
    "amount": "1004",
}
FAST = KcpTimeouts(connect=1.0, read=0.5, read_short=0.5, backoff=0.0)


class Sleeps:
    """Records backoff sleeps instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client_for(http: httpx.AsyncClient, base_url: str, sleeps: Sleeps | None = None) -> KcpClient:
    return KcpClient(http, base_url, site_cd="T0000", timeouts=FAST, sleep=sleeps or Sleeps())


async def test_a_json_answer_is_returned_and_sent_as_utf8_json(
    stub: StubKcp, http: httpx.AsyncClient
) -> None:
    stub.replies["/gw/enc/v1/payment"] = Reply.json({"res_cd": "0000", "res_msg": "정상처리", "tno": "1"})

    answer = await client_for(http, stub.base_url).post(
        "/gw/enc/v1/payment", {**BODY, "good_name": "운동화"}, moves_money=True
    )

    assert answer == {"res_cd": "0000", "res_msg": "정상처리", "tno": "1"}
    path, headers, raw = stub.requests[-1]
    assert path == "/gw/enc/v1/payment"
    assert headers["content-type"].startswith("application/json")
    assert json.loads(raw.decode("utf-8"))["good_name"] == "운동화"
    assert "운동화".encode() in raw  # not \\u-escaped


async def test_a_business_error_is_an_answer_even_with_a_4xx_status(
    stub: StubKcp, http: httpx.AsyncClient
) -> None:
    stub.replies["/x"] = Reply.json({"res_cd": "8059", "res_msg": "불일치"}, status=400)

    assert (await client_for(http, stub.base_url).post("/x", BODY, moves_money=True))["res_cd"] == "8059"


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=500, body=b"<html>Internal Server Error</html>", content_type="text/html"),
        Reply(status=502, body=b""),
        Reply(status=503, body=b'{"res_cd":"0000"}'),  # a 5xx is never trusted
        Reply(status=200, body=b'{"res_cd":"0000","tno":'),  # truncated
        Reply(status=200, body=b"<html>maintenance</html>", content_type="text/html"),
        Reply(status=200, body=b'["not", "an", "object"]'),
        Reply(status=200, body=b"\xff\xfe\x00"),
        Reply(status=200, body=b"{}"),  # no result code: not a decline
        Reply(status=200, body=b'{"error": "gateway busy"}'),
    ],
    ids=[
        "500-html",
        "502-empty",
        "503-json",
        "truncated",
        "html",
        "array",
        "binary",
        "empty-object",
        "no-res-cd",
    ],
)
async def test_unreadable_answers_are_outcome_unknown_and_not_retried(
    stub: StubKcp, http: httpx.AsyncClient, reply: Reply
) -> None:
    stub.replies["/x"] = reply
    sleeps = Sleeps()

    with pytest.raises(PgOutcomeUnknown):
        await client_for(http, stub.base_url, sleeps).post("/x", BODY, moves_money=True)

    assert len(stub.requests) == 1
    assert sleeps.calls == []


async def test_a_slow_answer_is_outcome_unknown(stub: StubKcp, http: httpx.AsyncClient) -> None:
    stub.replies["/slow"] = Reply(delay=2.0)

    with pytest.raises(PgOutcomeUnknown):
        await client_for(http, stub.base_url).post("/slow", BODY, moves_money=True)

    assert len(stub.requests) == 1


@pytest.fixture
async def dropping_server() -> AsyncIterator[str]:
    """A real TCP server that reads the request and closes the connection without answering."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.close()
    await server.wait_closed()


async def test_a_connection_dropped_after_sending_is_outcome_unknown(
    dropping_server: str, http: httpx.AsyncClient
) -> None:
    sleeps = Sleeps()

    with pytest.raises(PgOutcomeUnknown):
        await client_for(http, dropping_server, sleeps).post("/x", BODY, moves_money=True)

    assert sleeps.calls == []


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_refused_connection_is_unavailable_after_two_retries(http: httpx.AsyncClient) -> None:
    sleeps = Sleeps()

    with pytest.raises(PgUnavailable):
        await client_for(http, f"http://127.0.0.1:{closed_port()}", sleeps).post("/x", BODY, moves_money=True)

    assert len(sleeps.calls) == 2  # three attempts in all


async def test_an_unknown_host_is_unavailable(http: httpx.AsyncClient) -> None:
    with pytest.raises(PgUnavailable):
        await client_for(http, "http://kcp.invalid").post("/x", BODY, moves_money=True)


async def test_a_retry_that_succeeds_returns_the_answer() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"res_cd": "0000"})

    sleeps = Sleeps()
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        answer = await client_for(http, "https://stg-spl.kcp.co.kr", sleeps).post(
            "/x", BODY, moves_money=True
        )

    assert answer == {"res_cd": "0000"}
    assert calls == 3
    assert len(sleeps.calls) == 2


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpx.ConnectError, PgUnavailable),
        (httpx.ConnectTimeout, PgUnavailable),
        (httpx.PoolTimeout, PgUnavailable),
        (httpx.ReadTimeout, PgOutcomeUnknown),
        (httpx.WriteTimeout, PgOutcomeUnknown),
        (httpx.ReadError, PgOutcomeUnknown),
        (httpx.WriteError, PgOutcomeUnknown),
        (httpx.RemoteProtocolError, PgOutcomeUnknown),
    ],
)
async def test_transport_exceptions_are_classified(
    error: type[httpx.TransportError], expected: type[Exception]
) -> None:
    """Transport errors that cannot be provoked deterministically, via MockTransport."""
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise error("boom", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(expected):
            await client_for(http, "https://stg-spl.kcp.co.kr").post("/x", BODY, moves_money=True)

    assert calls == (3 if expected is PgUnavailable else 1)


async def test_timeouts_are_explicit() -> None:
    timeouts = KcpTimeouts()

    money = timeouts.for_call(moves_money=True)
    other = timeouts.for_call(moves_money=False)

    assert (money.connect, money.read) == (5.0, 30.0)
    assert other.read == 15.0
    assert timeouts.retries == 2


async def test_logs_name_the_call_but_never_its_secrets(stub: StubKcp, http: httpx.AsyncClient) -> None:
    stub.replies["/x"] = Reply.json({"res_cd": "0000", "batch_key": "2304051168518034"})
    body = {**BODY, "kcp_cert_info": "-----BEGIN CERTIFICATE-----SECRETCERT", "kcp_sign_data": "SIGNATURE=="}

    with structlog.testing.capture_logs() as logs:
        await client_for(http, stub.base_url).post("/x", body, moves_money=True)

    events = {entry["event"] for entry in logs}
    assert {"pg.request", "pg.response"} <= events
    response = next(entry for entry in logs if entry["event"] == "pg.response")
    assert response["site_cd"] == "T0000"
    assert response["path"] == "/x"
    assert response["res_cd"] == "0000"
    assert "duration_ms" in response
    text = repr(logs)
    for secret in ("4111111111111111", "2304051168518034", "SECRETCERT", "SIGNATURE=="):
        assert secret not in text


async def test_outcome_unknown_is_logged(stub: StubKcp, http: httpx.AsyncClient) -> None:
    stub.replies["/x"] = Reply(status=500, body=b"")

    with structlog.testing.capture_logs() as logs, pytest.raises(PgOutcomeUnknown):
        await client_for(http, stub.base_url).post("/x", BODY, moves_money=True)

    assert [entry["event"] for entry in logs] == ["pg.request", "pg.outcome_unknown"]
