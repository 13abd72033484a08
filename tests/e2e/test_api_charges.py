"""Server-side charges: ``/subscribe/payments/again``, ``/onetime``, ``/foreign`` (iamport-v1 §4.4)
against the embedded KCP sandbox, and the money rules behind them (DESIGN invariants)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from homeport.domain.errors import PgUnavailable
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.attempts import AttemptOperation, AttemptState
from homeport.domain.payments.models import PaymentStatus
from homeport.pg import base as pg
from homeport.services import Services
from tests.support import ConnectorSpy

CARD = {"card_number": "4111-1111-1111-1111", "expiry": "2031-12", "birth": "800101", "pwd_2digit": "12"}
#: Issues a key, then every charge on it is declined with 8016 (limit exceeded; docs/sandbox.md).
LIMIT_CARD = {**CARD, "card_number": "4000-0000-0000-0002"}
#: Refused already when a key is issued (8107 invalid card number).
INVALID_CARD = {**CARD, "card_number": "4000-0000-0000-0028"}
#: Sandbox amounts: 91002 answers HTTP 500 (the outcome is unknown), 91004 a truncated body.
AMOUNT_HTTP500 = 91002
AMOUNT_MALFORMED = 91004
IMP_UID = re.compile(r"^imp_\d{12}$")


@pytest.fixture
def auth(token_a: str) -> dict[str, str]:
    return {"Authorization": token_a}


async def add_key(
    api: httpx.AsyncClient, auth: dict[str, str], uid: str, card: dict[str, str] = CARD
) -> None:
    issued = await api.post(
        f"/subscribe/customers/{uid}",
        json={**card, "customer_name": "홍길동", "customer_tel": "01012345678"},
        headers=auth,
    )
    assert issued.json()["code"] == 0, issued.text


async def again(api: httpx.AsyncClient, auth: dict[str, str], **fields: Any) -> httpx.Response:
    body = {
        "customer_uid": "cust-1",
        "merchant_uid": "order-1",
        "amount": 15000,
        "name": "정기구독 1월",
    } | fields
    return await api.post("/subscribe/payments/again", json=body, headers=auth)


def approvals(services: Services) -> list[dict[str, Any]]:
    """Every transaction the sandbox approved (its own ledger: what KCP would bill)."""
    assert services.sandbox is not None
    return services.sandbox.ledger.all("transaction")


# --- again ---------------------------------------------------------------------------------


async def test_again_charges_the_billing_key_and_answers_a_paid_payment(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    await add_key(api, auth, "cust-1")

    answer = await again(api, auth, buyer_email="buyer@example.com", custom_data={"plan": "gold"})

    assert answer.status_code == 200
    body = answer.json()
    assert body["code"] == 0
    assert body["message"] is None
    paid = body["response"]
    assert IMP_UID.match(paid["imp_uid"])
    assert paid["status"] == "paid"
    assert paid["merchant_uid"] == "order-1"
    assert paid["amount"] == 15000
    assert paid["cancel_amount"] == 0
    assert paid["channel"] == "api"
    assert paid["pay_method"] == "card"
    assert paid["pg_provider"] == "kcp"
    assert paid["pg_id"] == "A52Q7"
    assert paid["customer_uid"] == "cust-1"
    assert paid["customer_uid_usage"] == "payment"
    assert paid["pg_tid"]
    assert paid["apply_num"]
    assert paid["card_number"] == "411111******1111"
    assert paid["paid_at"] > 0
    assert paid["failed_at"] == 0
    # Missing buyer fields come from the key's customer fields (§4.4).
    assert paid["buyer_name"] == "홍길동"
    assert paid["buyer_email"] == "buyer@example.com"
    assert paid["custom_data"] == '{"plan":"gold"}'
    fetched = await api.get(f"/payments/{paid['imp_uid']}", headers=auth)
    assert fetched.json()["response"] == paid
    assert [t["amount"] for t in approvals(services)] == [15000]


async def test_a_declined_again_is_a_failed_payment_answered_with_code_0(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """PortOne's billing guide: code 0 and ``status`` failed when the card company says no."""
    await add_key(api, auth, "cust-1", LIMIT_CARD)

    body = (await again(api, auth)).json()

    assert body["code"] == 0
    failed = body["response"]
    assert failed["status"] == "failed"
    assert failed["fail_reason"].startswith("[8016]")
    assert failed["failed_at"] > 0
    assert failed["paid_at"] == 0


async def test_a_failed_merchant_uid_may_be_charged_again(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    await add_key(api, auth, "declining", LIMIT_CARD)
    await add_key(api, auth, "good")

    first = (await again(api, auth, customer_uid="declining")).json()["response"]
    second = (await again(api, auth, customer_uid="good")).json()["response"]

    assert (first["status"], second["status"]) == ("failed", "paid")
    assert first["imp_uid"] != second["imp_uid"]
    history = (await api.get("/payments/findAll/order-1", headers=auth)).json()["response"]
    assert history["total"] == 2


async def test_again_with_a_paid_merchant_uid_is_refused_and_charges_nothing(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    await add_key(api, auth, "cust-1")
    await again(api, auth)

    duplicate = await again(api, auth, amount=20000)

    assert duplicate.status_code == 200
    assert duplicate.json()["code"] == 1
    assert "order-1" in duplicate.json()["message"]
    assert duplicate.json()["response"] is None
    assert len(approvals(services)) == 1


async def test_again_with_an_unknown_customer_uid_answers_code_1(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    answer = await again(api, auth, customer_uid="nobody")

    assert answer.status_code == 200
    assert answer.json() == {"code": 1, "message": "등록되지 않은 구매자입니다.", "response": None}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "15000"}, "문자열이 아닌 숫자"),
        ({"amount": 0}, "1원 이상"),
        ({"amount": 1500.5}, "정수"),
        ({"card_quota": 3, "amount": 49999}, "50,000원 이상"),
        ({"currency": "USD"}, "KRW"),
        ({"tax_free": 20000}, "tax_free"),
        ({"merchant_uid": "x" * 41}, "merchant_uid"),
    ],
)
async def test_again_refuses_invalid_orders_before_anything_is_stored(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, fields: dict[str, Any], message: str
) -> None:
    await add_key(api, auth, "cust-1")

    answer = await again(api, auth, **fields)

    assert answer.status_code == 400
    assert answer.json()["code"] == -1
    assert message in answer.json()["message"]
    assert approvals(services) == []
    assert (await api.get("/payments/status/all", headers=auth)).json()["response"]["total"] == 0


async def test_installments_from_50000_won_reach_the_payment(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await add_key(api, auth, "cust-1")

    paid = (await again(api, auth, amount=50000, card_quota=3)).json()["response"]

    assert paid["status"] == "paid"
    assert paid["card_quota"] == 3


async def test_again_accepts_a_form_encoded_body(api: httpx.AsyncClient, auth: dict[str, str]) -> None:
    """iamporter sends everything form-encoded; amounts are digits there."""
    await add_key(api, auth, "cust-1")

    answer = await api.post(
        "/subscribe/payments/again",
        data={"customer_uid": "cust-1", "merchant_uid": "form-1", "amount": "3000", "name": "폼"},
        headers=auth,
    )

    assert answer.json()["response"]["status"] == "paid"
    assert answer.json()["response"]["amount"] == 3000


async def test_a_prepared_amount_must_match(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    """§4.2: a payment whose amount differs from the pre-registered one is refused."""
    await add_key(api, auth, "cust-1")
    await api.post("/payments/prepare", json={"merchant_uid": "order-1", "amount": 10000}, headers=auth)

    refused = await again(api, auth, amount=15000)
    accepted = await again(api, auth, amount=10000)

    assert refused.status_code == 400
    assert "10000" in refused.json()["message"]
    assert "15000" in refused.json()["message"]
    assert accepted.json()["response"]["status"] == "paid"
    assert [t["amount"] for t in approvals(services)] == [10000]


# --- attempts and unknown outcomes ---------------------------------------------------------


async def test_the_payment_and_a_pending_attempt_are_stored_before_kcp_is_called(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, merchant_a: CreatedMerchant
) -> None:
    await add_key(api, auth, "cust-1")
    seen: list[tuple[PaymentStatus, list[AttemptState]]] = []

    async def look(_charge: pg.Charge) -> None:
        found = await services.payments.find(merchant_a.merchant.id, "order-1")
        attempts = await services.payments.attempts(merchant_a.merchant.id, found.imp_uid)
        seen.append((found.status, [a.state for a in attempts]))

    with ConnectorSpy(services, before_charge=look):
        paid = (await again(api, auth)).json()["response"]

    assert seen == [(PaymentStatus.READY, [AttemptState.PENDING])]
    attempts = await services.payments.attempts(merchant_a.merchant.id, paid["imp_uid"])
    assert [(a.operation, a.state, a.pg_tid) for a in attempts] == [
        (AttemptOperation.CHARGE, AttemptState.SUCCEEDED, paid["pg_tid"])
    ]


@pytest.mark.parametrize("amount", [AMOUNT_HTTP500, AMOUNT_MALFORMED])
async def test_an_unknown_outcome_leaves_the_payment_in_doubt_and_blocks_a_second_charge(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, merchant_a: CreatedMerchant, amount: int
) -> None:
    await add_key(api, auth, "cust-1")

    lost = await again(api, auth, amount=amount)
    retried = await again(api, auth, amount=amount)

    assert lost.status_code == 500
    assert lost.json()["code"] == -1
    assert "outcome unknown" in lost.json()["message"]
    in_doubt = await services.payments.find(merchant_a.merchant.id, "order-1")
    assert in_doubt.status is PaymentStatus.READY
    attempts = await services.payments.attempts(merchant_a.merchant.id, in_doubt.imp_uid)
    assert [a.state for a in attempts] == [AttemptState.UNKNOWN]
    # The retry must not reach KCP: the first charge may have gone through.
    assert retried.json()["code"] == 1
    assert (await api.get("/payments/findAll/order-1", headers=auth)).json()["response"]["total"] == 1


async def test_an_unreachable_pg_fails_the_payment_so_the_merchant_uid_can_be_retried(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, merchant_a: CreatedMerchant
) -> None:
    await add_key(api, auth, "cust-1")

    async def unreachable(_charge: pg.Charge) -> None:
        raise PgUnavailable

    with ConnectorSpy(services, before_charge=unreachable):
        refused = await again(api, auth)
    retried = await again(api, auth)

    assert refused.status_code == 503
    failed = await services.payments.find(merchant_a.merchant.id, "order-1", PaymentStatus.FAILED)
    attempts = await services.payments.attempts(merchant_a.merchant.id, failed.imp_uid)
    assert [a.state for a in attempts] == [AttemptState.UNAVAILABLE]
    assert retried.json()["response"]["status"] == "paid"


async def test_an_approval_of_another_amount_is_voided_and_the_payment_fails(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, merchant_a: CreatedMerchant
) -> None:
    """If KCP ever approved a different amount, homeport cancels it at once (void)."""
    await add_key(api, auth, "cust-1")

    with ConnectorSpy(services, approved_amount=lambda asked: asked + 1):
        failed = (await again(api, auth)).json()["response"]

    assert failed["status"] == "failed"
    assert "15001" in failed["fail_reason"]
    attempts = await services.payments.attempts(merchant_a.merchant.id, failed["imp_uid"])
    assert [(a.operation, a.state) for a in attempts] == [
        (AttemptOperation.CHARGE, AttemptState.SUCCEEDED),
        (AttemptOperation.VOID, AttemptState.SUCCEEDED),
    ]
    assert [t["status"] for t in approvals(services)] == ["STSC"]  # KCP: fully cancelled


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_fifty_concurrent_agains_with_one_merchant_uid_charge_once(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    await add_key(api, auth, "cust-1")

    answers = await asyncio.gather(*(again(api, auth) for _ in range(50)))

    codes = sorted(a.json()["code"] for a in answers)
    assert codes == [0] + [1] * 49
    assert len(approvals(services)) == 1
    page = (await api.get("/payments/findAll/order-1", headers=auth)).json()["response"]
    assert [p["status"] for p in page["list"]] == ["paid"]


# --- onetime and foreign -------------------------------------------------------------------


async def onetime(api: httpx.AsyncClient, auth: dict[str, str], **fields: Any) -> httpx.Response:
    body = {"merchant_uid": "key-in-1", "amount": 8000, "name": "단건", **CARD} | fields
    return await api.post("/subscribe/payments/onetime", json=body, headers=auth)


async def test_onetime_charges_a_typed_in_card_without_keeping_it(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    paid = (await onetime(api, auth)).json()["response"]

    assert paid["status"] == "paid"
    assert paid["amount"] == 8000
    assert paid["channel"] == "api"
    assert paid["customer_uid"] is None
    assert paid["customer_uid_usage"] is None
    assert paid["card_number"] == "411111******1111"
    assert (await api.get("/subscribe/customers/key-in-1", headers=auth)).json()["code"] == 1


async def test_onetime_with_customer_uid_keeps_the_card_as_a_billing_key(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    paid = (await onetime(api, auth, customer_uid="kept", customer_name="김철수")).json()["response"]
    later = (await again(api, auth, customer_uid="kept", merchant_uid="later")).json()["response"]

    assert paid["status"] == "paid"
    assert paid["customer_uid"] == "kept"
    assert paid["customer_uid_usage"] == "issue"
    key = (await api.get("/subscribe/customers/kept", headers=auth)).json()["response"]
    assert key["customer_name"] == "김철수"
    assert later["status"] == "paid"
    assert later["customer_uid_usage"] == "payment"


async def test_onetime_keeps_the_buyer_fields_as_the_customer_fields_of_the_new_key(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """i'mport's onetime description (quoted by iamporter and go-iamport): buyer_* are stored as
    the key's customer_*. Explicit customer_* win; a buyer value too long for the Customer
    field (customer_addr ≤ 200, §4.3) is left out, not cut. iamporter sends only buyer_*."""
    buyer = {
        "buyer_name": "홍길동",
        "buyer_email": "hong@example.com",
        "buyer_tel": "010-1111-2222",
        "buyer_addr": "서울 " + "가" * 230,
        "buyer_postcode": "04524",
    }

    paid = (await onetime(api, auth, customer_uid="kept", customer_tel="02-123-4567", **buyer)).json()

    assert paid["response"]["buyer_addr"] == buyer["buyer_addr"]
    key = (await api.get("/subscribe/customers/kept", headers=auth)).json()["response"]
    assert {field: key[field] for field in ("customer_name", "customer_email", "customer_tel")} == {
        "customer_name": "홍길동",
        "customer_email": "hong@example.com",
        "customer_tel": "02-123-4567",
    }
    assert (key["customer_postcode"], key["customer_addr"]) == ("04524", None)


@pytest.mark.parametrize("card", [LIMIT_CARD, INVALID_CARD], ids=["declined-at-charge", "invalid-card"])
@pytest.mark.parametrize("customer_uid", [None, "kept"])
async def test_a_declined_onetime_answers_code_minus_1_and_stores_a_failed_payment(
    api: httpx.AsyncClient, auth: dict[str, str], card: dict[str, str], customer_uid: str | None
) -> None:
    fields: dict[str, Any] = {**card} | ({"customer_uid": customer_uid} if customer_uid else {})

    answer = await onetime(api, auth, **fields)

    assert answer.status_code == 200
    body = answer.json()
    assert body["code"] == -1
    assert body["response"] is None
    assert body["message"].startswith("카드정보 인증에 실패하였습니다. (")
    failed = (await api.get("/payments/find/key-in-1", headers=auth)).json()["response"]
    assert failed["status"] == "failed"
    assert failed["fail_reason"]


async def test_the_legacy_foreign_endpoint_charges_like_onetime(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    paid = (
        await api.post(
            "/subscribe/payments/foreign", json={"merchant_uid": "f-1", "amount": 1000, **CARD}, headers=auth
        )
    ).json()["response"]

    assert paid["status"] == "paid"
    assert paid["customer_uid"] is None


async def test_a_card_number_never_reaches_the_database(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services
) -> None:
    await onetime(api, auth, customer_uid="kept")

    rows: list[str] = []
    async with services.engine.connect() as connection:
        for table in ("payments", "payment_attempts", "billing_keys"):
            result = await connection.exec_driver_sql(f"SELECT * FROM {table}")  # noqa: S608
            rows.extend(str(row) for row in result.all())
    dumped = " ".join(rows)
    assert "4111111111111111" not in dumped
    assert "4111-1111-1111-1111" not in dumped


# --- customer's payments -------------------------------------------------------------------


async def test_a_customers_payments_are_listed_newest_first(
    api: httpx.AsyncClient, auth: dict[str, str], clock: Any
) -> None:
    await add_key(api, auth, "cust-1")
    for number in range(3):
        clock.advance(60)
        await again(api, auth, merchant_uid=f"m-{number}")
    await onetime(api, auth)  # another customer's payment stays out

    page = (await api.get("/subscribe/customers/cust-1/payments", headers=auth)).json()["response"]

    assert page["total"] == 3
    assert page["next"] == 0
    assert page["previous"] == 0
    assert [p["merchant_uid"] for p in page["list"]] == ["m-2", "m-1", "m-0"]


async def test_another_merchant_cannot_charge_or_list_a_customer(
    api: httpx.AsyncClient, auth: dict[str, str], token_b: str
) -> None:
    await add_key(api, auth, "cust-1")
    other = {"Authorization": token_b}

    charged = await again(api, other)
    listed = (await api.get("/subscribe/customers/cust-1/payments", headers=other)).json()["response"]

    assert charged.json()["code"] == 1
    assert listed["total"] == 0
