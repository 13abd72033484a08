"""Scheduled payments over the API (iamport-v1 §4.3, §4.4, §5.6, §8), against the embedded sandbox."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

from homeport.clock import FakeClock
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.models import PaymentStatus
from homeport.domain.schedules.models import ScheduleStatus
from homeport.services import Services
from homeport.store.unit_of_work import SqlUnitOfWorkFactory
from tests.support import make_payment

DAY = 24 * 3600
CARD = {"card_number": "4111-1111-1111-1111", "expiry": "2031-12", "birth": "800101", "pwd_2digit": "12"}
CUSTOMER = {
    "customer_name": "홍길동",
    "customer_tel": "010-1234-5678",
    "customer_email": "hong@example.com",
    "customer_addr": "서울특별시 중구",
    "customer_postcode": "04524",
}
#: Every key of ScheduleResult (§5.6), in the alphabetical order real responses use.
SCHEDULE_KEYS = sorted(
    [
        "customer_uid", "merchant_uid", "imp_uid", "pg_provider", "pg_id", "customer_id", "schedule_at",
        "executed_at", "revoked_at", "amount", "currency", "name", "buyer_name", "buyer_email", "buyer_tel",
        "buyer_addr", "buyer_postcode", "custom_data", "schedule_status", "payment_status", "fail_reason",
        "promotion_id",
    ]
)  # fmt: skip
NOTHING_TO_REVOKE = {"code": 1, "message": "취소할 예약결제 기록이 존재하지 않습니다.", "response": None}


@pytest.fixture
def auth(token_a: str) -> dict[str, str]:
    return {"Authorization": token_a}


@pytest.fixture
async def customer(api: httpx.AsyncClient, auth: dict[str, str]) -> str:
    """A billing key ``cust-1`` of merchant A, issued through the API."""
    answer = await api.post("/subscribe/customers/cust-1", json={**CARD, **CUSTOMER}, headers=auth)
    assert answer.json()["code"] == 0, answer.text
    return "cust-1"


def entry(clock: FakeClock, uid: str, days: int = 1, **extra: Any) -> dict[str, Any]:
    return {"merchant_uid": uid, "schedule_at": clock.now() + days * DAY, "amount": 9900, **extra}


def response(answer: httpx.Response) -> Any:
    assert answer.status_code == 200, answer.text
    assert answer.json()["code"] == 0, answer.text
    return answer.json()["response"]


async def schedule(
    api: httpx.AsyncClient, auth: dict[str, str], customer_uid: str, *entries: dict[str, Any], **body: Any
) -> httpx.Response:
    return await api.post(
        "/subscribe/payments/schedule",
        json={"customer_uid": customer_uid, "schedules": list(entries), **body},
        headers=auth,
    )


async def stored(api: httpx.AsyncClient, auth: dict[str, str], merchant_uid: str) -> httpx.Response:
    return await api.get(f"/subscribe/payments/schedule/{merchant_uid}", headers=auth)


async def execute(
    services: Services, merchant: CreatedMerchant, merchant_uid: str, outcome: PaymentStatus
) -> None:
    """What the worker (a later issue) will do: mark a due schedule executed with its outcome."""
    uow = SqlUnitOfWorkFactory(services.engine, services.box)
    async with uow() as tx:
        current = await tx.schedules.get(merchant.merchant.id, merchant_uid)
        assert current is not None
        done = replace(
            current,
            status=ScheduleStatus.EXECUTED,
            imp_uid="imps_100000000001",
            payment_status=outcome,
            fail_reason="한도초과" if outcome is PaymentStatus.FAILED else None,
            executed_at=current.schedule_at,
        )
        assert await tx.schedules.replace(done, expected=ScheduleStatus.SCHEDULED)


# --- POST /subscribe/payments/schedule ---------------------------------------------------------


async def test_scheduling_answers_schedule_results_and_reads_back_the_same(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock
) -> None:
    """A plain array of ScheduleResult: every key, alphabetical; buyer_* from the key's customer_*."""
    answer = await schedule(
        api,
        auth,
        customer,
        entry(clock, "sub-1", name="월 구독료", buyer_name="김철수", custom_data={"plan": "pro", "개월": 1}),
        entry(clock, "sub-2", days=31, amount=19_900, promotion_id="promo-7"),
    )

    results = response(answer)
    assert [list(r) for r in results] == [SCHEDULE_KEYS, SCHEDULE_KEYS]
    first, second = results
    assert first == {
        "amount": 9900,
        "buyer_addr": "서울특별시 중구",
        "buyer_email": "hong@example.com",
        "buyer_name": "김철수",
        "buyer_postcode": "04524",
        "buyer_tel": "010-1234-5678",
        "currency": "KRW",
        "custom_data": '{"plan":"pro","개월":1}',
        "customer_id": None,
        "customer_uid": "cust-1",
        "executed_at": 0,
        "fail_reason": None,
        "imp_uid": None,
        "merchant_uid": "sub-1",
        "name": "월 구독료",
        "payment_status": None,
        "pg_id": "A52Q7",
        "pg_provider": "kcp",
        "promotion_id": None,
        "revoked_at": 0,
        "schedule_at": clock.now() + DAY,
        "schedule_status": "scheduled",
    }
    assert (second["amount"], second["promotion_id"], second["name"]) == (19_900, "promo-7", None)
    assert response(await stored(api, auth, "sub-1")) == first
    assert response(await stored(api, auth, "sub-2")) == second


async def test_a_php_form_with_bracketed_schedules_and_a_trailing_slash_is_accepted(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock
) -> None:
    """``schedules[0][merchant_uid]=`` and ``/schedule/`` as the PHP client sends them."""
    at = clock.now() + DAY
    form = {
        "customer_uid": customer,
        "schedules[0][merchant_uid]": "form-1",
        "schedules[0][schedule_at]": str(at),
        "schedules[0][amount]": "50000",
        "schedules[0][card_quota]": "3",
        "schedules[0][custom_data][plan]": "pro",
        "schedules[1][merchant_uid]": "form-2",
        "schedules[1][schedule_at]": str(at + DAY),
        "schedules[1][amount]": "1000",
        "schedules[1][use_card_point]": "false",
    }

    results = response(await api.post("/subscribe/payments/schedule/", data=form, headers=auth))

    assert [(r["merchant_uid"], r["schedule_at"], r["amount"]) for r in results] == [
        ("form-1", at, 50_000),
        ("form-2", at + DAY, 1000),
    ]
    assert results[0]["custom_data"] == '{"plan":"pro"}'


async def test_an_unknown_customer_without_card_data_is_code_1_and_nothing_is_stored(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    answer = await schedule(api, auth, "nobody", entry(clock, "lost"))

    assert answer.status_code == 200
    assert answer.json() == {"code": 1, "message": "등록된 고객정보가 없습니다.", "response": None}
    assert (await stored(api, auth, "lost")).status_code == 404


async def test_an_unknown_customer_with_card_data_gets_a_key_issued_then_scheduled(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    """The key is issued first (and kept); buyer_* fall back to the customer_* sent with it."""
    answer = await schedule(api, auth, "new-cust", entry(clock, "first"), **CARD, customer_name="이영희")

    (result,) = response(answer)
    assert (result["customer_uid"], result["pg_id"], result["buyer_name"]) == ("new-cust", "A52Q7", "이영희")
    key = response(await api.get("/subscribe/customers/new-cust", headers=auth))
    assert key["card_number"] == "411111******1111"


async def test_a_card_declined_at_issuance_schedules_nothing(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    """The issuance failure is reported as /subscribe/customers reports it (200, code -1)."""
    declined = {**CARD, "card_number": "4000-0000-0000-0028"}

    answer = await schedule(api, auth, "declined", entry(clock, "never"), **declined)

    assert answer.status_code == 200
    assert answer.json()["code"] == -1
    assert answer.json()["message"].startswith("카드정보 인증 및 빌키 발급에 실패하였습니다.")
    assert (await stored(api, auth, "never")).status_code == 404


async def test_an_existing_key_is_used_even_when_card_data_is_sent(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock
) -> None:
    """Card data only matters when there is no key yet (§4.4); the key is not replaced."""
    before = response(await api.get(f"/subscribe/customers/{customer}", headers=auth))

    response(
        await schedule(
            api, auth, customer, entry(clock, "keep"), **{**CARD, "card_number": "5555-5555-5555-4444"}
        )
    )

    assert response(await api.get(f"/subscribe/customers/{customer}", headers=auth)) == before


async def test_a_merchant_uid_repeated_in_one_request_is_refused_whole(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock
) -> None:
    answer = await schedule(
        api, auth, customer, entry(clock, "ok"), entry(clock, "dup"), entry(clock, "dup", 2)
    )

    assert answer.status_code == 400
    assert answer.json()["message"] == "schedules 안에 같은 merchant_uid가 여러 번 있습니다: dup"
    assert (await stored(api, auth, "ok")).status_code == 404


async def test_a_merchant_uid_already_scheduled_or_paid_refuses_the_whole_request(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    """Code 1, naming the merchant_uids. Any payment that is not failed holds its merchant_uid
    (the charge would be refused as a duplicate when due); a failed one's may be scheduled."""
    response(await schedule(api, auth, customer, entry(clock, "taken")))
    for uid, status in [
        ("paid", PaymentStatus.PAID),
        ("ready", PaymentStatus.READY),
        ("cancelled", PaymentStatus.CANCELLED),
        ("failed", PaymentStatus.FAILED),
    ]:
        await services.payments.record(make_payment(merchant_a.merchant.id, merchant_uid=uid, status=status))

    again = await schedule(api, auth, customer, entry(clock, "fresh"), entry(clock, "taken"))
    paid = await schedule(
        api, auth, customer, *(entry(clock, uid) for uid in ("fresh", "paid", "ready", "cancelled"))
    )
    failed = await schedule(api, auth, customer, entry(clock, "failed"))

    assert again.status_code == 200
    assert again.json() == {"code": 1, "message": "이미 예약된 merchant_uid입니다: taken", "response": None}
    assert paid.json()["code"] == 1
    assert paid.json()["message"].startswith(
        "이미 결제되었거나 처리 중인 주문번호(merchant_uid)입니다: paid, ready, cancelled"
    )
    assert (await stored(api, auth, "fresh")).status_code == 404
    assert response(failed)[0]["merchant_uid"] == "failed"


@pytest.mark.parametrize("offset", [0, -1, -DAY])
async def test_a_schedule_at_not_in_the_future_is_refused(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock, offset: int
) -> None:
    at = clock.now() + offset
    answer = await schedule(
        api, auth, customer, entry(clock, "ok"), {**entry(clock, "past"), "schedule_at": at}
    )

    assert answer.status_code == 400
    assert answer.json()["message"] == (
        f"schedule_at은 현재 시각 이후여야 합니다. (schedule_at {at}, now {clock.now()}) (merchant_uid past)"
    )
    assert (await stored(api, auth, "ok")).status_code == 404


async def test_checking_amount_is_refused_until_the_charge_flow_exists(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock
) -> None:
    """A test charge needs charge and cancel; 0 (no check) is fine."""
    refused = await schedule(api, auth, customer, entry(clock, "checked"), checking_amount=1000)
    zero = await schedule(api, auth, customer, entry(clock, "unchecked"), checking_amount=0)

    assert refused.status_code == 400
    assert "checking_amount" in refused.json()["message"]
    assert "아직 지원하지 않습니다" in refused.json()["message"]
    assert response(zero)[0]["merchant_uid"] == "unchecked"


LATER = 1_900_000_000
VALID = {"merchant_uid": "m", "schedule_at": LATER, "amount": 1}


def one(**changes: Any) -> dict[str, Any]:
    """A request for cust-1 with one entry: VALID with ``changes`` (None drops a field)."""
    fields = {k: v for k, v in {**VALID, **changes}.items() if v is not None}
    return {"customer_uid": "cust-1", "schedules": [fields]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"schedules": []}, "customer_uid 파라메터가 누락되었습니다."),
        ({"customer_uid": "cust-1"}, "schedules 파라메터가 누락되었습니다."),
        ({"customer_uid": "cust-1", "schedules": VALID}, "schedules는 결제예약 정보"),
        ({"customer_uid": "cust-1", "schedules": ["x"]}, "schedules[0]는 객체여야 합니다."),
        (one(merchant_uid=None), "schedules[0]: merchant_uid 파라메터가 누락"),
        (one(schedule_at=None), "schedules[0]: schedule_at 파라메터가 누락"),
        (one(amount=None), "schedules[0]: amount 파라메터가 누락"),
        (one(amount="9900"), "send a JSON number"),
        (one(schedule_at="soon"), "schedule_at는 정수"),
        (one(card_quota=3), "50,000원 이상"),
        (one(currency="USD"), "KRW만"),
        (one(buyer_name="x" * 65), "buyer_name는 64자 이하"),
    ],
)
async def test_malformed_requests_are_400_with_a_message_naming_the_field(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, body: dict[str, Any], message: str
) -> None:
    answer = await api.post("/subscribe/payments/schedule", json=body, headers=auth)

    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == -1
    assert message in answer.json()["message"]


async def test_the_endpoints_need_a_token(api: httpx.AsyncClient) -> None:
    assert (await api.post("/subscribe/payments/schedule", json={})).status_code == 401
    assert (await api.get("/subscribe/payments/schedule/x")).status_code == 401


# --- POST /subscribe/payments/unschedule -------------------------------------------------------


async def test_unscheduling_a_customer_revokes_all_its_waiting_schedules(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    """Executed schedules are left alone; the answer lists the revoked ones, then nothing is left."""
    response(
        await schedule(api, auth, customer, entry(clock, "u1"), entry(clock, "u2", 2), entry(clock, "u3", 3))
    )
    await execute(services, merchant_a, "u1", PaymentStatus.PAID)
    clock.advance(60)

    revoked = response(
        await api.post("/subscribe/payments/unschedule", json={"customer_uid": customer}, headers=auth)
    )
    again = await api.post("/subscribe/payments/unschedule", json={"customer_uid": customer}, headers=auth)

    assert [(r["merchant_uid"], r["schedule_status"], r["revoked_at"]) for r in revoked] == [
        ("u2", "revoked", clock.now()),
        ("u3", "revoked", clock.now()),
    ]
    assert [list(r) for r in revoked] == [SCHEDULE_KEYS, SCHEDULE_KEYS]
    assert again.status_code == 200
    assert again.json() == NOTHING_TO_REVOKE
    assert response(await stored(api, auth, "u1"))["schedule_status"] == "executed"


@pytest.mark.parametrize(
    ("send", "expected"),
    [
        ({"json": {"merchant_uid": "m2"}}, ["m2"]),  # a JSON string (PY, NODE)
        ({"json": {"merchant_uid": ["m3", "m2"]}}, ["m3", "m2"]),  # a JSON array (JAVA, PHP)
        ({"json": {"customer_uid": "cust-1", "merchant_uid": ["m2", "m3"], "extra": None}}, ["m2", "m3"]),
        ({"data": {"merchant_uid[]": ["m2", "m3"]}}, ["m2", "m3"]),
        ({"data": {"merchant_uid[0]": "m2", "merchant_uid[1]": "m3"}}, ["m2", "m3"]),
        ({"data": {"merchant_uid": "m2"}}, ["m2"]),
    ],
)
async def test_unscheduling_by_merchant_uid_accepts_a_string_or_an_array(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    send: dict[str, Any],
    expected: list[str],
) -> None:
    """Only the listed ones are revoked, answered in the order asked; JSON or form."""
    response(
        await schedule(api, auth, customer, entry(clock, "m1"), entry(clock, "m2", 2), entry(clock, "m3", 3))
    )

    revoked = response(await api.post("/subscribe/payments/unschedule", headers=auth, **send))

    assert [r["merchant_uid"] for r in revoked] == expected
    assert {r["schedule_status"] for r in revoked} == {"revoked"}
    assert response(await stored(api, auth, "m1"))["schedule_status"] == "scheduled"


async def test_unscheduling_what_is_not_waiting_is_code_1(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock
) -> None:
    """Unknown merchant_uids, an unknown customer, and another customer's merchant_uid."""
    response(await schedule(api, auth, customer, entry(clock, "mine")))

    for body in (
        {"merchant_uid": "unknown"},
        {"customer_uid": "nobody"},
        {"customer_uid": "other", "merchant_uid": "mine"},
    ):
        answer = await api.post("/subscribe/payments/unschedule", json=body, headers=auth)
        assert answer.status_code == 200
        assert answer.json() == NOTHING_TO_REVOKE, body
    assert response(await stored(api, auth, "mine"))["schedule_status"] == "scheduled"


async def test_unscheduling_without_customer_or_merchant_uid_is_400(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    answer = await api.post("/subscribe/payments/unschedule", json={"merchant_uid": []}, headers=auth)

    assert answer.status_code == 400
    assert "지정해주셔야합니다" in answer.json()["message"]


# --- GET / PUT /subscribe/payments/schedule/{merchant_uid}, reschedule ---------------------------


async def test_an_unknown_schedule_is_404_with_code_minus_1(
    api: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    answer = await stored(api, auth, "ghost")

    assert answer.status_code == 404
    assert answer.json() == {
        "code": -1,
        "message": "merchant_uid(ghost)로 예약된 결제가 존재하지 않습니다.",
        "response": None,
    }


async def test_a_waiting_schedule_moves_to_another_future_time(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock
) -> None:
    """JSON or form body; the past, now, a revoked schedule and an unknown one are refused."""
    response(await schedule(api, auth, customer, entry(clock, "move"), entry(clock, "gone")))
    await api.post("/subscribe/payments/unschedule", json={"merchant_uid": "gone"}, headers=auth)
    later = clock.now() + 10 * DAY

    moved = response(
        await api.put("/subscribe/payments/schedule/move", json={"schedule_at": later}, headers=auth)
    )
    by_form = response(
        await api.put("/subscribe/payments/schedule/move", data={"schedule_at": str(later + 1)}, headers=auth)
    )
    past = await api.put("/subscribe/payments/schedule/move", json={"schedule_at": clock.now()}, headers=auth)
    revoked = await api.put("/subscribe/payments/schedule/gone", json={"schedule_at": later}, headers=auth)
    unknown = await api.put("/subscribe/payments/schedule/ghost", json={"schedule_at": later}, headers=auth)
    missing = await api.put("/subscribe/payments/schedule/move", json={}, headers=auth)

    assert (moved["schedule_at"], moved["schedule_status"]) == (later, "scheduled")
    assert by_form["schedule_at"] == later + 1
    assert response(await stored(api, auth, "move"))["schedule_at"] == later + 1
    assert past.status_code == 400
    assert "현재 시각 이후" in past.json()["message"]
    assert revoked.status_code == 400
    assert revoked.json()["message"].startswith("이미 취소된 예약결제는 시각 변경할 수 없습니다.")
    assert unknown.status_code == 404
    assert missing.status_code == 400
    assert missing.json()["message"] == "schedule_at 파라메터가 누락되었습니다."


async def test_an_executed_schedule_cannot_be_moved(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    response(await schedule(api, auth, customer, entry(clock, "ran")))
    await execute(services, merchant_a, "ran", PaymentStatus.PAID)

    answer = await api.put(
        "/subscribe/payments/schedule/ran", json={"schedule_at": clock.now() + DAY}, headers=auth
    )

    assert answer.status_code == 400
    assert answer.json()["message"].startswith("이미 실행된 예약결제는 시각 변경할 수 없습니다.")


async def test_a_revoked_or_failed_schedule_is_rescheduled_and_others_are_not(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    """Back to ``scheduled`` with the outcome cleared; waiting or paid schedules are 400."""
    entries = [entry(clock, uid) for uid in ("revoked", "failed", "paid", "waiting")]
    response(await schedule(api, auth, customer, *entries))
    await api.post("/subscribe/payments/unschedule", json={"merchant_uid": "revoked"}, headers=auth)
    await execute(services, merchant_a, "failed", PaymentStatus.FAILED)
    await execute(services, merchant_a, "paid", PaymentStatus.PAID)
    at = clock.now() + 5 * DAY

    async def reschedule(uid: str, **body: Any) -> httpx.Response:
        return await api.post(
            f"/subscribe/payments/schedule/{uid}/reschedule", json={"schedule_at": at, **body}, headers=auth
        )

    failed_before = response(await stored(api, auth, "failed"))
    revived = response(await reschedule("revoked"))
    retried = response(await reschedule("failed"))
    paid = await reschedule("paid")
    waiting = await reschedule("waiting")
    unknown = await reschedule("ghost")

    assert (failed_before["payment_status"], failed_before["fail_reason"]) == ("failed", "한도초과")
    for result in (revived, retried):
        assert (result["schedule_status"], result["schedule_at"]) == ("scheduled", at)
        assert (result["imp_uid"], result["payment_status"], result["fail_reason"]) == (None, None, None)
        assert (result["executed_at"], result["revoked_at"]) == (0, 0)
    assert paid.status_code == 400
    assert paid.json()["message"].startswith("이미 실행된 예약결제는 재예약할 수 없습니다.")
    assert waiting.status_code == 400
    assert unknown.status_code == 404


async def test_rescheduling_a_merchant_uid_paid_in_the_meantime_is_code_1(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    response(await schedule(api, auth, customer, entry(clock, "later-paid")))
    await api.post("/subscribe/payments/unschedule", json={"merchant_uid": "later-paid"}, headers=auth)
    await services.payments.record(make_payment(merchant_a.merchant.id, merchant_uid="later-paid"))

    answer = await api.post(
        "/subscribe/payments/schedule/later-paid/reschedule",
        json={"schedule_at": clock.now() + DAY},
        headers=auth,
    )

    assert answer.json()["code"] == 1
    assert "later-paid" in answer.json()["message"]
    assert response(await stored(api, auth, "later-paid"))["schedule_status"] == "revoked"


# --- listings ---------------------------------------------------------------------------------


@pytest.fixture
async def six(api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock) -> int:
    """Six schedules a day apart (s1..s6), two of another customer, s2 revoked; returns day 0."""
    issued = await api.post("/subscribe/customers/cust-2", json=CARD, headers=auth)
    assert issued.json()["code"] == 0
    response(await schedule(api, auth, customer, *(entry(clock, f"s{d}", d) for d in (1, 2, 3, 4))))
    response(await schedule(api, auth, "cust-2", *(entry(clock, f"s{d}", d) for d in (5, 6))))
    response(await api.post("/subscribe/payments/unschedule", json={"merchant_uid": "s2"}, headers=auth))
    return clock.now()


def uids(paged: dict[str, Any]) -> list[str]:
    return [r["merchant_uid"] for r in paged["list"]]


async def test_the_range_listing_is_paged_newest_first_and_filters(
    api: httpx.AsyncClient, auth: dict[str, str], six: int
) -> None:
    """``schedule_from <= schedule_at < schedule_to``; ``sorting=scheduled`` is oldest first."""
    base = f"/subscribe/payments/schedule?schedule_from={six + DAY}&schedule_to={six + 6 * DAY}"

    newest = response(await api.get(base, headers=auth))
    oldest = response(await api.get(f"{base}&sorting=scheduled", headers=auth))
    page2 = response(await api.get(f"{base}&sorting=scheduled&page=2&limit=2", headers=auth))
    revoked = response(await api.get(f"{base}&schedule_status=revoked", headers=auth))
    java = response(await api.get(f"{base}&page=0&limit=0", headers=auth))

    assert list(newest) == ["list", "next", "previous", "total"]
    assert (newest["total"], newest["previous"], newest["next"]) == (5, 0, 0)
    assert uids(newest) == ["s5", "s4", "s3", "s2", "s1"]
    assert list(newest["list"][0]) == SCHEDULE_KEYS
    assert uids(oldest) == ["s1", "s2", "s3", "s4", "s5"]
    assert (uids(page2), page2["previous"], page2["next"]) == (["s3", "s4"], 1, 3)
    assert uids(revoked) == ["s2"]
    assert java == newest


@pytest.mark.parametrize(
    "path",
    [
        "/subscribe/customers/cust-1/schedules?from={since}&to={until}&schedule-status=scheduled",
        "/subscribe/customers/cust-1/schedules?schedule_from={since}&schedule_to={until}&schedule_status=scheduled",
        "/subscribe/payments/schedule/customers/cust-1?from={since}&to={until}&schedule-status=scheduled",
        "/subscribe/payments/schedule/customers/cust-1?schedule_from={since}&schedule_to={until}&schedule_status=scheduled&page=0",
    ],
)
async def test_the_customer_listings_accept_the_specs_and_the_java_clients_names(
    api: httpx.AsyncClient, auth: dict[str, str], six: int, path: str
) -> None:
    """Both paths, ``from``/``to``/``schedule-status`` and ``schedule_from``/``_to``/``_status``."""
    paged = response(await api.get(path.format(since=six, until=six + 30 * DAY), headers=auth))

    assert (paged["total"], uids(paged)) == (3, ["s4", "s3", "s1"])


async def test_a_customer_without_schedules_lists_an_empty_first_page(
    api: httpx.AsyncClient, auth: dict[str, str], six: int
) -> None:
    paged = response(
        await api.get(f"/subscribe/customers/nobody/schedules?from={six}&to={six + DAY}", headers=auth)
    )

    assert paged == {"list": [], "next": 0, "previous": 0, "total": 0}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("schedule_to={to}", "schedule_from(또는 from) 파라메터가 누락되었습니다."),
        ("schedule_from={since}", "schedule_to(또는 to) 파라메터가 누락되었습니다."),
        ("schedule_from={since}&schedule_to={far}", "최대 3개월(92일)"),
        ("schedule_from={to}&schedule_to={since}", "이후일 수 없습니다"),
        ("schedule_from={since}&schedule_to={to}&schedule_status=paid", "지원되지 않는 상태값입니다."),
        ("schedule_from={since}&schedule_to={to}&sorting=-created", "sorting은"),
        ("schedule_from={since}&schedule_to={to}&page=9", "마지막 페이지"),
        ("schedule_from={since}&schedule_to={to}&limit=1001", "limit은"),
        ("schedule_from=yesterday&schedule_to={to}", "schedule_from는 정수"),
    ],
)
async def test_bad_listing_queries_are_400(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock, query: str, message: str
) -> None:
    since = clock.now()
    filled = query.format(since=since, to=since + DAY, far=since + 92 * DAY + 1)

    answer = await api.get(f"/subscribe/payments/schedule?{filled}", headers=auth)

    assert answer.status_code == 400, answer.text
    assert message in answer.json()["message"]


# --- tenancy ----------------------------------------------------------------------------------


async def test_another_merchants_schedules_are_invisible_and_untouchable(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock, token_b: str
) -> None:
    """B cannot read, list, move, reschedule or revoke A's schedule, nor use A's customer_uid."""
    response(await schedule(api, auth, customer, entry(clock, "a-only")))
    other = {"Authorization": token_b}
    at = clock.now() + 2 * DAY
    window = f"schedule_from={clock.now()}&schedule_to={clock.now() + 30 * DAY}"

    assert (await stored(api, other, "a-only")).status_code == 404
    listed = response(await api.get(f"/subscribe/payments/schedule?{window}", headers=other))
    by_customer = response(
        await api.get(f"/subscribe/customers/{customer}/schedules?{window}", headers=other)
    )
    moved = await api.put("/subscribe/payments/schedule/a-only", json={"schedule_at": at}, headers=other)
    rescheduled = await api.post(
        "/subscribe/payments/schedule/a-only/reschedule", json={"schedule_at": at}, headers=other
    )
    revoked = await api.post("/subscribe/payments/unschedule", json={"merchant_uid": "a-only"}, headers=other)
    by_key = await schedule(api, other, customer, entry(clock, "b-try"))

    assert listed["total"] == by_customer["total"] == 0
    assert moved.status_code == rescheduled.status_code == 404
    assert revoked.json() == NOTHING_TO_REVOKE
    assert by_key.json()["code"] == 1
    assert by_key.json()["message"] == "등록된 고객정보가 없습니다."
    mine = response(await stored(api, auth, "a-only"))
    assert (mine["schedule_status"], mine["schedule_at"]) == ("scheduled", clock.now() + DAY)


# --- POST /subscribe/payments/schedule/{merchant_uid}/retry -------------------------------------


async def unschedule(api: httpx.AsyncClient, auth: dict[str, str], merchant_uid: str) -> None:
    answer = await api.post(
        "/subscribe/payments/unschedule", json={"merchant_uid": merchant_uid}, headers=auth
    )
    assert answer.json()["code"] == 0, answer.text


async def test_retry_charges_a_revoked_schedule_now_and_records_the_outcome(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock
) -> None:
    await schedule(api, auth, customer, entry(clock, "retry-1", name="월 구독"))
    await unschedule(api, auth, "retry-1")

    paid = response(await api.post("/subscribe/payments/schedule/retry-1/retry", headers=auth))
    after = response(await stored(api, auth, "retry-1"))

    assert paid["status"] == "paid"
    assert paid["merchant_uid"] == "retry-1"
    assert paid["amount"] == 9900
    assert paid["customer_uid"] == customer
    assert paid["customer_uid_usage"] == "payment.scheduled"
    assert after["schedule_status"] == "executed"
    assert after["payment_status"] == "paid"
    assert after["imp_uid"] == paid["imp_uid"]
    assert after["executed_at"] == clock.now()


async def test_retry_of_a_failed_schedule_charges_again_and_a_second_retry_is_refused(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    customer: str,
    clock: FakeClock,
    services: Services,
    merchant_a: CreatedMerchant,
) -> None:
    await schedule(api, auth, customer, entry(clock, "retry-2"))
    await execute(services, merchant_a, "retry-2", PaymentStatus.FAILED)

    first = response(await api.post("/subscribe/payments/schedule/retry-2/retry", json={}, headers=auth))
    second = await api.post("/subscribe/payments/schedule/retry-2/retry", headers=auth)

    assert first["status"] == "paid"
    # Executed and paid: nothing left to retry.
    assert second.status_code == 400
    assert "retry-2" in second.json()["message"]


async def test_a_waiting_schedule_cannot_be_retried_and_an_unknown_one_is_404(
    api: httpx.AsyncClient, auth: dict[str, str], customer: str, clock: FakeClock
) -> None:
    await schedule(api, auth, customer, entry(clock, "waiting"))

    waiting = await api.post("/subscribe/payments/schedule/waiting/retry", headers=auth)
    unknown = await api.post("/subscribe/payments/schedule/nobody/retry", headers=auth)

    assert waiting.status_code == 400
    assert unknown.status_code == 404
    assert response(await stored(api, auth, "waiting"))["schedule_status"] == "scheduled"


async def test_a_declined_retry_is_a_failed_payment_recorded_on_the_schedule(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    declining = {**CARD, "card_number": "4000-0000-0000-0002"}  # key issued; every charge declined
    await api.post("/subscribe/customers/declining", json=declining, headers=auth)
    await schedule(api, auth, "declining", entry(clock, "retry-3"))
    await unschedule(api, auth, "retry-3")

    failed = response(await api.post("/subscribe/payments/schedule/retry-3/retry", headers=auth))
    after = response(await stored(api, auth, "retry-3"))

    assert failed["status"] == "failed"
    assert after["payment_status"] == "failed"
    assert after["fail_reason"] == failed["fail_reason"]
