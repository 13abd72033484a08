"""Injected faults (scenarios.py, faults.py): broken answers, late answers, lost answers."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from tests.sandbox.kcp import APPROVE, CANCEL, HUB, INQUIRY, Kcp

FAULT = "X-Sandbox-Fault"


def assert_not_json(content: bytes) -> None:
    """A body no JSON reader accepts (cut short, possibly inside a UTF-8 sequence)."""
    try:
        json.loads(content)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both are
        return
    raise AssertionError(f"parsed as JSON: {content!r}")


@pytest.fixture
async def live_url(sandbox_app: FastAPI) -> AsyncIterator[str]:
    """The sandbox served by uvicorn on a loopback port, so client timeouts are real."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(sandbox_app, lifespan="off", log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    await task


async def test_http500_answers_an_html_page_and_changes_nothing(kcp: Kcp) -> None:
    """``http500``: HTTP 500 with HTML, before processing; the auth still approves afterwards."""
    auth = kcp.auth()
    response = await kcp.post(APPROVE, kcp.approval_request(auth), headers={FAULT: "http500"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text
    assert kcp.sandbox.ledger.all("transaction") == []
    assert (await kcp.approve(auth))["res_cd"] == "0000"


async def test_http502_answers_an_empty_body_and_changes_nothing(kcp: Kcp) -> None:
    """``http502``: HTTP 502, empty body; a cancel sent that way did not happen."""
    paid = await kcp.pay()
    response = await kcp.post(CANCEL, kcp.cancel_request(paid["tno"]), headers={FAULT: "http502"})
    assert response.status_code == 502
    assert response.content == b""
    assert kcp.transaction(paid["tno"])["status"] == "STSR"


async def test_malformed_answers_a_truncated_body(kcp: Kcp) -> None:
    """``malformed``: HTTP 200 claiming JSON, with a body that does not parse."""
    paid = await kcp.pay()
    response = await kcp.post(INQUIRY, kcp.inquiry_request(paid["tno"]), headers={FAULT: "malformed"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert_not_json(response.content)


async def test_slow_answers_normally_but_late(kcp: Kcp) -> None:
    """``slow``: the normal answer after slow_seconds (0.2 s here)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    answer = await kcp.approve(kcp.auth(), headers={FAULT: "slow"})
    assert loop.time() - started >= 0.2
    assert answer["res_cd"] == "0000"


async def test_a_timeout_processes_the_payment_and_holds_the_answer(kcp: Kcp, live_url: str) -> None:
    """``timeout``: the client gives up (httpx timeout < hold_seconds), yet the payment exists:
    inquiry finds it approved, and the auth cannot be approved a second time."""
    auth = kcp.auth(amount=1004)
    async with httpx.AsyncClient(base_url=live_url, timeout=httpx.Timeout(0.5)) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.post(APPROVE, json=kcp.approval_request(auth), headers={FAULT: "timeout"})
    [transaction] = kcp.sandbox.ledger.find("transaction", ordr_idxx=auth["ordr_idxx"])
    inquiry = await kcp.inquire(transaction["tno"])
    assert (inquiry["res_cd"], inquiry["stat_ca_cd"], inquiry["amount"]) == ("0000", "STSR", "1004")
    assert (await kcp.approve(auth))["res_cd"] == "9106"


@pytest.mark.parametrize(
    ("amount", "status"),
    [(91002, 500), (91003, 502)],
)
async def test_magic_amounts_break_the_answer(kcp: Kcp, amount: int, status: int) -> None:
    """``amount`` 91002 answers 500 and 91003 answers 502, charging nothing."""
    response = await kcp.post(HUB, kcp.keyin_request(amount=amount))
    assert response.status_code == status
    assert kcp.sandbox.ledger.all("transaction") == []


async def test_a_magic_ordr_mony_answers_malformed(kcp: Kcp) -> None:
    """``ordr_mony`` 91004 answers a non-JSON body and leaves the auth unused."""
    auth = kcp.auth(amount=91004)
    response = await kcp.post(APPROVE, kcp.approval_request(auth))
    assert_not_json(response.content)
    stored = kcp.sandbox.ledger.get("auth", auth["enc_data"])
    assert stored is not None
    assert stored["used_by_tno"] == ""


async def test_a_magic_amount_answers_slowly(kcp: Kcp) -> None:
    """``amount`` 91005 answers normally after slow_seconds."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    answer = await kcp.keyin(amount=91005)
    assert loop.time() - started >= 0.2
    assert answer["res_cd"] == "0000"


async def test_a_magic_amount_declines(kcp: Kcp) -> None:
    """``amount`` 91016 declines with 8016 and charges nothing."""
    batch_key = await kcp.issue_batch_key()
    assert (await kcp.batch_pay(batch_key, 91016))["res_cd"] == "8016"
    assert kcp.sandbox.ledger.all("transaction") == []


async def test_a_magic_mod_mny_breaks_the_cancel_and_cancels_nothing(kcp: Kcp) -> None:
    """``mod_mny`` 91002 answers 500 before the partial cancel is processed."""
    paid = await kcp.pay("PACA", 100000)
    request = kcp.cancel_request(paid["tno"], "STPC", mod_mny="91002", rem_mny="100000")
    assert (await kcp.post(CANCEL, request)).status_code == 500
    assert kcp.transaction(paid["tno"])["rem_mny"] == 100000


async def test_a_magic_amount_timeout_holds_the_answer_after_charging(kcp: Kcp) -> None:
    """``amount`` 91001: the key-in payment is made, the answer never comes in time."""
    request = kcp.keyin_request(amount=91001)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(kcp.post(HUB, request), timeout=0.3)
    [transaction] = kcp.sandbox.ledger.find("transaction", ordr_idxx=request["ordr_idxx"])
    assert transaction["amount"] == 91001


async def test_a_card_scenario_http500_changes_nothing(kcp: Kcp) -> None:
    """An auth made with card 4000000000000051 answers 500 and stays unused."""
    auth = kcp.auth(scenario="card_http500")
    response = await kcp.post(APPROVE, kcp.approval_request(auth))
    assert response.status_code == 500
    stored = kcp.sandbox.ledger.get("auth", auth["enc_data"])
    assert stored is not None
    assert stored["used_by_tno"] == ""
    assert kcp.sandbox.ledger.all("transaction") == []


async def test_a_card_scenario_malformed_on_key_in(kcp: Kcp) -> None:
    """Key-in card 4000000000000069 answers a malformed body and charges nothing."""
    response = await kcp.post(HUB, kcp.keyin_request("4000000000000069"))
    assert_not_json(response.content)
    assert kcp.sandbox.ledger.all("transaction") == []


async def test_a_card_timeout_stored_on_a_batch_key_holds_every_payment(kcp: Kcp) -> None:
    """A key issued for card 4000000000000044 issues normally; each payment is made but its
    answer is held."""
    batch_key = await kcp.issue_batch_key(scenario="card_timeout")
    request = kcp.batch_pay_request(batch_key)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(kcp.post(HUB, request), timeout=0.3)
    [transaction] = kcp.sandbox.ledger.find("transaction", ordr_idxx=request["ordr_idxx"])
    assert transaction["batch_key"] == batch_key


async def test_unknown_fault_headers_are_ignored(kcp: Kcp) -> None:
    """A header value that names no fault changes nothing."""
    assert (await kcp.approve(kcp.auth(), headers={FAULT: "explode"}))["res_cd"] == "0000"
