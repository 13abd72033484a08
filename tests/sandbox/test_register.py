"""Trade registration ``/std/tradeReg/register`` (kcp.md §6.2, §10.2)."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
from fastapi import FastAPI

from homeport.sandbox.context import Sandbox
from tests.sandbox.kcp import BATCH, GENERAL, REGISTER, Kcp, new_order

TRADE_FIELDS = {
    "approvalKey",
    "traceNo",
    "site_cd",
    "ordr_idxx",
    "good_mny",
    "good_name",
    "pay_method",
    "Ret_URL",
    "escw_used",
    "registered_at",
    "fields",
}


def registration(kcp: Kcp, site_cd: str = GENERAL, **overrides: str) -> dict[str, str]:
    body = {
        **kcp.creds(site_cd),
        "ordr_idxx": new_order(),
        "good_mny": "1004",
        "good_name": "테스트 상품",
        "pay_method": "CARD",
        "Ret_URL": "https://shop.example/kcp/return",
        "user_agent": "Mozilla/5.0 (iPhone)",
        "escw_used": "N",
        "buyr_name": "홍길동",
    }
    body.update(overrides)
    return body


async def test_registration_answers_code_message_approval_key_trace_no_and_pay_url(kcp: Kcp) -> None:
    """Registration answers Code/Message (not res_cd), a 44-char base64 approvalKey, a traceNo of
    site_cd + 11 upper-case alphanumerics, the sandbox's mobile window as PayUrl and a hash."""
    request = registration(kcp)
    answer = await kcp.call(REGISTER, request)
    assert answer["Code"] == "0000"
    assert answer["Message"] == "정상처리"
    assert "res_cd" not in answer
    assert len(answer["approvalKey"]) == 44
    assert len(base64.b64decode(answer["approvalKey"], validate=True)) == 32
    assert re.fullmatch(r"T0000[A-Z0-9]{11}", answer["traceNo"])
    assert answer["PayUrl"] == "http://sandbox.test/pay/mobileGW.kcp"
    expected = hashlib.sha256(f"T0000{request['ordr_idxx']}1004".encode()).hexdigest()
    assert answer["hashData"] == expected


async def test_registration_stores_a_trade_keyed_by_approval_key(kcp: Kcp, sandbox: Sandbox) -> None:
    """The trade record has exactly the Trade fields; the other request fields are kept in
    ``fields`` (the certificate is not)."""
    request = registration(kcp)
    answer = await kcp.call(REGISTER, request)
    trade = sandbox.ledger.get("trade", answer["approvalKey"])
    assert trade is not None
    assert set(trade) == TRADE_FIELDS
    assert trade["good_mny"] == 1004
    assert trade["traceNo"] == answer["traceNo"]
    assert trade["ordr_idxx"] == request["ordr_idxx"]
    assert trade["registered_at"] == "20260302100000"
    assert trade["fields"] == {"user_agent": "Mozilla/5.0 (iPhone)", "buyr_name": "홍길동"}


async def test_batch_key_registration_takes_a_zero_amount(kcp: Kcp) -> None:
    """``pay_method=AUTH`` registrations may carry ``good_mny=0`` (kcp.md §6.2); payments may not."""
    answer = await kcp.call(REGISTER, registration(kcp, BATCH, pay_method="AUTH", good_mny="0"))
    assert answer["Code"] == "0000"
    assert answer["traceNo"].startswith("A52Q7")
    card = await kcp.call(REGISTER, registration(kcp, pay_method="CARD", good_mny="0"))
    assert card["Code"] == "9105"


async def test_pay_url_follows_the_mount_point(sandbox_app: FastAPI, kcp: Kcp) -> None:
    """Mounted under /sandbox, PayUrl points under /sandbox too."""
    host = FastAPI()
    host.mount("/sandbox", sandbox_app)
    transport = httpx.ASGITransport(app=host)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
        response = await http.post("/sandbox/std/tradeReg/register", json=registration(kcp))
    assert response.json()["PayUrl"] == "http://gateway.test/sandbox/pay/mobileGW.kcp"


async def test_registration_errors_answer_code_and_message_naming_the_field(kcp: Kcp) -> None:
    """A missing field answers 9104 naming it; an unknown pay_method 9105; both as Code/Message."""
    request = registration(kcp)
    del request["Ret_URL"]
    missing = await kcp.call(REGISTER, request)
    assert missing["Code"] == "9104"
    assert "Ret_URL" in missing["Message"]
    assert set(missing) == {"Code", "Message"}
    wrong = await kcp.call(REGISTER, registration(kcp, pay_method="PAYPAL"))
    assert wrong["Code"] == "9105"
    assert "pay_method" in wrong["Message"]


async def test_registration_refuses_amounts_that_are_not_digits(kcp: Kcp, sandbox: Sandbox) -> None:
    """``good_mny`` is a string of digits; anything else answers 9105 and stores nothing."""
    for bad in ("1,004", "-5", "10.5", "１２"):
        answer = await kcp.call(REGISTER, registration(kcp, good_mny=bad))
        assert answer["Code"] == "9105", bad
    assert sandbox.ledger.all("trade") == []


async def test_registration_refuses_long_order_numbers(kcp: Kcp) -> None:
    """``ordr_idxx`` is at most 40 characters (kcp.md §2)."""
    answer = await kcp.call(REGISTER, registration(kcp, ordr_idxx="X" * 41))
    assert answer["Code"] == "9105"
    assert "ordr_idxx" in answer["Message"]
