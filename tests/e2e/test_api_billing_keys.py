"""Billing keys (/subscribe/customers, iamport-v1 §4.3, §5.5, §8) against the embedded sandbox."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from homeport.domain.errors import PgOutcomeUnknown, PgUnavailable
from homeport.services import Services
from homeport.store.tables import billing_keys

CARD = {"card_number": "4111-1111-1111-1111", "expiry": "2031-12", "birth": "800101", "pwd_2digit": "12"}
# 4000-0000-0000-0002 declines only at a charge (limit exceeded); this one at issuance.
DECLINED_CARD = {**CARD, "card_number": "4000-0000-0000-0028"}
CUSTOMER = {
    "customer_name": "홍길동",
    "customer_tel": "010-1234-5678",
    "customer_email": "hong@example.com",
    "customer_addr": "서울특별시 중구",
    "customer_postcode": "04524",
}
CUSTOMER_KEYS = [
    "card_code",
    "card_issuer_code",
    "card_issuer_name",
    "card_name",
    "card_number",
    "card_publisher_code",
    "card_publisher_name",
    "card_type",
    "customer_addr",
    "customer_email",
    "customer_id",
    "customer_name",
    "customer_postcode",
    "customer_tel",
    "customer_uid",
    "inserted",
    "pg_id",
    "pg_provider",
    "sandbox",
    "updated",
]


@pytest.fixture
def auth(token_a: str) -> dict[str, str]:
    return {"Authorization": token_a}


async def issue(api: httpx.AsyncClient, auth: dict[str, str], uid: str, **extra: str) -> httpx.Response:
    return await api.post(f"/subscribe/customers/{uid}", json={**CARD, **CUSTOMER, **extra}, headers=auth)


def not_found(uid: str) -> dict[str, object]:
    return {
        "code": 1,
        "message": f"요청하신 customer_uid({uid})로 등록된 정보를 찾을 수 없습니다.",
        "response": None,
    }


async def test_an_issued_key_reads_back_as_the_customer_object(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """POST issues at KCP (the billing channel A52Q7), GET answers the same Customer object."""
    issued = await issue(api, auth, "cust-1", customer_uid="cust-1", pg="kcp")
    read = await api.get("/subscribe/customers/cust-1", headers=auth)

    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["code"] == 0
    customer = body["response"]
    assert list(customer) == CUSTOMER_KEYS
    assert customer["customer_uid"] == "cust-1"
    assert customer["pg_provider"] == "kcp"
    assert customer["pg_id"] == "A52Q7"
    assert customer["sandbox"] is True
    assert customer["card_number"] == "411111******1111"
    assert customer["customer_name"] == "홍길동"
    assert customer["customer_postcode"] == "04524"
    assert customer["inserted"] == customer["updated"] > 0
    assert read.json() == body


async def test_the_list_accepts_every_array_form_and_reports_partial_and_none(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """customer_uid[]=, customer_uid[0]=, repeated customer_uid=; 207 partial, 404 none."""
    await issue(api, auth, "a")
    await issue(api, auth, "b")

    for query in (
        "customer_uid[]=a&customer_uid[]=b",
        "customer_uid%5B%5D=a&customer_uid%5B%5D=b",
        "customer_uid[0]=a&customer_uid[1]=b",
        "customer_uid=a&customer_uid=b",
    ):
        answer = await api.get(f"/subscribe/customers?{query}", headers=auth)
        assert answer.status_code == 200, query
        assert [c["customer_uid"] for c in answer.json()["response"]] == ["a", "b"]

    partial = await api.get("/subscribe/customers?customer_uid[]=a&customer_uid[]=zz", headers=auth)
    none = await api.get("/subscribe/customers?customer_uid[]=zz", headers=auth)
    missing = await api.get("/subscribe/customers", headers=auth)

    assert partial.status_code == 207
    assert [c["customer_uid"] for c in partial.json()["response"]] == ["a"]
    assert none.status_code == 404
    assert none.json()["response"] is None
    assert missing.status_code == 400


async def test_a_deleted_key_is_gone_with_the_contracts_message(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    """DELETE deletes at KCP and answers the Customer; GET/DELETE afterwards: 200 code 1."""
    await issue(api, auth, "gone")
    deleted = await api.delete("/subscribe/customers/gone?reason=bye&extra[requester]=customer", headers=auth)
    read = await api.get("/subscribe/customers/gone", headers=auth)
    again = await api.delete("/subscribe/customers/gone", headers=auth)

    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["response"]["customer_uid"] == "gone"
    assert read.status_code == 200
    assert read.json() == not_found("gone")
    assert again.json() == not_found("gone")
    assert (await api.get("/subscribe/customers/never", headers=auth)).json() == not_found("never")


async def test_reusing_a_customer_uid_replaces_the_key(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, clock: object
) -> None:
    """The second issuance wins (a new batch key and card); inserted is kept, updated moves."""
    first = (await issue(api, auth, "re")).json()["response"]
    clock.advance(60)  # type: ignore[attr-defined]
    second = await api.post(
        "/subscribe/customers/re",
        json={"card_number": "5555-5555-5555-4444", "expiry": "2030-01", "customer_name": "김철수"},
        headers=auth,
    )
    keys = await _rows(services)

    assert second.status_code == 200, second.text
    replaced = second.json()["response"]
    assert replaced["card_number"] == "555555******4444"
    assert replaced["customer_name"] == "김철수"
    assert replaced["customer_tel"] is None
    assert replaced["inserted"] == first["inserted"]
    assert replaced["updated"] == first["updated"] + 60
    assert len(keys) == 1
    assert (await api.get("/subscribe/customers/re", headers=auth)).json()["response"] == replaced


async def test_a_declined_card_is_code_minus_one_and_nothing_is_stored(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    """The sandbox's decline card: HTTP 200, code -1, the contract's text plus KCP's reason."""
    answer = await api.post("/subscribe/customers/no", json=DECLINED_CARD, headers=auth)

    assert answer.status_code == 200
    body = answer.json()
    assert body["code"] == -1
    assert body["response"] is None
    assert body["message"].startswith("카드정보 인증 및 빌키 발급에 실패하였습니다. (")
    assert await _rows(services) == []


@pytest.mark.parametrize(("error", "status"), [(PgUnavailable, 503), (PgOutcomeUnknown, 500)])
async def test_a_pg_failure_answers_its_envelope_and_stores_nothing(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    error: type[Exception],
    status: int,
) -> None:
    """PgUnavailable and PgOutcomeUnknown keep their statuses; no key is kept.

    The sandbox's faults apply to charges, not to key-in issuance, so here the connector's
    failure is substituted; how the connector classifies real failures is tested against real
    servers in tests/unit/pg/test_client.py and tests/conformance.
    """

    async def failing(*_args: object, **_kwargs: object) -> None:
        raise error()

    channel = await services.gateway.channel_for((await _merchant_id(services)), billing=True)
    monkeypatch.setattr(services.gateway.connector(channel), "issue_billing_key_keyin", failing)
    answer = await issue(api, auth, "fail")

    assert answer.status_code == status
    assert answer.json()["code"] == -1
    assert await _rows(services) == []


async def test_the_key_and_the_card_never_reach_the_database_in_clear(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    """The raw row holds a sealed key (no 16-digit run) and only a masked card number."""
    await issue(api, auth, "sealed")
    merchant_id = await _merchant_id(services)
    key = (await services.billing_keys.get(merchant_id, "sealed")).billing_key
    (row,) = await _rows(services)
    raw = " ".join(str(v) for v in row.values())

    assert len(key) == 16
    assert key not in raw
    assert "4111111111111111" not in raw
    assert "4111-1111-1111-1111" not in raw
    assert "800101" not in raw
    assert row["card_number"] == "411111******1111"


async def test_another_merchants_customer_uid_is_not_visible(
    api: httpx.AsyncClient, auth: dict[str, str], token_b: str
) -> None:
    """B cannot read, list or delete A's key; B without a billing channel cannot issue."""
    await issue(api, auth, "mine")
    other = {"Authorization": token_b}

    assert (await api.get("/subscribe/customers/mine", headers=other)).json() == not_found("mine")
    assert (await api.delete("/subscribe/customers/mine", headers=other)).json() == not_found("mine")
    assert (await api.get("/subscribe/customers?customer_uid[]=mine", headers=other)).status_code == 404
    refused = await issue(api, other, "mine")
    assert refused.json()["code"] == 1
    assert (await api.get("/subscribe/customers/mine", headers=auth)).json()["code"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"expiry": "2031-12"}, "card_number 파라메터가 누락"),
        ({"card_number": "4111-1111-1111-1111"}, "expiry 파라메터가 누락"),
        ({"card_number": "4111-abcd", "expiry": "2031-12"}, "card_number는"),
        ({**CARD, "customer_name": "x" * 21}, "customer_name는 20자"),
    ],
)
async def test_bad_requests_are_400_without_echoing_the_card(
    api: httpx.AsyncClient, auth: dict[str, str], body: dict[str, str], message: str
) -> None:
    answer = await api.post("/subscribe/customers/bad", json=body, headers=auth)

    assert answer.status_code == 400
    assert message in answer.json()["message"]
    assert "4111" not in answer.json()["message"]


async def test_a_form_encoded_issuance_works(api: httpx.AsyncClient, auth: dict[str, str]) -> None:
    """iamporter sends forms."""
    answer = await api.post("/subscribe/customers/form", data={**CARD, **CUSTOMER}, headers=auth)

    assert answer.json()["code"] == 0, answer.text


async def _merchant_id(services: Services) -> int:
    summaries = [s for s in await services.merchants.list() if s.merchant.name == "Shop A"]
    return summaries[0].merchant.id


async def _rows(services: Services) -> list[dict[str, object]]:
    async with services.engine.connect() as connection:
        result = await connection.execute(select(billing_keys))
        return [dict(row) for row in result.mappings()]
