"""``POST /payments/cancel``: full and partial cancels against the embedded KCP sandbox
(iamport-v1 §4.1, §8; DESIGN invariant: the sum cancelled never exceeds the sum paid)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.attempts import AttemptOperation, AttemptState
from homeport.pg import base as pg
from homeport.services import Services
from tests.support import ConnectorSpy

CARD = {"card_number": "4111-1111-1111-1111", "expiry": "2031-12", "birth": "800101", "pwd_2digit": "12"}
#: A partial cancel of this amount makes the sandbox answer HTTP 500: the outcome is unknown.
AMOUNT_HTTP500 = 91002


@pytest.fixture
def auth(token_a: str) -> dict[str, str]:
    return {"Authorization": token_a}


@pytest.fixture
async def paid(api: httpx.AsyncClient, auth: dict[str, str]) -> dict[str, Any]:
    """A paid key-in payment of 100,000 won, merchant_uid ``order-1``."""
    body = {"merchant_uid": "order-1", "amount": 100000, "name": "코트", **CARD}
    answer = await api.post("/subscribe/payments/onetime", json=body, headers=auth)
    payment: dict[str, Any] = answer.json()["response"]
    assert payment["status"] == "paid"
    return payment


async def cancel(api: httpx.AsyncClient, auth: dict[str, str], **fields: Any) -> httpx.Response:
    return await api.post("/payments/cancel", json=fields, headers=auth)


def kcp_transaction(services: Services, pg_tid: str) -> dict[str, Any]:
    assert services.sandbox is not None
    found = services.sandbox.ledger.get("transaction", pg_tid)
    assert found is not None
    return found


async def test_a_full_cancel_by_imp_uid_cancels_everything_at_kcp(
    api: httpx.AsyncClient, auth: dict[str, str], paid: dict[str, Any], services: Services
) -> None:
    answer = await cancel(api, auth, imp_uid=paid["imp_uid"], reason="고객 변심")

    assert answer.status_code == 200
    body = answer.json()
    assert body["code"] == 0
    cancelled = body["response"]
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_amount"] == 100000
    assert cancelled["cancel_reason"] == "고객 변심"
    assert cancelled["cancelled_at"] > 0
    [entry] = cancelled["cancel_history"]
    assert entry["amount"] == 100000
    assert entry["reason"] == "고객 변심"
    assert entry["pg_tid"] == paid["pg_tid"]
    assert entry["cancellation_id"]
    assert kcp_transaction(services, paid["pg_tid"])["status"] == "STSC"


async def test_partial_cancels_accumulate_and_the_last_one_cancels_the_payment(
    api: httpx.AsyncClient, auth: dict[str, str], paid: dict[str, Any]
) -> None:
    first = (await cancel(api, auth, imp_uid=paid["imp_uid"], amount=30000, checksum=100000)).json()[
        "response"
    ]
    second = (await cancel(api, auth, imp_uid=paid["imp_uid"], amount=20000, checksum=70000)).json()[
        "response"
    ]
    rest = (await cancel(api, auth, imp_uid=paid["imp_uid"], checksum=50000)).json()["response"]

    # A partial cancel keeps the payment paid (decision 0001); the balance shows in cancel_amount.
    assert (first["status"], first["cancel_amount"]) == ("paid", 30000)
    assert (second["status"], second["cancel_amount"]) == ("paid", 50000)
    assert (rest["status"], rest["cancel_amount"]) == ("cancelled", 100000)
    assert [c["amount"] for c in rest["cancel_history"]] == [30000, 20000, 50000]
    assert len({c["cancellation_id"] for c in rest["cancel_history"]}) == 3


async def test_a_cancel_by_merchant_uid_finds_the_paid_payment(
    api: httpx.AsyncClient, auth: dict[str, str], paid: dict[str, Any]
) -> None:
    cancelled = (await cancel(api, auth, merchant_uid="order-1", amount=0)).json()["response"]

    assert cancelled["imp_uid"] == paid["imp_uid"]
    assert cancelled["status"] == "cancelled"


async def test_an_unknown_imp_uid_wins_over_a_valid_merchant_uid(
    api: httpx.AsyncClient, auth: dict[str, str], paid: dict[str, Any]
) -> None:
    """An invalid imp_uid fails even if merchant_uid is valid (PortOne's cancel guide)."""
    answer = await cancel(api, auth, imp_uid="imp_000000000000", merchant_uid="order-1")

    assert answer.status_code == 200
    assert answer.json() == {"code": 1, "message": "취소할 결제건이 존재하지 않습니다.", "response": None}


async def test_a_cancel_without_ids_is_refused(api: httpx.AsyncClient, auth: dict[str, str]) -> None:
    answer = await cancel(api, auth, amount=1000)

    assert answer.status_code == 400
    assert "지정해주셔야합니다." in answer.json()["message"]


async def test_an_over_cancel_is_refused_and_changes_nothing(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    paid: dict[str, Any],
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    await cancel(api, auth, imp_uid=paid["imp_uid"], amount=60000)

    answer = await cancel(api, auth, imp_uid=paid["imp_uid"], amount=40001)

    assert answer.status_code == 200
    body = answer.json()
    assert body["code"] == 1
    assert "40001" in body["message"]
    assert "40000" in body["message"]
    after = (await api.get(f"/payments/{paid['imp_uid']}", headers=auth)).json()["response"]
    assert (after["status"], after["cancel_amount"]) == ("paid", 60000)
    attempts = await services.payments.attempts(merchant_a.merchant.id, paid["imp_uid"])
    assert [a.operation for a in attempts].count(AttemptOperation.CANCEL) == 1
    assert kcp_transaction(services, paid["pg_tid"])["status"] == "STPC"


async def test_a_wrong_checksum_refuses_the_cancel(
    api: httpx.AsyncClient, auth: dict[str, str], paid: dict[str, Any]
) -> None:
    answer = await cancel(api, auth, imp_uid=paid["imp_uid"], amount=1000, checksum=99000)

    assert answer.json()["code"] == 1
    assert "checksum" in answer.json()["message"]
    after = (await api.get(f"/payments/{paid['imp_uid']}", headers=auth)).json()["response"]
    assert after["cancel_amount"] == 0


async def test_a_fully_cancelled_payment_cannot_be_cancelled_again(
    api: httpx.AsyncClient, auth: dict[str, str], paid: dict[str, Any]
) -> None:
    await cancel(api, auth, imp_uid=paid["imp_uid"])

    again = await cancel(api, auth, imp_uid=paid["imp_uid"])

    assert again.json() == {"code": 1, "message": "이미 전액취소된 주문입니다.", "response": None}


async def test_a_failed_payment_cannot_be_cancelled(api: httpx.AsyncClient, auth: dict[str, str]) -> None:
    declined = {"merchant_uid": "failed-1", "amount": 1000, **CARD, "card_number": "4000-0000-0000-0002"}
    await api.post("/subscribe/payments/onetime", json=declined, headers=auth)
    failed = (await api.get("/payments/find/failed-1", headers=auth)).json()["response"]

    answer = await cancel(api, auth, imp_uid=failed["imp_uid"])

    assert answer.json()["code"] == 1
    assert "status failed" in answer.json()["message"]


async def test_a_cancel_with_an_unknown_outcome_blocks_further_cancels(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    paid: dict[str, Any],
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    lost = await cancel(api, auth, imp_uid=paid["imp_uid"], amount=AMOUNT_HTTP500)
    blocked = await cancel(api, auth, imp_uid=paid["imp_uid"], amount=1000)

    assert lost.status_code == 500
    assert blocked.json()["code"] == 1
    assert "in flight" in blocked.json()["message"]
    after = (await api.get(f"/payments/{paid['imp_uid']}", headers=auth)).json()["response"]
    assert (after["status"], after["cancel_amount"]) == ("paid", 0)
    attempts = await services.payments.attempts(merchant_a.merchant.id, paid["imp_uid"])
    assert [(a.operation, a.state) for a in attempts][-1] == (AttemptOperation.CANCEL, AttemptState.UNKNOWN)


async def test_a_cancel_attempt_is_stored_before_kcp_is_called(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    paid: dict[str, Any],
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    seen: list[list[tuple[AttemptOperation, AttemptState]]] = []

    async def look(_request: pg.CancelRequest) -> None:
        attempts = await services.payments.attempts(merchant_a.merchant.id, paid["imp_uid"])
        seen.append([(a.operation, a.state) for a in attempts])

    with ConnectorSpy(services, before_cancel=look):
        await cancel(api, auth, imp_uid=paid["imp_uid"], amount=5000)

    assert seen == [
        [(AttemptOperation.CHARGE, AttemptState.SUCCEEDED), (AttemptOperation.CANCEL, AttemptState.PENDING)]
    ]


async def test_another_merchants_payment_cannot_be_cancelled(
    api: httpx.AsyncClient, paid: dict[str, Any], token_b: str
) -> None:
    answer = await cancel(api, {"Authorization": token_b}, imp_uid=paid["imp_uid"])

    assert answer.json()["code"] == 1
    assert answer.json()["message"] == "취소할 결제건이 존재하지 않습니다."


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "1000"}, "문자열이 아닌 숫자"),
        ({"amount": 1000, "tax_free": 2000}, "tax_free"),
        ({"refund_holder": "홍길동"}, "refund_bank"),
        ({"reason": "x" * 257}, "reason"),
    ],
)
async def test_invalid_cancel_requests_are_refused_with_a_clear_message(
    api: httpx.AsyncClient, auth: dict[str, str], paid: dict[str, Any], fields: dict[str, Any], message: str
) -> None:
    answer = await cancel(api, auth, imp_uid=paid["imp_uid"], **fields)

    assert answer.status_code == 400
    assert message in answer.json()["message"]
