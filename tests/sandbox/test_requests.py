"""Bad input never breaks the sandbox: HTTP 200 JSON with a KCP error code, never a 500."""

from __future__ import annotations

import pytest

from tests.sandbox.kcp import ENDPOINTS, HUB, REGISTER, Kcp

BAD_BODIES = [
    pytest.param(b"", id="empty"),
    pytest.param(b"site_cd=T0000&amount=1000", id="form-encoded"),
    pytest.param(b'{"site_cd": "T0000",', id="truncated"),
    pytest.param(b"[1, 2, 3]", id="array"),
    pytest.param(b'"T0000"', id="string"),
    pytest.param(b"\xff\xfe\x00", id="not-utf8"),
    pytest.param(b'{"site_cd": "T0000", "amount": 1000}', id="number-value"),
    pytest.param(b'{"site_cd": null}', id="null-value"),
    pytest.param(b'{"site_cd": {"nested": "x"}}', id="object-value"),
    pytest.param(b"[" * 100_000, id="deep-nesting"),
]


@pytest.mark.parametrize("body", BAD_BODIES)
async def test_a_body_that_is_not_a_json_object_of_strings_answers_9105(kcp: Kcp, body: bytes) -> None:
    """Non-JSON, non-object or non-string values answer 9105 as HTTP 200 JSON on every endpoint."""
    for path in ENDPOINTS:
        answer = await kcp.call(path, body)
        code = answer["Code"] if path == REGISTER else answer["res_cd"]
        assert code == "9105", path


@pytest.mark.parametrize("amount", ["", "abc", "-1", "1e3", "0x10", " 100", "١٢٣", "9" * 13, "9" * 5000, "0"])
async def test_amounts_that_are_not_plain_digits_answer_a_kcp_error(kcp: Kcp, amount: str) -> None:
    """Amount fields take ASCII digits only (at most 12); anything else is refused by name."""
    request = kcp.keyin_request()
    request["amount"] = amount
    del request["card_mny"]
    answer = await kcp.call(HUB, request)
    assert answer["res_cd"] in {"9104", "9105"}
    assert "amount" in answer["res_msg"]


async def test_korean_messages_arrive_as_utf8(kcp: Kcp) -> None:
    """Answers are UTF-8 JSON with Korean unescaped (kcp.md §2)."""
    response = await kcp.post("/gw/hub/v1/payment", b"not json")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "파라미터".encode() in response.content
