"""PyPI ``iamporter`` (IMPY) against a live homeport (iamport-v1 §1-3, §9).

IMPY form-encodes everything (getToken included), fetches its token once at construction and
keeps only scheme and host of ``imp_url``. 401 -> ``ImpUnAuthorized(message)``; any other
failure -> ``ImpApiError(IamportResponse)`` [IMPY client.py ``_process_response``]. Its
low-level ``iamporter.api.Payments`` returns ``IamportResponse`` (status, code, message, data)
without raising.

Charges and cancels (§4.1, §4.4), form-encoded, run as the package's second merchant
(``Shop.writer``): create_payment (onetime when given a card, again when given only a
customer_uid), ``Subscribe.post_payments_onetime`` / ``post_payments_again`` /
``get_customers_payments``, cancel_payment and ``Payments.post_cancel``, and every refusal.
Gaps: IMPY has no prepare method (the amount is registered over plain HTTP for the mismatch
scenario); a wrong secret can only fail the constructor, which fetches the token once;
cancel_payment takes no ``checksum`` (``Payments.post_cancel`` does); create_payment refuses
a call without ``name`` or with a zero amount before any request [IMPY client.py:198].
IMPY's onetime sends no customer_* fields, so the key it keeps takes the buyer_* fields, as
i'mport's onetime description (quoted in IMPY's own docstring) says.

Schedules, virtual accounts and escrow: IMPY 0.x has no method for any of them. Its
``Subscribe`` namespace has no schedule method and its ``VBanks`` and ``Escrows`` namespaces
are declared empty [IMPY api.py:16-18, 315-316]; what a merchant gets by extending them with
their inherited ``_post`` / ``_delete`` (form-encoded, PHP brackets for ``schedules[0][...]``
and ``logis[...]``) is asserted here, raw IamportResponse included.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from iamporter import Iamporter
from iamporter.api import Escrows as IamporterEscrows
from iamporter.api import Payments as IamporterPayments
from iamporter.api import Subscribe as IamporterSubscribe
from iamporter.api import VBanks as IamporterVBanks
from iamporter.errors import ImpApiError, ImpUnAuthorized

from tests.e2e.clients.charges import (
    CHARGE_CARD,
    LIMIT_CARD,
    LIMIT_DECLINE,
    ONETIME_FAILED_MESSAGE,
    assert_api_payment,
    assert_code_1_refusals,
    prepare_amount,
)
from tests.e2e.clients.schedules import (
    NO_CUSTOMER_MESSAGE,
    NOTHING_TO_UNSCHEDULE_MESSAGE,
    REFUSALS_HOUR,
    assert_schedule,
    schedule_day,
)
from tests.e2e.clients.shop import (
    BILLING_CARD,
    NOT_FOUND_MESSAGE,
    UNKNOWN_IMP_UID,
    WRONG_SECRET,
    Shop,
    assert_payment,
    imp_uids,
)
from tests.e2e.clients.vbanks import NOT_ESCROW_MESSAGE, assert_vbank, vbank_due, vbank_order
from tests.support import DEMO_KEY, DEMO_SECRET

pytestmark = pytest.mark.clients


@pytest.fixture
def impy_client(shop: Shop) -> Iterator[Iamporter]:
    """iamporter's high-level client pointed at the live server."""
    client = Iamporter(imp_key=DEMO_KEY, imp_secret=DEMO_SECRET, imp_url=shop.server.base_url)
    yield client
    client.requests_session.close()


@pytest.fixture
def impy_payments(impy_client: Iamporter) -> IamporterPayments:
    """iamporter's low-level payments API sharing the client's token and session."""
    return IamporterPayments(**impy_client._api_kwargs)


def test_iamporter_authenticates_with_a_form_encoded_get_token(impy_client: Iamporter) -> None:
    """Iamporter's constructor posts imp_key/imp_secret as a form and keeps the 40-hex token."""
    token = impy_client.imp_auth.token
    assert isinstance(token, str)
    assert len(token) == 40


def test_iamporter_finds_a_paid_payment_by_imp_uid(shop: Shop, impy_client: Iamporter) -> None:
    """find_payment(imp_uid=) returns the paid card payment with every field."""
    assert_payment(impy_client.find_payment(imp_uid=shop.paid.imp_uid), shop.paid)


def test_iamporter_finds_the_latest_payment_by_merchant_uid(shop: Shop, impy_client: Iamporter) -> None:
    """find_payment(merchant_uid=) returns the most recently started payment of the order."""
    assert_payment(impy_client.find_payment(merchant_uid="hp-retry"), shop.retry_paid)


def test_iamporter_finds_a_payment_by_merchant_uid_and_status(
    shop: Shop, impy_payments: IamporterPayments
) -> None:
    """get_find with a status segment returns that order's payment in that status."""
    answer = impy_payments.get_find("hp-retry", payment_status="failed")
    assert (answer.status, answer.code, answer.message) == (200, 0, None)
    assert_payment(answer.data, shop.retry_failed)


def test_iamporter_lists_every_payment_of_a_merchant_uid(
    shop: Shop, impy_payments: IamporterPayments
) -> None:
    """get_findall pages every payment sharing a merchant_uid, in the requested sorting."""
    newest_first = impy_payments.get_findall("hp-retry")
    oldest_first = impy_payments.get_findall("hp-retry", page=1, sorting="started")
    only_paid = impy_payments.get_findall("hp-retry", payment_status="paid")
    assert newest_first.is_succeed
    assert {k: newest_first.data[k] for k in ("total", "previous", "next")} == {
        "total": 2,
        "previous": 0,
        "next": 0,
    }
    assert imp_uids(newest_first.data["list"]) == [shop.retry_paid.imp_uid, shop.retry_failed.imp_uid]
    assert imp_uids(oldest_first.data["list"]) == [shop.retry_failed.imp_uid, shop.retry_paid.imp_uid]
    assert imp_uids(only_paid.data["list"]) == [shop.retry_paid.imp_uid]
    assert_payment(newest_first.data["list"][1], shop.retry_failed)


def test_iamporter_lists_payments_by_status_within_a_time_window(
    shop: Shop, impy_payments: IamporterPayments
) -> None:
    """get_status filters paid payments on paid_at between search_from and search_to."""
    everything = impy_payments.get_status("all", limit=100)
    refunded = impy_payments.get_status("cancelled")
    window = impy_payments.get_status(
        "paid", search_from=shop.now - 4000, search_to=shop.now - 3100, sorting="-paid"
    )
    assert everything.is_succeed
    assert everything.data["total"] == 6
    assert imp_uids(everything.data["list"]) == [p.imp_uid for p in shop.by_status["all"]]
    assert imp_uids(refunded.data["list"]) == [shop.refunded.imp_uid]
    assert_payment(refunded.data["list"][0], shop.refunded)
    assert window.data["total"] == 1
    assert imp_uids(window.data["list"]) == [shop.paid.imp_uid]


def test_iamporter_sees_partial_cancel_and_virtual_account_fields(shop: Shop, impy_client: Iamporter) -> None:
    """Partial cancel (cancel_amount, cancel_history) and vbank fields reach iamporter intact."""
    assert_payment(impy_client.find_payment(imp_uid=shop.partial.imp_uid), shop.partial)
    assert_payment(impy_client.find_payment(imp_uid=shop.vbank.imp_uid), shop.vbank)


def test_iamporter_raises_imp_unauthorized_for_a_wrong_secret(shop: Shop) -> None:
    """A wrong secret fails getToken with 401 and a JSON message, raised as ImpUnAuthorized."""
    with pytest.raises(ImpUnAuthorized) as caught:
        Iamporter(imp_key=DEMO_KEY, imp_secret=WRONG_SECRET, imp_url=shop.server.base_url)
    assert isinstance(caught.value.message, str)
    assert caught.value.message


def test_iamporter_raises_imp_unauthorized_when_its_token_is_rejected(
    shop: Shop, impy_client: Iamporter
) -> None:
    """A call with an invalid access token answers 401 with a message, raised as ImpUnAuthorized."""
    impy_client.imp_auth.token = "0" * 40
    with pytest.raises(ImpUnAuthorized) as caught:
        impy_client.find_payment(imp_uid=shop.paid.imp_uid)
    assert isinstance(caught.value.message, str)
    assert caught.value.message


def test_iamporter_raises_imp_api_error_for_an_unknown_imp_uid(impy_client: Iamporter) -> None:
    """An unknown imp_uid answers 404 with code -1 and the contract's message, as ImpApiError."""
    with pytest.raises(ImpApiError) as caught:
        impy_client.find_payment(imp_uid=UNKNOWN_IMP_UID)
    answer = caught.value.response
    assert (answer.status, answer.code, answer.message, answer.data) == (404, -1, NOT_FOUND_MESSAGE, None)


# --------------------------------------------------------------------------------------------
# Billing keys (§4.3, §5.5) through the demo merchant's sandbox billing channel (A52Q7)


def test_iamporter_creates_finds_and_deletes_a_billing_key(impy_client: Iamporter) -> None:
    """create_billkey (form-encoded), find_billkey, delete_billkey; unknown -> ImpApiError."""
    created = impy_client.create_billkey(
        customer_uid="impy-cust", customer_info={"name": "김철수", "postcode": "04524"}, **BILLING_CARD
    )
    found = impy_client.find_billkey(customer_uid="impy-cust")
    deleted = impy_client.delete_billkey(customer_uid="impy-cust")
    with pytest.raises(ImpApiError) as gone:
        impy_client.find_billkey(customer_uid="impy-cust")

    assert created["customer_uid"] == "impy-cust"
    assert created["customer_name"] == "김철수"
    assert created["customer_postcode"] == "04524"
    assert found == created
    assert deleted["customer_uid"] == "impy-cust"
    assert gone.value.response.code == 1


# --------------------------------------------------------------------------------------------
# Charges and cancels (§4.1, §4.4), form-encoded, as the second merchant (Shop.writer)


@pytest.fixture
def impy_writer(shop: Shop) -> Iterator[Iamporter]:
    """iamporter calling as the merchant whose payments the write scenarios create."""
    client = Iamporter(
        imp_key=shop.writer.imp_key, imp_secret=shop.writer.imp_secret, imp_url=shop.server.base_url
    )
    yield client
    client.requests_session.close()


@pytest.fixture
def impy_subscribe(impy_writer: Iamporter) -> IamporterSubscribe:
    """iamporter's low-level subscribe API (returns IamportResponse, never raises)."""
    return IamporterSubscribe(**impy_writer._api_kwargs)


@pytest.fixture
def impy_writer_payments(impy_writer: Iamporter) -> IamporterPayments:
    """iamporter's low-level payments API as the second merchant."""
    return IamporterPayments(**impy_writer._api_kwargs)


def test_iamporter_create_payment_charges_a_card_keeping_it_then_charges_the_key(
    impy_writer: Iamporter, impy_subscribe: IamporterSubscribe
) -> None:
    """create_payment with a card and customer_uid goes to onetime (usage ``issue``); with only
    the customer_uid to again (usage ``payment``); Subscribe.get_customers_payments pages both,
    newest first. Amounts travel as form digits and come back as numbers."""
    first = impy_writer.create_payment(
        merchant_uid="impy-onetime-1",
        customer_uid="impy-sub",
        name="첫 달",
        amount=13_000,
        buyer_info={"name": "김철수", "email": "kim@example.com"},
        custom_data='{"plan":"basic"}',
        **CHARGE_CARD,
    )
    second = impy_writer.create_payment(
        merchant_uid="impy-again-1", customer_uid="impy-sub", name="둘째 달", amount=13_000
    )
    listed = impy_subscribe.get_customers_payments("impy-sub", page=1)
    key = impy_writer.find_billkey(customer_uid="impy-sub")

    assert_api_payment(
        first, merchant_uid="impy-onetime-1", amount=13_000, customer_uid="impy-sub", usage="issue"
    )
    assert (first["buyer_name"], first["buyer_email"], first["custom_data"]) == (
        "김철수",
        "kim@example.com",
        '{"plan":"basic"}',
    )
    assert_api_payment(
        second, merchant_uid="impy-again-1", amount=13_000, customer_uid="impy-sub", usage="payment"
    )
    # IMPY cannot send customer_* to onetime: the key keeps buyer_info as its customer fields
    # (i'mport's onetime description), and again falls back to them for its buyer (§4.4).
    assert (key["customer_name"], key["customer_email"]) == ("김철수", "kim@example.com")
    assert (second["buyer_name"], second["buyer_email"]) == ("김철수", "kim@example.com")
    assert (listed.status, listed.code) == (200, 0)
    assert {k: listed.data[k] for k in ("total", "previous", "next")} == {
        "total": 2,
        "previous": 0,
        "next": 0,
    }
    # Newest started first; two charges in the same second tie, and homeport breaks ties by
    # imp_uid, so only the order of started_at is certain.
    listing = listed.data["list"]
    assert sorted(imp_uids(listing)) == sorted([first["imp_uid"], second["imp_uid"]])
    assert listing[0]["started_at"] >= listing[1]["started_at"]
    assert {p["imp_uid"]: p for p in listing}[second["imp_uid"]] == second


def test_iamporter_low_level_onetime_and_again_answer_iamport_responses(
    impy_writer: Iamporter, impy_subscribe: IamporterSubscribe
) -> None:
    """Subscribe.post_payments_onetime / post_payments_again return IamportResponse(200, 0, None,
    Payment) without raising."""
    onetime = impy_subscribe.post_payments_onetime(
        "impy-onetime-2", 21_000, customer_uid="impy-low", name="단건", **CHARGE_CARD
    )
    again = impy_subscribe.post_payments_again("impy-low", "impy-again-2", 3_300, "추가 결제")

    assert (onetime.status, onetime.code, onetime.message) == (200, 0, None)
    assert_api_payment(
        onetime.data, merchant_uid="impy-onetime-2", amount=21_000, customer_uid="impy-low", usage="issue"
    )
    assert (again.status, again.code, again.message) == (200, 0, None)
    assert_api_payment(
        again.data, merchant_uid="impy-again-2", amount=3_300, customer_uid="impy-low", usage="payment"
    )
    assert impy_writer.find_payment(imp_uid=again.data["imp_uid"]) == again.data


def test_iamporter_cancels_part_with_post_cancel_then_the_rest_with_cancel_payment(
    impy_writer: Iamporter, impy_writer_payments: IamporterPayments
) -> None:
    """Payments.post_cancel (form amount and checksum, as floats) cancels part and keeps the
    payment paid; cancel_payment(merchant_uid=) without amount cancels the rest."""
    paid = impy_writer.create_payment(merchant_uid="impy-cancel-1", name="코트", amount=50_000, **CHARGE_CARD)

    # IMPY documents amounts as floats; a whole float travels as "20000.0" and is that amount.
    partial = impy_writer_payments.post_cancel(
        imp_uid=paid["imp_uid"], amount=20_000.0, checksum=50_000.0, reason="일부"
    )
    rest = impy_writer.cancel_payment(merchant_uid="impy-cancel-1", reason="나머지")

    assert_api_payment(paid, merchant_uid="impy-cancel-1", amount=50_000)
    assert (partial.status, partial.code) == (200, 0)
    assert_api_payment(partial.data, merchant_uid="impy-cancel-1", amount=50_000, cancelled=[20_000])
    assert_api_payment(
        rest, merchant_uid="impy-cancel-1", amount=50_000, status="cancelled", cancelled=[20_000, 30_000]
    )


def test_iamporter_returns_a_declined_again_and_raises_for_a_declined_onetime(
    impy_writer: Iamporter, impy_subscribe: IamporterSubscribe
) -> None:
    """A card that issues a key but is declined at every charge: create_payment by customer_uid
    (again, code 0) returns the failed Payment; create_payment with the card (onetime, HTTP 200
    code -1) raises ImpApiError carrying the contract's text and the PG's reason."""
    impy_writer.create_billkey(customer_uid="impy-limit", **LIMIT_CARD)

    failed = impy_writer.create_payment(
        merchant_uid="impy-again-declined", customer_uid="impy-limit", name="정기", amount=4_000
    )
    with pytest.raises(ImpApiError) as onetime:
        impy_writer.create_payment(
            merchant_uid="impy-onetime-declined", name="단건", amount=4_000, **LIMIT_CARD
        )

    assert_api_payment(
        failed,
        merchant_uid="impy-again-declined",
        amount=4_000,
        status="failed",
        customer_uid="impy-limit",
        usage="payment",
    )
    assert failed["fail_reason"].startswith(LIMIT_DECLINE)
    answer = onetime.value.response
    assert (answer.status, answer.code, answer.data) == (200, -1, None)
    assert answer.message.startswith(ONETIME_FAILED_MESSAGE + LIMIT_DECLINE)


def test_iamporter_raises_imp_api_error_code_1_for_refused_charges_and_cancels(
    impy_writer: Iamporter, impy_writer_payments: IamporterPayments
) -> None:
    """HTTP 200 code 1, raised as ImpApiError (or answered by post_cancel): unknown customer_uid,
    a second again with a paid merchant_uid, an unknown imp_uid to cancel, an over-cancel."""
    impy_writer.create_billkey(customer_uid="impy-dup", **CHARGE_CARD)
    paid = impy_writer.create_payment(
        merchant_uid="impy-dup-1", customer_uid="impy-dup", name="x", amount=9_000
    )

    with pytest.raises(ImpApiError) as unknown_customer:
        impy_writer.create_payment(
            merchant_uid="impy-nobody-1", customer_uid="impy-nobody", name="x", amount=1_000
        )
    with pytest.raises(ImpApiError) as duplicate:
        impy_writer.create_payment(merchant_uid="impy-dup-1", customer_uid="impy-dup", name="x", amount=9_000)
    with pytest.raises(ImpApiError) as unknown_payment:
        impy_writer.cancel_payment(imp_uid=UNKNOWN_IMP_UID, reason="없는 결제")
    over_cancel = impy_writer_payments.post_cancel(imp_uid=paid["imp_uid"], amount=9_001)

    answers = [error.value.response for error in (unknown_customer, duplicate, unknown_payment)] + [
        over_cancel
    ]
    assert [(answer.status, answer.data) for answer in answers] == [(200, None)] * 4
    assert_code_1_refusals(
        unknown_customer=(answers[0].code, answers[0].message),
        duplicate=(answers[1].code, answers[1].message),
        unknown_payment=(answers[2].code, answers[2].message),
        over_cancel=(answers[3].code, answers[3].message),
        merchant_uid="impy-dup-1",
        asked=9_001,
        remaining=9_000,
    )


def test_iamporter_raises_for_a_prepared_amount_mismatch_a_wrong_secret_and_a_rejected_token(
    shop: Shop, impy_writer: Iamporter
) -> None:
    """A charge whose amount differs from /payments/prepare: HTTP 400 code -1 with both amounts,
    ImpApiError. A wrong secret fails already in the constructor (IMPY fetches its token once
    there) and a rejected token on a cancel answers 401: both ImpUnAuthorized. IMPY has no
    prepare method, so the amount is registered over plain HTTP."""
    prepare_amount(shop.server, shop.writer, "impy-prepared-1", 20_000)

    with pytest.raises(ImpApiError) as mismatch:
        impy_writer.create_payment(merchant_uid="impy-prepared-1", name="x", amount=25_000, **CHARGE_CARD)
    with pytest.raises(ImpUnAuthorized) as wrong_secret:
        Iamporter(imp_key=shop.writer.imp_key, imp_secret=WRONG_SECRET, imp_url=shop.server.base_url)
    impy_writer.imp_auth.token = "0" * 40
    with pytest.raises(ImpUnAuthorized) as rejected:
        impy_writer.cancel_payment(merchant_uid="impy-prepared-1", reason="권한 없음")

    answer = mismatch.value.response
    assert (answer.status, answer.code, answer.data) == (400, -1, None)
    assert "20000원" in answer.message
    assert "25000원" in answer.message
    assert wrong_secret.value.message
    assert rejected.value.message


# --------------------------------------------------------------------------------------------
# Schedules (§4.4) and virtual accounts (§4.6): IMPY has no method for either; its namespaces'
# inherited form-encoded requests reach them, as merchant code extending IMPY would


def test_iamporter_namespaces_schedule_and_issue_with_form_bodies_through_their_base_requests(
    shop: Shop, impy_writer: Iamporter, impy_subscribe: IamporterSubscribe
) -> None:
    """IMPY's ``Subscribe`` has no schedule method and its ``VBanks`` / ``Escrows`` namespaces are
    empty, so a merchant extends them with their inherited ``_post`` / ``_delete``, which
    form-encode: ``schedules[0][merchant_uid]=`` brackets for a schedule, flat fields for an
    account, ``logis[...]`` for an escrow delivery (refused with 409 on an account: not an
    escrow payment). Each answers IamportResponse (status, code, message, data) without raising."""
    at = schedule_day(shop, "impy", 1)
    vbanks = IamporterVBanks(**impy_writer._api_kwargs)
    escrows = IamporterEscrows(**impy_writer._api_kwargs)

    scheduled = impy_subscribe._post(
        "/payments/schedule",
        customer_uid="impy-sched",
        **BILLING_CARD,
        **{"schedules[0][merchant_uid]": "impy-sched-1", "schedules[0][schedule_at]": at},
        **{"schedules[0][amount]": 8_000, "schedules[0][name]": "폼 예약"},
    )
    unscheduled = impy_subscribe._post("/payments/unschedule", customer_uid="impy-sched")
    issued = vbanks._post("", **vbank_order(shop, "impy-vbank-1", 14_000))
    imp_uid = issued.data["imp_uid"] if issued.data else ""
    logis = {"logis[company]": "CJGLS", "logis[invoice]": "1", "logis[sent_at]": shop.now}
    not_escrow = escrows._post(f"/logis/{imp_uid}", **logis)
    revoked = vbanks._delete(f"/{imp_uid}")

    assert (scheduled.status, scheduled.code, scheduled.message) == (200, 0, None)
    (entry,) = scheduled.data
    assert_schedule(
        entry, customer_uid="impy-sched", merchant_uid="impy-sched-1", schedule_at=at, amount=8_000
    )
    assert (unscheduled.status, unscheduled.code) == (200, 0)
    assert [s["schedule_status"] for s in unscheduled.data] == ["revoked"]
    assert (issued.status, issued.code) == (200, 0)
    assert_vbank(issued.data, merchant_uid="impy-vbank-1", amount=14_000, due=vbank_due(shop))
    assert (not_escrow.status, not_escrow.code, not_escrow.data) == (409, -1, None)
    assert not_escrow.message.startswith(NOT_ESCROW_MESSAGE)
    assert (revoked.status, revoked.code) == (200, 0)
    assert_vbank(
        revoked.data, merchant_uid="impy-vbank-1", amount=14_000, due=vbank_due(shop), status="cancelled"
    )


def test_iamporter_namespaces_see_the_contract_refusals_of_schedules(
    shop: Shop, impy_writer: Iamporter, impy_subscribe: IamporterSubscribe
) -> None:
    """Through the same base requests: a customer_uid without key or card and an unschedule that
    matches nothing are HTTP 200 code 1 with the contract's texts; an unknown account to revoke
    is HTTP 404. ``Iamporter._process_response`` turns each into ImpApiError."""
    at = schedule_day(shop, "impy", REFUSALS_HOUR)
    vbanks = IamporterVBanks(**impy_writer._api_kwargs)

    no_customer = impy_subscribe._post(
        "/payments/schedule",
        customer_uid="impy-sched-nobody",
        **{"schedules[0][merchant_uid]": "impy-sched-nobody-1", "schedules[0][schedule_at]": at},
        **{"schedules[0][amount]": 1_000},
    )
    nothing = impy_subscribe._post("/payments/unschedule", customer_uid="impy-sched-nobody")
    unknown = vbanks._delete(f"/{UNKNOWN_IMP_UID}")

    assert (no_customer.status, no_customer.code, no_customer.message) == (200, 1, NO_CUSTOMER_MESSAGE)
    assert (nothing.status, nothing.code, nothing.message) == (200, 1, NOTHING_TO_UNSCHEDULE_MESSAGE)
    assert (unknown.status, unknown.code, unknown.message) == (404, -1, NOT_FOUND_MESSAGE)
    for answer in (no_customer, nothing, unknown):
        with pytest.raises(ImpApiError):
            impy_writer._process_response(answer)
