"""The payment lookup endpoints (iamport-v1 §4.1) and the Payment object (§5.2)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from homeport.clock import FakeClock
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.models import Payment, PaymentStatus
from homeport.services import Services
from tests.support import cancelled, make_payment, trans_payment, vbank_payment

#: Every key of the Payment object, as the contract lists it.
PAYMENT_KEYS = sorted(
    [
        "amount", "apply_num", "bank_code", "bank_name", "buyer_addr", "buyer_email", "buyer_name",
        "buyer_postcode", "buyer_tel", "cancel_amount", "cancel_history", "cancel_reason",
        "cancel_receipt_urls", "cancelled_at", "card_code", "card_issuer_code", "card_issuer_name",
        "card_name", "card_number", "card_publisher_code", "card_publisher_name", "card_quota",
        "card_type", "cash_receipt_issued", "channel", "currency", "custom_data", "customer_uid",
        "customer_uid_usage", "deposit_history", "emb_pg_provider", "escrow", "fail_reason",
        "failed_at", "imp_uid", "merchant_uid", "name", "paid_at", "pay_method", "pg_id",
        "pg_provider", "pg_tid", "promotion", "receipt_url", "sandbox", "started_at", "status",
        "user_agent", "vbank_code", "vbank_date", "vbank_holder", "vbank_issued_at", "vbank_name",
        "vbank_num",
    ]
)  # fmt: skip


@pytest.fixture
def auth(token_a: str) -> dict[str, str]:
    return {"Authorization": token_a}


async def record(services: Services, payment: Payment) -> Payment:
    return await services.payments.record(payment)


def response(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == 0
    return answer.json()["response"]


async def test_a_card_payment_has_every_field_in_alphabetical_order(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    """All keys are always present, sorted, with the contract's types and values."""
    payment = await record(services, make_payment(merchant_a.merchant.id, amount=64_900))

    body = response(await api.get(f"/payments/{payment.imp_uid}", headers=auth))

    assert list(body) == PAYMENT_KEYS
    assert body["imp_uid"] == payment.imp_uid
    assert body["merchant_uid"] == payment.merchant_uid
    assert body["amount"] == 64_900
    assert body["cancel_amount"] == 0
    assert body["status"] == "paid"
    assert body["pay_method"] == "card"
    assert body["pg_provider"] == "kcp"
    assert body["pg_id"] == "T0000"
    assert body["channel"] == "pc"
    assert body["currency"] == "KRW"
    assert (body["card_code"], body["card_name"], body["card_number"]) == (
        "361",
        "BC카드",
        "457973******1234",
    )
    assert (body["card_quota"], body["card_type"], body["apply_num"]) == (0, 0, "30012345")
    assert body["paid_at"] == payment.paid_at
    assert (body["failed_at"], body["cancelled_at"], body["vbank_date"]) == (0, 0, 0)
    assert body["custom_data"] == '{"cart":"a1"}'
    assert body["cancel_history"] == []
    assert body["cancel_receipt_urls"] == []
    assert body["sandbox"] is True
    assert body["buyer_name"] == "홍길동"
    assert body["vbank_num"] is None


async def test_partial_cancels_show_in_history_and_cancel_amount_while_still_paid(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    """Each cancel is one history entry; the payment stays paid until fully cancelled."""
    payment = make_payment(merchant_a.merchant.id, amount=30_000)
    payment = cancelled(payment, 10_000, at=1_767_230_000, reason="부분 환불")
    await record(services, payment)

    body = response(await api.get(f"/payments/{payment.imp_uid}", headers=auth))

    assert body["status"] == "paid"
    assert body["cancel_amount"] == 10_000
    assert body["cancel_history"] == [
        {
            "amount": 10_000,
            "cancellation_id": payment.cancellations[0].cancellation_id,
            "cancelled_at": 1_767_230_000,
            "pg_tid": payment.pg_tid,
            "reason": "부분 환불",
            "receipt_url": "https://sandbox.invalid/cancel-receipt",
        }
    ]
    assert body["cancel_receipt_urls"] == ["https://sandbox.invalid/cancel-receipt"]


async def test_virtual_account_and_transfer_fields(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    """vbank_* for a virtual account awaiting deposit; bank_* for a transfer."""
    vbank = await record(services, vbank_payment(merchant_a.merchant.id))
    trans = await record(services, trans_payment(merchant_a.merchant.id))

    v = response(await api.get(f"/payments/{vbank.imp_uid}", headers=auth))
    t = response(await api.get(f"/payments/{trans.imp_uid}", headers=auth))

    assert (v["status"], v["pay_method"], v["paid_at"]) == ("ready", "vbank", 0)
    assert (v["vbank_code"], v["vbank_name"], v["vbank_num"], v["vbank_holder"]) == (
        "004", "국민은행", "T0309260000123", "홈포트",
    )  # fmt: skip
    assert (v["vbank_date"], v["vbank_issued_at"]) == (1_767_311_999, 1_767_225_100)
    assert v["card_quota"] == 0
    assert v["card_name"] is None
    assert (t["bank_code"], t["bank_name"], t["pay_method"]) == ("088", "신한은행", "trans")


async def test_an_unknown_imp_uid_is_404_with_the_contracts_message(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """``존재하지 않는 결제정보입니다.`` with code -1."""
    answer = await api.get("/payments/imp_999999999999", headers=auth)

    assert answer.status_code == 404
    assert answer.json() == {"code": -1, "message": "존재하지 않는 결제정보입니다.", "response": None}


async def test_include_sandbox_is_accepted_and_does_not_hide_sandbox_payments(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    """The Java client always sends include_sandbox=false; homeport's sandbox payments still show."""
    payment = await record(services, make_payment(merchant_a.merchant.id))

    shown = await api.get(f"/payments/{payment.imp_uid}?include_sandbox=false", headers=auth)
    bad = await api.get(f"/payments/{payment.imp_uid}?include_sandbox=sometimes", headers=auth)

    assert response(shown)["imp_uid"] == payment.imp_uid
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "imp_uid[]={a}&imp_uid[]={b}",
        "imp_uid%5B%5D={a}&imp_uid%5B%5D={b}",
        "imp_uid[0]={a}&imp_uid[1]={b}",
        "imp_uid={a}&imp_uid={b}",
    ],
)
async def test_multi_get_accepts_every_array_form(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, auth: dict[str, str], query: str
) -> None:
    """GET /payments?imp_uid[]= in the Node/Java/Go, PHP and legacy spellings."""
    a = await record(services, make_payment(merchant_a.merchant.id))
    b = await record(services, make_payment(merchant_a.merchant.id))

    body = response(await api.get("/payments?" + query.format(a=a.imp_uid, b=b.imp_uid), headers=auth))

    assert [p["imp_uid"] for p in body] == [a.imp_uid, b.imp_uid]


async def test_multi_get_answers_207_with_the_found_subset_and_404_when_none(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    """Partial success is 207 with code 0; nothing found is 404."""
    a = await record(services, make_payment(merchant_a.merchant.id, merchant_uid="order-x"))

    partial = await api.get(f"/payments?imp_uid[]={a.imp_uid}&imp_uid[]=imp_000000000001", headers=auth)
    by_merchant_uid = await api.get("/payments?merchant_uid[]=order-x", headers=auth)
    none = await api.get("/payments?imp_uid[]=imp_000000000001", headers=auth)
    empty = await api.get("/payments", headers=auth)

    assert [p["imp_uid"] for p in response(partial, 207)] == [a.imp_uid]
    assert [p["imp_uid"] for p in response(by_merchant_uid)] == [a.imp_uid]
    assert none.status_code == 404
    assert none.json()["message"] == "해당되는 결제건을 찾지 못하였습니다."
    assert empty.status_code == 400


async def test_multi_get_refuses_more_than_a_hundred_ids(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """The contract's cap is 100 ids per call."""
    query = "&".join(f"imp_uid[]=imp_{i:012d}" for i in range(101))

    answer = await api.get(f"/payments?{query}", headers=auth)

    assert answer.status_code == 400
    assert "100" in answer.json()["message"]


async def test_find_returns_the_latest_attempt_and_filters_by_status(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    """With several attempts on one merchant_uid, find gives the newest, or the newest in a status."""
    mid = merchant_a.merchant.id
    failed = await record(
        services,
        make_payment(mid, merchant_uid="retry-1", status=PaymentStatus.FAILED, started_at=100, paid_at=0),
    )
    paid = await record(services, make_payment(mid, merchant_uid="retry-1", started_at=50))

    latest = response(await api.get("/payments/find/retry-1", headers=auth))
    only_paid = response(await api.get("/payments/find/retry-1/paid", headers=auth))
    oldest = response(await api.get("/payments/find/retry-1?sorting=started", headers=auth))
    undefined = response(await api.get("/payments/find/retry-1/undefined", headers=auth))
    none_cancelled = await api.get("/payments/find/retry-1/cancelled", headers=auth)

    assert latest["imp_uid"] == failed.imp_uid
    assert only_paid["imp_uid"] == paid.imp_uid
    assert oldest["imp_uid"] == paid.imp_uid
    assert undefined["imp_uid"] == failed.imp_uid  # the TypeScript client's missing status
    assert none_cancelled.status_code == 404


async def test_a_retry_paid_in_the_same_second_as_its_decline_is_the_latest(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    """Same started_at: the live payment comes first, whatever the random imp_uids say."""
    mid = merchant_a.merchant.id
    declined = make_payment(
        mid,
        imp_uid="imp_999999999999",
        merchant_uid="same-second",
        status=PaymentStatus.FAILED,
        started_at=100,
    )
    paid = make_payment(mid, imp_uid="imp_000000000001", merchant_uid="same-second", started_at=100)
    await record(services, declined)
    await record(services, paid)

    latest = response(await api.get("/payments/find/same-second", headers=auth))
    every = response(await api.get("/payments/findAll/same-second", headers=auth))

    assert latest["imp_uid"] == paid.imp_uid
    assert [p["imp_uid"] for p in every["list"]] == [paid.imp_uid, declined.imp_uid]


async def test_find_all_pages_through_every_attempt(
    api: httpx.AsyncClient, services: Services, merchant_a: CreatedMerchant, auth: dict[str, str]
) -> None:
    """Paged {total, previous, next, list}; page and limit work; a status narrows it."""
    mid = merchant_a.merchant.id
    for i in range(5):  # four declined attempts, then the one that was paid
        status = PaymentStatus.PAID if i == 4 else PaymentStatus.FAILED
        await record(services, make_payment(mid, merchant_uid="many", started_at=1000 + i, status=status))

    first = response(await api.get("/payments/findAll/many?limit=2", headers=auth))
    last = response(await api.get("/payments/findAll/many/failed/?page=2&limit=3", headers=auth))
    missing = await api.get("/payments/findAll/nothing-here", headers=auth)

    assert (first["total"], first["previous"], first["next"]) == (5, 0, 2)
    assert [p["started_at"] for p in first["list"]] == [1004, 1003]
    assert (last["previous"], last["next"], len(last["list"])) == (1, 0, 1)
    assert missing.status_code == 404


async def test_status_listing_uses_the_statuss_own_timestamp_and_a_90_day_window(
    api: httpx.AsyncClient,
    services: Services,
    merchant_a: CreatedMerchant,
    auth: dict[str, str],
    clock: FakeClock,
) -> None:
    """paid filters on paid_at, failed on failed_at, all on started_at; default = last 90 days."""
    mid = merchant_a.merchant.id
    now = clock.now()
    recent = await record(services, make_payment(mid, started_at=now - 100, paid_at=now - 50))
    await record(services, make_payment(mid, started_at=now - 200 * 86400, paid_at=now - 200 * 86400))
    failed = await record(
        services,
        make_payment(mid, status=PaymentStatus.FAILED, started_at=now - 10, paid_at=0, failed_at=now - 5),
    )

    paid = response(await api.get("/payments/status/paid", headers=auth))
    every = response(await api.get("/payments/status/all", headers=auth))
    window = response(await api.get(f"/payments/status/failed?from={now - 6}&to={now - 4}", headers=auth))
    outside = response(await api.get(f"/payments/status/failed?from={now - 4}&to={now}", headers=auth))

    assert [p["imp_uid"] for p in paid["list"]] == [recent.imp_uid]
    assert {p["imp_uid"] for p in every["list"]} == {recent.imp_uid, failed.imp_uid}
    assert [p["imp_uid"] for p in window["list"]] == [failed.imp_uid]
    assert outside == {"list": [], "next": 0, "previous": 0, "total": 0}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/payments/status/refunded", "지원되지 않는 상태값입니다."),
        ("/payments/find/x/refunded", "지원되지 않는 상태값입니다."),
        ("/payments/status/paid?from=0&to=99999999", "90일"),
        ("/payments/status/paid?from=100&to=50", "from"),
        ("/payments/status/paid?page=abc", "page"),
        ("/payments/status/paid?limit=5000", "limit"),
        ("/payments/status/paid?page=9", "페이지"),
        ("/payments/findAll/x?sorting=amount", "sorting"),
    ],
)
async def test_bad_listing_parameters_are_400_with_a_clear_message(
    api: httpx.AsyncClient, auth: dict[str, str], path: str, message: str
) -> None:
    """Every bad parameter is named in a 400 envelope."""
    answer = await api.get(path, headers=auth)

    assert answer.status_code == 400
    assert message in answer.json()["message"]
