"""Amount pre-registration (/payments/prepare, iamport-v1 §4.2) and the code tables (§4.9)."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture
def auth(token_a: str) -> dict[str, str]:
    return {"Authorization": token_a}


async def test_a_registered_amount_reads_back_and_can_be_changed(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """POST registers, GET reads, PUT changes; each answers {merchant_uid, amount, currency}."""
    posted = await api.post("/payments/prepare", json={"merchant_uid": "o-1", "amount": 39000}, headers=auth)
    changed = await api.put(
        "/payments/prepare", json={"merchant_uid": "o-1", "amount": 41000, "currency": "krw"}, headers=auth
    )
    read = await api.get("/payments/prepare/o-1", headers=auth)

    assert posted.json() == {
        "code": 0,
        "message": None,
        "response": {"amount": 39000, "currency": None, "merchant_uid": "o-1"},
    }
    assert changed.json()["response"] == {"amount": 41000, "currency": "KRW", "merchant_uid": "o-1"}
    assert read.json()["response"] == changed.json()["response"]


async def test_registering_the_same_amount_twice_is_harmless_but_another_amount_is_refused(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """A retried POST succeeds; a POST with another amount must use PUT instead."""
    body = {"merchant_uid": "o-2", "amount": 1000}
    await api.post("/payments/prepare", json=body, headers=auth)

    again = await api.post("/payments/prepare", json=body, headers=auth)
    other = await api.post("/payments/prepare", json={**body, "amount": 2000}, headers=auth)

    assert again.status_code == 200
    assert other.status_code == 400
    assert "PUT /payments/prepare" in other.json()["message"]
    assert (await api.get("/payments/prepare/o-2", headers=auth)).json()["response"]["amount"] == 1000


async def test_nothing_registered_is_404_with_the_contracts_message(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """GET and PUT on an unregistered merchant_uid: 404 사전등록된 결제정보가 존재하지 않습니다."""
    read = await api.get("/payments/prepare/nothing", headers=auth)
    changed = await api.put("/payments/prepare", json={"merchant_uid": "nothing", "amount": 5}, headers=auth)

    for answer in (read, changed):
        assert answer.status_code == 404
        assert answer.json()["message"] == "사전등록된 결제정보가 존재하지 않습니다."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"merchant_uid": "o-3", "amount": "1000"}, "send a JSON number"),
        ({"merchant_uid": "o-3", "amount": 10.5}, "정수"),
        ({"merchant_uid": "o-3"}, "amount 파라메터가 누락"),
        ({"amount": 1000}, "merchant_uid 파라메터가 누락"),
        ({"merchant_uid": "x" * 41, "amount": 1000}, "merchant_uid"),
        ({"merchant_uid": "o-3", "amount": 1000, "currency": "won!"}, "currency"),
    ],
)
async def test_bad_registrations_are_400_with_a_clear_message(
    api: httpx.AsyncClient, auth: dict[str, str], body: dict[str, object], message: str
) -> None:
    """A string or fractional amount, missing fields, a long merchant_uid, a bad currency."""
    answer = await api.post("/payments/prepare", json=body, headers=auth)

    assert answer.status_code == 400
    assert message in answer.json()["message"]


async def test_form_encoded_registrations_carry_the_amount_as_text(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """go-iamport posts prepare as a form; there "1000" is the number 1000."""
    answer = await api.post(
        "/payments/prepare/", data={"merchant_uid": "o-4", "amount": "1000"}, headers=auth
    )

    assert answer.json()["response"]["amount"] == 1000


async def test_registrations_are_per_merchant(
    api: httpx.AsyncClient, auth: dict[str, str], token_b: str
) -> None:
    """Another merchant neither sees nor collides with this merchant's merchant_uid."""
    await api.post("/payments/prepare", json={"merchant_uid": "shared", "amount": 1000}, headers=auth)
    other = {"Authorization": token_b}

    hidden = await api.get("/payments/prepare/shared", headers=other)
    theirs = await api.post("/payments/prepare", json={"merchant_uid": "shared", "amount": 7}, headers=other)

    assert hidden.status_code == 404
    assert theirs.json()["response"]["amount"] == 7


async def test_code_tables_list_banks_and_cards_and_look_one_up(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """GET /banks and /cards list {code, name}; an unknown code is 404."""
    banks = (await api.get("/banks", headers=auth)).json()["response"]
    card = (await api.get("/cards/366", headers=auth)).json()["response"]
    unknown = await api.get("/banks/999", headers=auth)

    assert {"code": "090", "name": "카카오뱅크"} in banks
    assert card == {"code": "366", "name": "신한카드"}
    assert unknown.status_code == 404
    assert (await api.get("/banks")).status_code == 401
