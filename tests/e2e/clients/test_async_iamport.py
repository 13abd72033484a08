"""PyPI ``async-iamport`` (APY) against a live homeport (iamport-v1 §1-3, §9).

APY is aiohttp with ``base_url`` = origin and a cached token; like PY it raises ``HttpError``
for any status other than 200 and ``ResponseError`` for ``code != 0`` [APY ``get_response``].

Charges and cancels (§4.1, §4.4) run as the package's second merchant (``Shop.writer``):
pay_onetime, pay_again, pay_foreign, cancel, cancel_by_imp_uid, cancel_by_merchant_uid, and
every refusal APY can see. As with PY, an HTTP 400/401 (prepared-amount mismatch, wrong
secret) reaches merchant code as ``HttpError(status, reason)`` without the body, which APY
leaves unread and unreleased [APY client.py:110-112]; see ``release_unread_response``.

Schedules (§4.4, §5.6) and virtual accounts (§4.6), also as the second merchant, with PY's
methods: pay_schedule, pay_schedule_get, pay_schedule_get_between (with ``page``/``limit``),
pay_unschedule and revoke_vbank_by_imp_uid. Unlike PY, APY checks no parameter before the
request. Gaps as PY's: no vbank create (issued over plain HTTP), no customer schedule listing,
no schedule PUT/reschedule/retry, no escrow method.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from async_iamport import AsyncIamport
from async_iamport import HttpError as AsyncHttpError
from async_iamport import ResponseError as AsyncResponseError

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
    imp_uids,
    unknown_customer_message,
)
from tests.e2e.clients.vbanks import REVOKE_REASON, assert_vbank, vbank_due, vbank_order
from tests.support import DEMO_KEY, DEMO_SECRET

pytestmark = pytest.mark.clients


def release_unread_response(error: BaseException) -> None:
    """Release the response async-iamport dropped when it raised ``error``.

    Its ``get_response`` raises HttpError for a non-200 status without reading or releasing
    the aiohttp response (a leak in the library), and the held connection later warns
    "Unclosed connection" at garbage collection, which this suite treats as an error.
    """
    trace = error.__traceback__
    while trace is not None:
        response = trace.tb_frame.f_locals.get("response")
        if isinstance(response, aiohttp.ClientResponse):
            response.release()
        trace = trace.tb_next


@pytest.fixture
async def apy_client(shop: Shop) -> AsyncIterator[AsyncIamport]:
    """async-iamport pointed at the live server; its aiohttp session is closed afterwards."""
    client = AsyncIamport(imp_key=DEMO_KEY, imp_secret=DEMO_SECRET, imp_url=shop.server.host)
    yield client
    await client.close_session()


async def test_async_iamport_finds_payments_by_imp_uid_and_merchant_uid(
    shop: Shop, apy_client: AsyncIamport
) -> None:
    """find_by_imp_uid and find_by_merchant_uid (with and without status) return the right payment."""
    assert_payment(await apy_client.find_by_imp_uid(shop.partial.imp_uid), shop.partial)
    assert_payment(await apy_client.find_by_imp_uid(shop.vbank.imp_uid), shop.vbank)
    assert_payment(await apy_client.find_by_merchant_uid("hp-retry"), shop.retry_paid)
    assert_payment(await apy_client.find_by_merchant_uid("hp-retry", "failed"), shop.retry_failed)
    assert await apy_client.is_paid(39000, imp_uid=shop.paid.imp_uid) is True


async def test_async_iamport_lists_payments_by_status(shop: Shop, apy_client: AsyncIamport) -> None:
    """find_by_status passes page and limit as query parameters and gets a paged listing."""
    page = await apy_client.find_by_status("paid", page=2, limit=1)
    ready = await apy_client.find_by_status("ready")
    assert (page["total"], page["previous"], page["next"]) == (3, 1, 3)
    assert imp_uids(page["list"]) == [shop.by_status["paid"][1].imp_uid]
    assert imp_uids(ready["list"]) == [shop.vbank.imp_uid]


async def test_async_iamport_raises_http_error_401_for_a_wrong_secret(shop: Shop) -> None:
    """A wrong secret makes getToken answer 401, raised as async_iamport.HttpError(401)."""
    client = AsyncIamport(imp_key=DEMO_KEY, imp_secret=WRONG_SECRET, imp_url=shop.server.host)
    try:
        with pytest.raises(AsyncHttpError) as caught:
            await client.find_by_imp_uid(shop.paid.imp_uid)
    finally:
        await client.close_session()
    release_unread_response(caught.value)
    assert caught.value.code == 401


async def test_async_iamport_raises_http_error_404_for_an_unknown_imp_uid(apy_client: AsyncIamport) -> None:
    """An unknown imp_uid answers 404, raised as async_iamport.HttpError(404)."""
    with pytest.raises(AsyncHttpError) as caught:
        await apy_client.find_by_imp_uid(UNKNOWN_IMP_UID)
    release_unread_response(caught.value)
    assert (caught.value.code, caught.value.reason) == (404, "Not Found")


# --------------------------------------------------------------------------------------------
# Amount pre-registration (/payments/prepare, §4.2)


async def test_async_iamport_prepares_adjusts_and_validates(shop: Shop, apy_client: AsyncIamport) -> None:
    """prepare, adjust_prepare_amount (PUT) and prepare_validate agree on the changed amount."""
    await apy_client.prepare("apy-prepare-1", 10_000)
    await apy_client.adjust_prepare_amount("apy-prepare-1", 12_500)

    assert await apy_client.prepare_validate("apy-prepare-1", 12_500) is True
    assert await apy_client.prepare_validate("apy-prepare-1", 10_000) is False


# --------------------------------------------------------------------------------------------
# Billing keys (§4.3, §5.5) through the demo merchant's sandbox billing channel (A52Q7)


async def test_async_iamport_creates_reads_and_deletes_a_billing_key(apy_client: AsyncIamport) -> None:
    """customer_create (customer_uid repeated in the JSON body), customer_get, customer_delete;
    an unknown customer_uid is HTTP 200 code 1, raised as ResponseError(1, message)."""
    created = await apy_client.customer_create(
        customer_uid="apy-cust", customer_tel="010-1234-5678", **BILLING_CARD
    )
    read = await apy_client.customer_get("apy-cust")
    deleted = await apy_client.customer_delete("apy-cust")
    with pytest.raises(AsyncResponseError) as gone:
        await apy_client.customer_get("apy-cust")

    assert created["customer_uid"] == "apy-cust"
    assert created["customer_tel"] == "010-1234-5678"
    assert created["card_number"] == MASKED_BILLING_CARD
    assert read == created
    assert deleted == created
    assert (gone.value.code, gone.value.message) == (1, unknown_customer_message("apy-cust"))


async def test_async_iamport_raises_response_error_minus_one_for_a_declined_card(
    apy_client: AsyncIamport,
) -> None:
    """A card the PG refuses at issuance: HTTP 200 code -1, raised as ResponseError(-1, ...)."""
    with pytest.raises(AsyncResponseError) as declined:
        await apy_client.customer_create(customer_uid="apy-declined", **DECLINED_CARD)

    assert declined.value.code == -1
    assert declined.value.message.startswith(ISSUE_FAILED_MESSAGE)


# --------------------------------------------------------------------------------------------
# Charges and cancels (§4.1, §4.4) as the second merchant (Shop.writer: the demo's listings stay)


@pytest.fixture
async def apy_writer(shop: Shop) -> AsyncIterator[AsyncIamport]:
    """async-iamport calling as the merchant whose payments the write scenarios create."""
    client = AsyncIamport(
        imp_key=shop.writer.imp_key, imp_secret=shop.writer.imp_secret, imp_url=shop.server.host
    )
    yield client
    await client.close_session()


async def test_async_iamport_pays_onetime_keeping_the_card_then_pays_again_with_it(
    apy_writer: AsyncIamport,
) -> None:
    """pay_onetime with customer_uid issues a key (usage ``issue``); pay_again charges it (usage
    ``payment``); both return the paid Payment of the api channel."""
    first = await apy_writer.pay_onetime(
        merchant_uid="apy-onetime-1",
        amount=12_000,
        customer_uid="apy-sub",
        customer_name="정하나",
        **CHARGE_CARD,
    )
    second = await apy_writer.pay_again(
        customer_uid="apy-sub", merchant_uid="apy-again-1", amount=8_800, name="구독"
    )

    assert_api_payment(
        first, merchant_uid="apy-onetime-1", amount=12_000, customer_uid="apy-sub", usage="issue"
    )
    assert_api_payment(
        second, merchant_uid="apy-again-1", amount=8_800, customer_uid="apy-sub", usage="payment"
    )
    assert second["buyer_name"] == "정하나"  # missing buyer fields come from the key (§4.4)
    assert await apy_writer.find_by_imp_uid(second["imp_uid"]) == second


async def test_async_iamport_cancels_part_by_imp_uid_then_the_rest_by_merchant_uid(
    apy_writer: AsyncIamport,
) -> None:
    """cancel_by_imp_uid (amount, checksum) keeps the payment paid with one history entry;
    cancel_by_merchant_uid without amount cancels the rest."""
    paid = await apy_writer.pay_onetime(merchant_uid="apy-cancel-1", amount=40_000, **CHARGE_CARD)

    partial = await apy_writer.cancel_by_imp_uid(paid["imp_uid"], "일부 반품", amount=15_000, checksum=40_000)
    rest = await apy_writer.cancel_by_merchant_uid("apy-cancel-1", "나머지 취소")

    assert_api_payment(paid, merchant_uid="apy-cancel-1", amount=40_000)
    assert_api_payment(partial, merchant_uid="apy-cancel-1", amount=40_000, cancelled=[15_000])
    assert_api_payment(
        rest, merchant_uid="apy-cancel-1", amount=40_000, status="cancelled", cancelled=[15_000, 25_000]
    )
    assert rest["imp_uid"] == paid["imp_uid"]


async def test_async_iamport_pays_foreign_and_cancels_it_with_cancel(apy_writer: AsyncIamport) -> None:
    """pay_foreign (legacy key-in, §4.4) charges without a key; cancel(reason, imp_uid=) in full."""
    paid = await apy_writer.pay_foreign(merchant_uid="apy-foreign-1", amount=6_000, **CHARGE_CARD)
    cancelled = await apy_writer.cancel("주문 취소", imp_uid=paid["imp_uid"])

    assert_api_payment(paid, merchant_uid="apy-foreign-1", amount=6_000)
    assert_api_payment(
        cancelled, merchant_uid="apy-foreign-1", amount=6_000, status="cancelled", cancelled=[6_000]
    )


async def test_async_iamport_returns_a_declined_again_as_a_failed_payment(apy_writer: AsyncIamport) -> None:
    """A card declined at the charge: pay_again answers code 0 with the failed Payment."""
    await apy_writer.customer_create(customer_uid="apy-limit", **LIMIT_CARD)

    failed = await apy_writer.pay_again(
        customer_uid="apy-limit", merchant_uid="apy-again-declined", amount=4_000
    )

    assert_api_payment(
        failed,
        merchant_uid="apy-again-declined",
        amount=4_000,
        status="failed",
        customer_uid="apy-limit",
        usage="payment",
    )
    assert failed["fail_reason"].startswith(LIMIT_DECLINE)


async def test_async_iamport_raises_response_error_minus_one_for_declined_key_in_cards(
    apy_writer: AsyncIamport,
) -> None:
    """pay_onetime and pay_foreign with a declined card: HTTP 200 code -1, ResponseError(-1)."""
    with pytest.raises(AsyncResponseError) as onetime:
        await apy_writer.pay_onetime(merchant_uid="apy-onetime-declined", amount=4_000, **LIMIT_CARD)
    with pytest.raises(AsyncResponseError) as foreign:
        await apy_writer.pay_foreign(merchant_uid="apy-foreign-declined", amount=4_000, **LIMIT_CARD)

    for declined in (onetime.value, foreign.value):
        assert declined.code == -1
        assert declined.message.startswith(ONETIME_FAILED_MESSAGE + LIMIT_DECLINE)


async def test_async_iamport_raises_response_error_1_for_refused_charges_and_cancels(
    apy_writer: AsyncIamport,
) -> None:
    """HTTP 200 code 1, raised as ResponseError(1, message): unknown customer_uid, a repeated
    paid merchant_uid, an unknown imp_uid to cancel, an over-cancel."""
    await apy_writer.customer_create(customer_uid="apy-dup", **CHARGE_CARD)
    paid = await apy_writer.pay_again(customer_uid="apy-dup", merchant_uid="apy-dup-1", amount=7_000)

    with pytest.raises(AsyncResponseError) as unknown_customer:
        await apy_writer.pay_again(customer_uid="apy-nobody", merchant_uid="apy-nobody-1", amount=1_000)
    with pytest.raises(AsyncResponseError) as duplicate:
        await apy_writer.pay_again(customer_uid="apy-dup", merchant_uid="apy-dup-1", amount=7_000)
    with pytest.raises(AsyncResponseError) as unknown_payment:
        await apy_writer.cancel_by_imp_uid(UNKNOWN_IMP_UID, "없는 결제")
    with pytest.raises(AsyncResponseError) as over_cancel:
        await apy_writer.cancel_by_merchant_uid("apy-dup-1", "초과", amount=7_001)

    assert_code_1_refusals(
        unknown_customer=(unknown_customer.value.code, unknown_customer.value.message),
        duplicate=(duplicate.value.code, duplicate.value.message),
        unknown_payment=(unknown_payment.value.code, unknown_payment.value.message),
        over_cancel=(over_cancel.value.code, over_cancel.value.message),
        merchant_uid="apy-dup-1",
        asked=7_001,
        remaining=7_000,
    )
    after = await apy_writer.find_by_imp_uid(paid["imp_uid"])
    assert_api_payment(after, merchant_uid="apy-dup-1", amount=7_000, customer_uid="apy-dup", usage="payment")


async def test_async_iamport_raises_http_errors_for_a_prepared_amount_mismatch_and_a_wrong_secret(
    shop: Shop, apy_writer: AsyncIamport
) -> None:
    """A charge whose amount differs from /payments/prepare is HTTP 400, a wrong secret HTTP 401:
    APY raises HttpError(status) and leaves the body unread."""
    await apy_writer.prepare("apy-prepared-1", 20_000)
    intruder = AsyncIamport(imp_key=shop.writer.imp_key, imp_secret=WRONG_SECRET, imp_url=shop.server.host)

    with pytest.raises(AsyncHttpError) as mismatch:
        await apy_writer.pay_onetime(merchant_uid="apy-prepared-1", amount=25_000, **CHARGE_CARD)
    try:
        with pytest.raises(AsyncHttpError) as unauthorized:
            await intruder.cancel_by_merchant_uid("apy-prepared-1", "권한 없음")
    finally:
        await intruder.close_session()

    for error in (mismatch.value, unauthorized.value):
        release_unread_response(error)
    assert (mismatch.value.code, mismatch.value.reason) == (400, "Bad Request")
    assert unauthorized.value.code == 401


# --------------------------------------------------------------------------------------------
# Scheduled payments (§4.4, §5.6) and virtual accounts (§4.6) as the second merchant


async def test_async_iamport_schedules_reads_lists_and_unschedules(
    shop: Shop, apy_writer: AsyncIamport
) -> None:
    """pay_schedule with card data issues the key and returns the ScheduleResults; pay_schedule_get
    reads one; pay_schedule_get_between pages the day's schedules (``limit`` 1: two pages);
    pay_unschedule with a string merchant_uid revokes one."""
    first_at, second_at = schedule_day(shop, "apy", 1), schedule_day(shop, "apy", 2)
    since, until = listing_window(shop, "apy")
    scheduled = await apy_writer.pay_schedule(
        customer_uid="apy-sched",
        **BILLING_CARD,
        schedules=[
            {"merchant_uid": "apy-sched-1", "schedule_at": first_at, "amount": 12_000},
            {"merchant_uid": "apy-sched-2", "schedule_at": second_at, "amount": 12_000},
        ],
    )
    read = await apy_writer.pay_schedule_get("apy-sched-2")
    first_page = await apy_writer.pay_schedule_get_between(schedule_from=since, schedule_to=until, limit=1)
    second_page = await apy_writer.pay_schedule_get_between(
        schedule_from=since, schedule_to=until, limit=1, page=2
    )
    revoked = await apy_writer.pay_unschedule(customer_uid="apy-sched", merchant_uid="apy-sched-2")

    assert merchant_uids(scheduled) == ["apy-sched-1", "apy-sched-2"]
    for entry, at in zip(scheduled, (first_at, second_at), strict=True):
        assert_schedule(
            entry, customer_uid="apy-sched", merchant_uid=entry["merchant_uid"], schedule_at=at, amount=12_000
        )
    assert read == scheduled[1]
    assert [(p["total"], p["previous"], p["next"]) for p in (first_page, second_page)] == [
        (2, 0, 2),
        (2, 1, 0),
    ]
    assert merchant_uids(first_page["list"] + second_page["list"]) == ["apy-sched-2", "apy-sched-1"]
    (cancelled,) = revoked
    assert_schedule(
        cancelled,
        customer_uid="apy-sched",
        merchant_uid="apy-sched-2",
        schedule_at=second_at,
        amount=12_000,
        status="revoked",
    )


async def test_async_iamport_raises_response_error_1_for_refused_schedules(
    shop: Shop, apy_writer: AsyncIamport
) -> None:
    """HTTP 200 code 1, raised as ResponseError(1, message): scheduling for a customer_uid without
    key or card, a merchant_uid already scheduled, an unschedule that matches nothing."""
    entry = {
        "merchant_uid": "apy-sched-dup",
        "schedule_at": schedule_day(shop, "apy", REFUSALS_HOUR),
        "amount": 5_000,
    }
    await apy_writer.pay_schedule(customer_uid="apy-sched-dup", **BILLING_CARD, schedules=[entry])

    with pytest.raises(AsyncResponseError) as no_customer:
        await apy_writer.pay_schedule(
            customer_uid="apy-sched-nobody", schedules=[{**entry, "merchant_uid": "apy-sched-nobody-1"}]
        )
    with pytest.raises(AsyncResponseError) as duplicate:
        await apy_writer.pay_schedule(customer_uid="apy-sched-dup", schedules=[entry])
    with pytest.raises(AsyncResponseError) as nothing:
        await apy_writer.pay_unschedule(customer_uid="apy-sched-nobody")

    assert (no_customer.value.code, no_customer.value.message) == (1, NO_CUSTOMER_MESSAGE)
    assert duplicate.value.code == 1
    assert duplicate.value.message.startswith(DUPLICATE_SCHEDULE_MESSAGE)
    assert "apy-sched-dup" in duplicate.value.message
    assert (nothing.value.code, nothing.value.message) == (1, NOTHING_TO_UNSCHEDULE_MESSAGE)


async def test_async_iamport_raises_http_errors_for_a_past_schedule_and_an_unknown_one(
    shop: Shop, apy_writer: AsyncIamport
) -> None:
    """A schedule_at in the past is HTTP 400 and an unknown merchant_uid 404: APY raises
    HttpError(status) and leaves the body unread."""
    past = {"merchant_uid": "apy-sched-past", "schedule_at": shop.now - 60, "amount": 5_000}

    with pytest.raises(AsyncHttpError) as bad_time:
        await apy_writer.pay_schedule(customer_uid="apy-sched-past", **BILLING_CARD, schedules=[past])
    with pytest.raises(AsyncHttpError) as unknown:
        await apy_writer.pay_schedule_get("apy-sched-past")

    for error in (bad_time.value, unknown.value):
        release_unread_response(error)
    assert (bad_time.value.code, bad_time.value.reason) == (400, "Bad Request")
    assert (unknown.value.code, unknown.value.reason) == (404, "Not Found")


async def test_async_iamport_revokes_a_virtual_account_by_imp_uid(
    shop: Shop, apy_writer: AsyncIamport
) -> None:
    """revoke_vbank_by_imp_uid of an account issued over plain HTTP (APY has no create) returns
    the cancelled Payment; an unknown imp_uid is HTTP 404, raised as HttpError."""
    issued = rest_call(shop.server, shop.writer, "POST", "/vbanks", vbank_order(shop, "apy-vbank-1", 18_000))
    imp_uid = issued["response"]["imp_uid"]

    revoked = await apy_writer.revoke_vbank_by_imp_uid(imp_uid)
    with pytest.raises(AsyncHttpError) as unknown:
        await apy_writer.revoke_vbank_by_imp_uid(UNKNOWN_IMP_UID)

    release_unread_response(unknown.value)
    assert_vbank(revoked, merchant_uid="apy-vbank-1", amount=18_000, due=vbank_due(shop), status="cancelled")
    assert (revoked["imp_uid"], revoked["cancel_reason"]) == (imp_uid, REVOKE_REASON)
    assert unknown.value.code == 404
