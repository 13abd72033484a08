"""POST /users/getToken and how tokens are presented (iamport-v1 §2)."""

from __future__ import annotations

import httpx
import pytest

from homeport.clock import FakeClock
from homeport.domain.merchants.models import CreatedMerchant

UNKNOWN = "/payments/imp_000000000000"


async def get_token(api: httpx.AsyncClient, merchant: CreatedMerchant) -> dict[str, object]:
    answer = await api.post(
        "/users/getToken", json={"imp_key": merchant.imp_key, "imp_secret": merchant.imp_secret}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["code"] == 0
    assert body["message"] is None
    return dict(body["response"])


async def test_a_token_lives_thirty_minutes_from_issue(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, clock: FakeClock
) -> None:
    """A fresh token: 40 hex characters, ``now`` is the server's time, 1800 s to live."""
    token = await get_token(api, merchant_a)

    assert len(str(token["access_token"])) == 40
    assert token["now"] == clock.now()
    assert token["expired_at"] == clock.now() + 1800


async def test_asking_again_while_valid_returns_the_same_token_and_expiry(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, clock: FakeClock
) -> None:
    """Clients that call getToken before every request reuse one token."""
    first = await get_token(api, merchant_a)
    clock.advance(173)

    second = await get_token(api, merchant_a)

    assert second["access_token"] == first["access_token"]
    assert second["expired_at"] == first["expired_at"]
    assert second["now"] == first["now"] + 173


async def test_asking_in_the_last_minute_extends_the_token_by_five_minutes(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, clock: FakeClock
) -> None:
    """The existing token gets five more minutes instead of being replaced."""
    first = await get_token(api, merchant_a)
    clock.advance(1800 - 30)

    second = await get_token(api, merchant_a)

    assert second["access_token"] == first["access_token"]
    assert second["expired_at"] == int(str(first["expired_at"])) + 300


async def test_an_expired_token_is_refused_and_a_new_one_issued(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, clock: FakeClock
) -> None:
    """After 30 minutes the old token gets 401 and getToken issues a different one."""
    first = await get_token(api, merchant_a)
    clock.advance(1800)

    refused = await api.get(UNKNOWN, headers={"Authorization": str(first["access_token"])})
    second = await get_token(api, merchant_a)

    assert refused.status_code == 401
    assert second["access_token"] != first["access_token"]
    assert second["expired_at"] == clock.now() + 1800


async def test_form_encoded_credentials_work_like_json(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant
) -> None:
    """iamporter and go-iamport post getToken as a form."""
    answer = await api.post(
        "/users/getToken", data={"imp_key": merchant_a.imp_key, "imp_secret": merchant_a.imp_secret}
    )

    assert answer.status_code == 200
    assert answer.json()["response"]["access_token"] == (await get_token(api, merchant_a))["access_token"]


@pytest.mark.parametrize(
    "credentials",
    [
        {"imp_key": "wrong", "imp_secret": "wrong"},
        {"imp_key": "KEY", "imp_secret": "not-the-secret"},
    ],
)
async def test_wrong_credentials_get_401_in_the_envelope(
    api: httpx.AsyncClient, merchant_a: CreatedMerchant, credentials: dict[str, str]
) -> None:
    """A wrong key or secret is 401 with a JSON message, never a token."""
    body = {k: (merchant_a.imp_key if v == "KEY" else v) for k, v in credentials.items()}

    answer = await api.post("/users/getToken", json=body)

    assert answer.status_code == 401
    assert answer.json()["code"] != 0
    assert isinstance(answer.json()["message"], str)
    assert answer.json()["response"] is None


@pytest.mark.parametrize(
    "body", [{}, {"imp_key": "k"}, {"imp_secret": "s"}, {"imp_key": "", "imp_secret": ""}]
)
async def test_missing_credentials_get_the_contracts_message(
    api: httpx.AsyncClient, body: dict[str, str]
) -> None:
    """The exact text i'mport answers when a credential is missing."""
    answer = await api.post("/users/getToken", json=body)

    assert answer.status_code == 400
    assert answer.json()["message"] == "imp_key, imp_secret 파라메터가 누락되었습니다."


async def test_non_string_credentials_are_a_clear_error(api: httpx.AsyncClient) -> None:
    """Numbers or objects as credentials are 400, not a crash."""
    answer = await api.post("/users/getToken", json={"imp_key": {"a": 1}, "imp_secret": 5})

    assert answer.status_code == 400
    assert "문자열" in answer.json()["message"]


@pytest.mark.parametrize(
    "headers",
    [
        lambda t: {"Authorization": t},
        lambda t: {"Authorization": f"Bearer {t}"},
        lambda t: {"Authorization": f"bearer   {t}"},
        lambda t: {"X-ImpTokenHeader": t},
        lambda t: {"Authorization": t, "X-ImpTokenHeader": "garbage"},
    ],
    ids=["raw", "bearer", "bearer-lowercase", "x-imptokenheader", "authorization-wins"],
)
async def test_the_token_is_accepted_in_every_form_clients_send(
    api: httpx.AsyncClient, token_a: str, headers: object
) -> None:
    """Raw, Bearer and X-ImpTokenHeader all authenticate; Authorization wins over the other."""
    answer = await api.get(UNKNOWN, headers=headers(token_a))  # type: ignore[operator]

    assert answer.status_code == 404  # authenticated; the payment just does not exist


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer "},
        {"Authorization": "x" * 40},
        {"X-ImpTokenHeader": "nope"},
    ],
    ids=["none", "empty", "bearer-empty", "unknown-40", "unknown-legacy"],
)
async def test_requests_without_a_valid_token_get_401(
    api: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """Missing, empty or unknown tokens are 401 with the envelope and the challenge header."""
    answer = await api.get(UNKNOWN, headers=headers)

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "iamport"
    assert answer.json()["response"] is None
    assert "access_token" in answer.json()["message"]
