"""PyPI ``iamport-rest-client`` (PY) against a live homeport (iamport-v1 §1-3, §9).

PY calls getToken before every call, raises ``Iamport.HttpError(status, reason)`` for any
status other than 200 (body discarded), ``Iamport.ResponseError(code, message)`` for
``code != 0``, and otherwise returns the envelope's ``response`` [PY ``get_response``].
Pointed at homeport with ``imp_url`` = origin with a trailing slash.

Charges and cancels (§4.1, §4.4) run as the package's second merchant (``Shop.writer``):
pay_onetime, pay_again, pay_foreign, cancel, cancel_by_imp_uid, cancel_by_merchant_uid, and
every refusal PY can see. What PY cannot express: the reason of an HTTP 400/401 (the
prepared-amount mismatch, a wrong secret) reaches merchant code only as
``HttpError(400, 'Bad Request')`` / ``HttpError(401, 'Unauthorized')``, since ``get_response``
drops the body [PY client.py:31-33]. pay_onetime refuses, before any request, a card without
``birth`` and ``pwd_2digit`` [PY client.py:102-106], so the tests' card carries both.

Schedules (§4.4, §5.6) and virtual accounts (§4.6), also as the second merchant: pay_schedule,
pay_schedule_get, pay_schedule_get_between (GET /subscribe/payments/schedule with
``schedule_from``/``schedule_to``), pay_unschedule (``merchant_uid`` as a string) and
revoke_vbank_by_imp_uid. PY refuses, before any request, a schedule call without
``customer_uid`` or an entry without ``merchant_uid``/``schedule_at``/``amount``
[PY client.py:145-156]. Gaps: PY has no vbank create (the account is issued over plain HTTP),
no customer schedule listing, no schedule PUT/reschedule/retry and no escrow method; a past
``schedule_at`` (400) reaches merchant code as a bare ``HttpError(400)``.
"""

from __future__ import annotations

import pytest
from iamport import Iamport

from tests.e2e.clients.charges import (
    CHARGE_CARD,
    LIMIT_CARD,
    LIMIT_DECLINE,
    ONETIME_FAILED_MESSAGE,
    assert_api_payment,
    assert_code_1_refusals,
    rest_call,
)
from tests.e2e.clients.schedules import (
    DUPLICATE_SCHEDULE_MESSAGE,
    NO_CUSTOMER_MESSAGE,
    NOTHING_TO_UNSCHEDULE_MESSAGE,
    REFUSALS_HOUR,
    assert_schedule,
    listing_window,
    merchant_uids,
    schedule_day,
)
from tests.e2e.clients.shop import (
    BILLING_CARD,
    DECLINED_CARD,
    ISSUE_FAILED_MESSAGE,
    MASKED_BILLING_CARD,
    UNKNOWN_IMP_UID,
    WRONG_SECRET,
    Shop,
    assert_payment,
    expected_fields,
    imp_uids,
    unknown_customer_message,
)
from tests.e2e.clients.vbanks import REVOKE_REASON, assert_vbank, vbank_due, vbank_order
from tests.support import DEMO_KEY, DEMO_SECRET

pytestmark = pytest.mark.clients


@pytest.fixture
def py_client(shop: Shop) -> Iamport:
    """iamport-rest-client pointed at the live server (imp_url must end with '/')."""
    return Iamport(DEMO_KEY, DEMO_SECRET, imp_url=shop.server.base_url)


def test_iamport_rest_client_gets_the_same_token_on_every_call(py_client: Iamport) -> None:
    """getToken with the JSON body PY sends returns a 40-hex token, reused while it is valid."""
    first = py_client._get_token()
    second = py_client._get_token()
    assert isinstance(first, str)
    assert len(first) == 40
    assert int(first, 16) >= 0
    assert second == first


def test_iamport_rest_client_finds_a_paid_payment_by_imp_uid(shop: Shop, py_client: Iamport) -> None:
    """find_by_imp_uid returns the paid card payment with every field and integer timestamps."""
    assert_payment(py_client.find_by_imp_uid(shop.paid.imp_uid), shop.paid)
    assert_payment(py_client.find(imp_uid=shop.paid.imp_uid), shop.paid)


def test_iamport_rest_client_finds_the_latest_payment_by_merchant_uid(shop: Shop, py_client: Iamport) -> None:
    """find_by_merchant_uid returns the most recently started payment of that merchant_uid."""
    assert_payment(py_client.find_by_merchant_uid("hp-retry"), shop.retry_paid)
    assert_payment(py_client.find(merchant_uid="hp-card-paid"), shop.paid)


def test_iamport_rest_client_sees_cancel_amount_and_history_of_a_partial_cancel(
    shop: Shop, py_client: Iamport
) -> None:
    """A partially cancelled payment stays paid with cancel_amount and one cancel_history entry."""
    payment = py_client.find_by_imp_uid(shop.partial.imp_uid)
    assert_payment(payment, shop.partial)
    assert payment["status"] == "paid"
    assert payment["cancel_amount"] == 12000
    assert [entry["amount"] for entry in payment["cancel_history"]] == [12000]


def test_iamport_rest_client_sees_the_account_of_a_virtual_account_payment(
    shop: Shop, py_client: Iamport
) -> None:
    """A vbank payment awaiting deposit is ready with vbank code, name, number, holder and dates."""
    payment = py_client.find_by_imp_uid(shop.vbank.imp_uid)
    assert_payment(payment, shop.vbank)
    assert payment["status"] == "ready"
    assert payment["vbank_num"] == "T0309260000123"
    assert payment["vbank_date"] == shop.now + 86400


def test_iamport_rest_client_is_paid_checks_status_and_amount(shop: Shop, py_client: Iamport) -> None:
    """is_paid is true only for a paid payment whose amount matches."""
    assert py_client.is_paid(39000, imp_uid=shop.paid.imp_uid) is True
    assert py_client.is_paid(39001, imp_uid=shop.paid.imp_uid) is False
    assert py_client.is_paid(70000, merchant_uid="hp-retry") is True
    assert py_client.is_paid(25000, imp_uid=shop.vbank.imp_uid) is False


def test_iamport_rest_client_lists_payments_by_status_through_its_get_helper(
    shop: Shop, py_client: Iamport
) -> None:
    """GET /payments/status/{status} with page and limit answers a {total, previous, next, list} page."""
    # Known bug in iamport-rest-client 0.9.0: find_by_status calls self._get(url, params=params)
    # but _get's parameter is named ``payload``, so it raises TypeError before any request.
    # Merchants work around it with the helper find_by_status meant to call.
    with pytest.raises(TypeError):
        py_client.find_by_status("paid")
    url = f"{shop.server.base_url}payments/status/paid"
    first = py_client._get(url, {"limit": 2, "page": 1})
    second = py_client._get(url, {"limit": 2, "page": 2})
    expected = imp_uids([expected_fields(p) for p in shop.by_status["paid"]])
    assert (first["total"], first["previous"], first["next"]) == (3, 0, 2)
    assert (second["total"], second["previous"], second["next"]) == (3, 1, 0)
    assert imp_uids(first["list"]) + imp_uids(second["list"]) == expected
    assert_payment(second["list"][0], shop.by_status["paid"][2])


def test_iamport_rest_client_raises_http_error_401_for_a_wrong_secret(shop: Shop) -> None:
    """A wrong imp_secret makes getToken answer 401, which PY raises as HttpError(401)."""
    client = Iamport(DEMO_KEY, WRONG_SECRET, imp_url=shop.server.base_url)
    with pytest.raises(Iamport.HttpError) as caught:
        client.find_by_imp_uid(shop.paid.imp_uid)
    assert (caught.value.code, caught.value.reason) == (401, "Unauthorized")


def test_iamport_rest_client_raises_http_error_404_for_an_unknown_payment(py_client: Iamport) -> None:
    """Unknown imp_uid and unknown merchant_uid answer 404, which PY raises as HttpError(404)."""
    with pytest.raises(Iamport.HttpError) as by_imp_uid:
        py_client.find_by_imp_uid(UNKNOWN_IMP_UID)
    with pytest.raises(Iamport.HttpError) as by_merchant_uid:
        py_client.find_by_merchant_uid("hp-no-such-order")
    assert (by_imp_uid.value.code, by_imp_uid.value.reason) == (404, "Not Found")
    assert by_merchant_uid.value.code == 404


# --------------------------------------------------------------------------------------------
# Amount pre-registration (/payments/prepare, §4.2)


def test_iamport_rest_client_prepares_an_amount_and_validates_it(shop: Shop) -> None:
    """prepare() registers {merchant_uid, amount}; prepare_validate() compares the stored amount."""
    client = Iamport(DEMO_KEY, DEMO_SECRET, imp_url=shop.server.base_url)

    registered = client.prepare("py-prepare-1", 39_000)

    assert (registered["merchant_uid"], registered["amount"]) == ("py-prepare-1", 39_000)
    assert client.prepare_validate("py-prepare-1", 39_000) is True
    assert client.prepare_validate("py-prepare-1", 1_000) is False


def test_iamport_rest_client_sees_404_for_an_unregistered_merchant_uid(shop: Shop) -> None:
    """prepare_validate on nothing registered raises HttpError 404 (status ≠ 200)."""
    client = Iamport(DEMO_KEY, DEMO_SECRET, imp_url=shop.server.base_url)

    with pytest.raises(Iamport.HttpError) as raised:
        client.prepare_validate("py-never-prepared", 1_000)

    assert raised.value.code == 404


# --------------------------------------------------------------------------------------------
# Billing keys (§4.3, §5.5) through the demo merchant's sandbox billing channel (A52Q7)


def test_iamport_rest_client_creates_reads_and_deletes_a_billing_key(py_client: Iamport) -> None:
    """customer_create (customer_uid repeated in the body), customer_get, customer_delete; an
    unknown customer_uid is HTTP 200 code 1, which PY raises as ResponseError(1, message)."""
    created = py_client.customer_create(customer_uid="py-cust", customer_name="홍길동", **BILLING_CARD)
    read = py_client.customer_get("py-cust")
    deleted = py_client.customer_delete("py-cust")
    with pytest.raises(Iamport.ResponseError) as gone:
        py_client.customer_get("py-cust")

    assert created["customer_uid"] == "py-cust"
    assert created["pg_provider"] == "kcp"
    assert created["card_number"] == MASKED_BILLING_CARD
    assert read == created
    assert deleted["customer_uid"] == "py-cust"
    assert gone.value.code == 1
    assert gone.value.message == unknown_customer_message("py-cust")


def test_iamport_rest_client_raises_response_error_minus_one_for_a_declined_card(py_client: Iamport) -> None:
    """A card KCP refuses: ResponseError(-1, '카드정보 인증 및 빌키 발급에 실패하였습니다. (...)')."""
    with pytest.raises(Iamport.ResponseError) as declined:
        py_client.customer_create(customer_uid="py-declined", **DECLINED_CARD)

    assert declined.value.code == -1
    assert declined.value.message.startswith(ISSUE_FAILED_MESSAGE)


# --------------------------------------------------------------------------------------------
# Charges and cancels (§4.1, §4.4) as the second merchant (Shop.writer: the demo's listings stay)


@pytest.fixture
def py_writer(shop: Shop) -> Iamport:
    """iamport-rest-client calling as the merchant whose payments the write scenarios create."""
    return Iamport(shop.writer.imp_key, shop.writer.imp_secret, imp_url=shop.server.base_url)


def test_iamport_rest_client_pays_onetime_keeping_the_card_then_pays_again_with_it(
    py_writer: Iamport,
) -> None:
    """pay_onetime with customer_uid issues a key (usage ``issue``); pay_again charges it (usage
    ``payment``); both return the paid Payment of the api channel."""
    first = py_writer.pay_onetime(
        merchant_uid="py-onetime-1", amount=11_000, name="첫 달", customer_uid="py-sub", **CHARGE_CARD
    )
    second = py_writer.pay_again(
        customer_uid="py-sub", merchant_uid="py-again-1", amount=9_900, name="둘째 달"
    )

    assert_api_payment(
        first, merchant_uid="py-onetime-1", amount=11_000, customer_uid="py-sub", usage="issue"
    )
    assert_api_payment(
        second, merchant_uid="py-again-1", amount=9_900, customer_uid="py-sub", usage="payment"
    )
    assert second["imp_uid"] != first["imp_uid"]
    assert py_writer.find_by_imp_uid(second["imp_uid"]) == second


def test_iamport_rest_client_cancels_part_by_imp_uid_then_the_rest_by_merchant_uid(
    py_writer: Iamport,
) -> None:
    """cancel_by_imp_uid (amount, checksum) keeps the payment paid with cancel_amount and one
    history entry; cancel_by_merchant_uid without amount cancels the rest."""
    paid = py_writer.pay_onetime(merchant_uid="py-cancel-1", amount=30_000, **CHARGE_CARD)

    partial = py_writer.cancel_by_imp_uid(paid["imp_uid"], "일부 반품", amount=10_000, checksum=30_000)
    rest = py_writer.cancel_by_merchant_uid("py-cancel-1", "나머지 취소")

    assert_api_payment(paid, merchant_uid="py-cancel-1", amount=30_000)
    assert_api_payment(partial, merchant_uid="py-cancel-1", amount=30_000, cancelled=[10_000])
    assert partial["cancel_reason"] == "일부 반품"
    assert_api_payment(
        rest, merchant_uid="py-cancel-1", amount=30_000, status="cancelled", cancelled=[10_000, 20_000]
    )
    assert rest["imp_uid"] == paid["imp_uid"]
    assert [entry["reason"] for entry in rest["cancel_history"]] == ["일부 반품", "나머지 취소"]


def test_iamport_rest_client_pays_foreign_and_cancels_it_with_cancel(py_writer: Iamport) -> None:
    """pay_foreign (the legacy key-in endpoint, §4.4) charges like onetime without a key;
    cancel(reason, merchant_uid=) cancels it in full."""
    paid = py_writer.pay_foreign(merchant_uid="py-foreign-1", amount=5_000, name="해외 카드", **CHARGE_CARD)
    cancelled = py_writer.cancel("주문 취소", merchant_uid="py-foreign-1")

    assert_api_payment(paid, merchant_uid="py-foreign-1", amount=5_000)
    assert_api_payment(
        cancelled, merchant_uid="py-foreign-1", amount=5_000, status="cancelled", cancelled=[5_000]
    )


def test_iamport_rest_client_returns_a_declined_again_as_a_failed_payment(py_writer: Iamport) -> None:
    """A card declined at the charge: pay_again answers code 0, so PY returns the failed Payment
    (merchant code must check ``status``, as PortOne's billing guide says)."""
    py_writer.customer_create(customer_uid="py-limit", **LIMIT_CARD)

    failed = py_writer.pay_again(customer_uid="py-limit", merchant_uid="py-again-declined", amount=4_000)

    assert_api_payment(
        failed,
        merchant_uid="py-again-declined",
        amount=4_000,
        status="failed",
        customer_uid="py-limit",
        usage="payment",
    )
    assert failed["fail_reason"].startswith(LIMIT_DECLINE)


def test_iamport_rest_client_raises_response_error_minus_one_for_declined_key_in_cards(
    py_writer: Iamport,
) -> None:
    """pay_onetime and pay_foreign with a declined card: HTTP 200 code -1 with the contract's
    text and the PG's reason, raised as ResponseError(-1); the failed payment is kept."""
    with pytest.raises(Iamport.ResponseError) as onetime:
        py_writer.pay_onetime(merchant_uid="py-onetime-declined", amount=4_000, **LIMIT_CARD)
    with pytest.raises(Iamport.ResponseError) as foreign:
        py_writer.pay_foreign(merchant_uid="py-foreign-declined", amount=4_000, **LIMIT_CARD)

    for declined in (onetime.value, foreign.value):
        assert declined.code == -1
        assert declined.message.startswith(ONETIME_FAILED_MESSAGE + LIMIT_DECLINE)
    kept = py_writer.find_by_merchant_uid("py-onetime-declined")
    assert_api_payment(kept, merchant_uid="py-onetime-declined", amount=4_000, status="failed")


def test_iamport_rest_client_raises_response_error_1_for_refused_charges_and_cancels(
    py_writer: Iamport,
) -> None:
    """HTTP 200 code 1, raised as ResponseError(1, message): again with an unknown customer_uid,
    a second again with a paid merchant_uid, a cancel of an unknown imp_uid, an over-cancel."""
    py_writer.customer_create(customer_uid="py-dup", **CHARGE_CARD)
    paid = py_writer.pay_again(customer_uid="py-dup", merchant_uid="py-dup-1", amount=7_000)
    py_writer.cancel_by_imp_uid(paid["imp_uid"], "일부", amount=3_000)

    with pytest.raises(Iamport.ResponseError) as unknown_customer:
        py_writer.pay_again(customer_uid="py-nobody", merchant_uid="py-nobody-1", amount=1_000)
    with pytest.raises(Iamport.ResponseError) as duplicate:
        py_writer.pay_again(customer_uid="py-dup", merchant_uid="py-dup-1", amount=7_000)
    with pytest.raises(Iamport.ResponseError) as unknown_payment:
        py_writer.cancel_by_imp_uid(UNKNOWN_IMP_UID, "없는 결제")
    with pytest.raises(Iamport.ResponseError) as over_cancel:
        py_writer.cancel("초과", imp_uid=paid["imp_uid"], amount=4_001)

    assert_code_1_refusals(
        unknown_customer=(unknown_customer.value.code, unknown_customer.value.message),
        duplicate=(duplicate.value.code, duplicate.value.message),
        unknown_payment=(unknown_payment.value.code, unknown_payment.value.message),
        over_cancel=(over_cancel.value.code, over_cancel.value.message),
        merchant_uid="py-dup-1",
        asked=4_001,
        remaining=4_000,
    )
    after = py_writer.find_by_imp_uid(paid["imp_uid"])
    assert_api_payment(
        after,
        merchant_uid="py-dup-1",
        amount=7_000,
        cancelled=[3_000],
        customer_uid="py-dup",
        usage="payment",
    )


def test_iamport_rest_client_raises_http_errors_for_a_prepared_amount_mismatch_and_a_wrong_secret(
    shop: Shop, py_writer: Iamport
) -> None:
    """A charge whose amount differs from /payments/prepare is HTTP 400 (code -1), a wrong secret
    HTTP 401: PY raises HttpError(status) and drops the body."""
    py_writer.prepare("py-prepared-1", 20_000)
    intruder = Iamport(shop.writer.imp_key, WRONG_SECRET, imp_url=shop.server.base_url)

    with pytest.raises(Iamport.HttpError) as mismatch:
        py_writer.pay_onetime(merchant_uid="py-prepared-1", amount=25_000, **CHARGE_CARD)
    with pytest.raises(Iamport.HttpError) as unauthorized:
        intruder.cancel_by_merchant_uid("py-prepared-1", "권한 없음")

    assert (mismatch.value.code, mismatch.value.reason) == (400, "Bad Request")
    assert (unauthorized.value.code, unauthorized.value.reason) == (401, "Unauthorized")
    with pytest.raises(Iamport.HttpError) as nothing_stored:
        py_writer.find_by_merchant_uid("py-prepared-1")
    assert nothing_stored.value.code == 404


# --------------------------------------------------------------------------------------------
# Scheduled payments (§4.4, §5.6) and virtual accounts (§4.6) as the second merchant


def test_iamport_rest_client_schedules_reads_lists_and_unschedules(shop: Shop, py_writer: Iamport) -> None:
    """pay_schedule with card data issues the key and returns the ScheduleResults; pay_schedule_get
    reads one by merchant_uid; pay_schedule_get_between pages the day's schedules; pay_unschedule
    with a string merchant_uid revokes one, without merchant_uid the rest of the customer's."""
    first_at, second_at = schedule_day(shop, "py", 1), schedule_day(shop, "py", 2)
    since, until = listing_window(shop, "py")
    scheduled = py_writer.pay_schedule(
        customer_uid="py-sched",
        **BILLING_CARD,
        schedules=[
            {"merchant_uid": "py-sched-1", "schedule_at": first_at, "amount": 9_900, "name": "1회차"},
            {"merchant_uid": "py-sched-2", "schedule_at": second_at, "amount": 9_900, "name": "2회차"},
        ],
    )
    read = py_writer.pay_schedule_get("py-sched-1")
    page = py_writer.pay_schedule_get_between(schedule_from=since, schedule_to=until)
    one = py_writer.pay_unschedule(customer_uid="py-sched", merchant_uid="py-sched-1")
    rest = py_writer.pay_unschedule(customer_uid="py-sched")
    revoked = py_writer.pay_schedule_get_between(
        schedule_from=since, schedule_to=until, schedule_status="revoked"
    )

    assert merchant_uids(scheduled) == ["py-sched-1", "py-sched-2"]
    for entry, at in zip(scheduled, (first_at, second_at), strict=True):
        assert_schedule(
            entry, customer_uid="py-sched", merchant_uid=entry["merchant_uid"], schedule_at=at, amount=9_900
        )
    assert read == scheduled[0]
    assert (page["total"], page["previous"], page["next"]) == (2, 0, 0)
    assert merchant_uids(page["list"]) == ["py-sched-2", "py-sched-1"]  # -scheduled: latest first
    assert page["list"][1] == scheduled[0]
    assert merchant_uids(one) == ["py-sched-1"]
    assert_schedule(
        one[0],
        customer_uid="py-sched",
        merchant_uid="py-sched-1",
        schedule_at=first_at,
        amount=9_900,
        status="revoked",
    )
    assert merchant_uids(rest) == ["py-sched-2"]
    assert (revoked["total"], merchant_uids(revoked["list"])) == (2, ["py-sched-2", "py-sched-1"])
    assert py_writer.pay_schedule_get("py-sched-2")["schedule_status"] == "revoked"


def test_iamport_rest_client_raises_response_error_1_for_refused_schedules(
    shop: Shop, py_writer: Iamport
) -> None:
    """HTTP 200 code 1, raised as ResponseError(1, message): scheduling for a customer_uid without
    key or card, a merchant_uid already scheduled, an unschedule that matches nothing."""
    entry = {
        "merchant_uid": "py-sched-dup",
        "schedule_at": schedule_day(shop, "py", REFUSALS_HOUR),
        "amount": 5_000,
    }
    py_writer.pay_schedule(customer_uid="py-sched-dup", **BILLING_CARD, schedules=[entry])

    with pytest.raises(Iamport.ResponseError) as no_customer:
        py_writer.pay_schedule(
            customer_uid="py-sched-nobody", schedules=[{**entry, "merchant_uid": "py-sched-nobody-1"}]
        )
    with pytest.raises(Iamport.ResponseError) as duplicate:
        py_writer.pay_schedule(customer_uid="py-sched-dup", schedules=[entry])
    with pytest.raises(Iamport.ResponseError) as nothing:
        py_writer.pay_unschedule(customer_uid="py-sched-nobody")

    assert (no_customer.value.code, no_customer.value.message) == (1, NO_CUSTOMER_MESSAGE)
    assert duplicate.value.code == 1
    assert duplicate.value.message.startswith(DUPLICATE_SCHEDULE_MESSAGE)
    assert "py-sched-dup" in duplicate.value.message
    assert (nothing.value.code, nothing.value.message) == (1, NOTHING_TO_UNSCHEDULE_MESSAGE)


def test_iamport_rest_client_raises_http_errors_for_a_past_schedule_an_unknown_one_and_a_wrong_secret(
    shop: Shop, py_writer: Iamport
) -> None:
    """A schedule_at in the past is HTTP 400, an unknown merchant_uid 404, a wrong secret 401:
    PY raises HttpError(status) without the body; nothing was scheduled."""
    past = {"merchant_uid": "py-sched-past", "schedule_at": shop.now - 60, "amount": 5_000}
    intruder = Iamport(shop.writer.imp_key, WRONG_SECRET, imp_url=shop.server.base_url)

    with pytest.raises(Iamport.HttpError) as bad_time:
        py_writer.pay_schedule(customer_uid="py-sched-past", **BILLING_CARD, schedules=[past])
    with pytest.raises(Iamport.HttpError) as unknown:
        py_writer.pay_schedule_get("py-sched-past")
    with pytest.raises(Iamport.HttpError) as unauthorized:
        intruder.pay_schedule_get("py-sched-past")

    assert (bad_time.value.code, bad_time.value.reason) == (400, "Bad Request")
    assert (unknown.value.code, unknown.value.reason) == (404, "Not Found")
    assert (unauthorized.value.code, unauthorized.value.reason) == (401, "Unauthorized")


def test_iamport_rest_client_revokes_a_virtual_account_by_imp_uid(shop: Shop, py_writer: Iamport) -> None:
    """revoke_vbank_by_imp_uid (DELETE /vbanks/{imp_uid}) of an account issued over plain HTTP
    (PY has no create) returns the cancelled Payment; revoking it again is HTTP 400 and an
    unknown imp_uid HTTP 404, raised as HttpError."""
    issued = rest_call(shop.server, shop.writer, "POST", "/vbanks", vbank_order(shop, "py-vbank-1", 25_000))
    imp_uid = issued["response"]["imp_uid"]

    revoked = py_writer.revoke_vbank_by_imp_uid(imp_uid)
    with pytest.raises(Iamport.HttpError) as again:
        py_writer.revoke_vbank_by_imp_uid(imp_uid)
    with pytest.raises(Iamport.HttpError) as unknown:
        py_writer.revoke_vbank_by_imp_uid(UNKNOWN_IMP_UID)

    assert_vbank(issued["response"], merchant_uid="py-vbank-1", amount=25_000, due=vbank_due(shop))
    assert_vbank(revoked, merchant_uid="py-vbank-1", amount=25_000, due=vbank_due(shop), status="cancelled")
    assert (revoked["imp_uid"], revoked["cancel_reason"]) == (imp_uid, REVOKE_REASON)
    assert py_writer.find_by_imp_uid(imp_uid) == revoked
    assert (again.value.code, unknown.value.code) == (400, 404)
