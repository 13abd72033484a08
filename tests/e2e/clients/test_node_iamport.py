"""npm ``iamport`` 0.3.4, the legacy Node client (NODEL), against a live homeport (iamport-v1 §9).

NODEL has no base-URL option: the host is the static ``Iamport.DEFAULT_HOST``. A call resolves
with the envelope's ``response``; statuses 400/401/404 reject with ``Error('<status>')`` and
``err.code = 'HTTP_<status>'`` (body ignored; a 401 is retried once with a fresh token); other
statuses with ``code != 0`` reject with ``Error(message)`` and ``err.code = 'IAMPORT_<code>'``
[NODEL lib/resource.js]. Methods are resource methods of the instance, e.g.
``payment.getByImpUid``; the URL parameter is taken out of the argument object, the rest is
the JSON body (POST) or the query string (others) [NODEL lib/iamportMethod.js].

Charges and cancels (§4.1, §4.4) run as the package's second merchant (``Shop.writer``,
``legacy.as_merchant``): subscribe.onetime, subscribe.again, payment.cancel and every refusal.
Gaps: 0.3.4 has no customer-payments listing and no foreign endpoint; an HTTP 400/401
(prepared-amount mismatch, wrong secret) rejects with the bare status, body unread;
subscribe.onetime refuses, before any request, a card without ``birth`` and ``pwd_2digit``
[NODEL lib/resources/Subscribe.js:30].

Schedules (§4.4, §5.6) and virtual accounts (§4.6), also as the second merchant:
subscribe.schedule, subscribe.unschedule (``merchant_uid`` as a string, or none: all of the
customer's) and vbank.create, resolving with the raw ScheduleResults / Payment. Gaps: 0.3.4
has no schedule reads or listings, no schedule PUT/reschedule/retry, no vbank change, revoke
or holder lookup and no escrow resource; it requires ``vbank_holder`` before any request
[NODEL lib/resources/Vbank.js:27], though KCP names the account itself; an HTTP 400 (a past
``schedule_at``) rejects with the bare status.
"""

from __future__ import annotations

import pytest

from tests.e2e.clients.charges import (
    CHARGE_CARD,
    LIMIT_CARD,
    LIMIT_DECLINE,
    ONETIME_FAILED_MESSAGE,
    assert_api_payment,
    assert_code_1_refusals,
)
from tests.e2e.clients.node import NodeClient, NodeRunner, call
from tests.e2e.clients.schedules import (
    DUPLICATE_SCHEDULE_MESSAGE,
    NO_CUSTOMER_MESSAGE,
    NOTHING_TO_UNSCHEDULE_MESSAGE,
    REFUSALS_HOUR,
    assert_schedule,
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
from tests.e2e.clients.vbanks import (
    ISSUE_FAILED_VBANK,
    NO_CONTRACT,
    NO_VBANK_BANK,
    assert_vbank,
    vbank_due,
    vbank_order,
)

pytestmark = pytest.mark.clients

#: NODEL's subscribe_customer.create refuses, before any request, a card without pwd_2digit.
LEGACY_BILLING_CARD = {**BILLING_CARD, "pwd_2digit": "12"}


@pytest.fixture
def legacy(node_runner: NodeRunner) -> NodeClient:
    """The legacy client with ``Iamport.DEFAULT_HOST`` = the live server's origin."""
    return node_runner.client("iamport-legacy.mjs")


def test_legacy_node_iamport_finds_a_payment_by_imp_uid(shop: Shop, legacy: NodeClient) -> None:
    """payment.getByImpUid resolves with the raw payment: every field, integer timestamps."""
    partial, vbank = legacy.run(
        call("payment.getByImpUid", {"imp_uid": shop.partial.imp_uid}),
        call("payment.getByImpUid", {"imp_uid": shop.vbank.imp_uid}),
    )
    assert_payment(partial.value, shop.partial)
    assert_payment(vbank.value, shop.vbank)


def test_legacy_node_iamport_finds_the_latest_payment_by_merchant_uid(shop: Shop, legacy: NodeClient) -> None:
    """payment.getByMerchant resolves with the most recently started payment of the order."""
    result = legacy.ok("payment.getByMerchant", {"merchant_uid": "hp-retry"})
    assert_payment(result, shop.retry_paid)


def test_legacy_node_iamport_lists_payments_by_status(shop: Shop, legacy: NodeClient) -> None:
    """payment.getByStatus sends page/limit as a query string and resolves with the paged listing."""
    result = legacy.ok("payment.getByStatus", {"payment_status": "all", "page": 1, "limit": 4})
    assert (result["total"], result["previous"], result["next"]) == (6, 0, 2)
    assert imp_uids(result["list"]) == [p.imp_uid for p in shop.by_status["all"][:4]]


def test_legacy_node_iamport_rejects_a_wrong_secret_with_http_401(shop: Shop, legacy: NodeClient) -> None:
    """A wrong secret rejects with Error('401') and code HTTP_401."""
    error = legacy.error("payment.getByImpUid", {"imp_uid": shop.paid.imp_uid}, secret=WRONG_SECRET)
    assert (error["message"], error["code"]) == ("401", "HTTP_401")


def test_legacy_node_iamport_rejects_an_unknown_imp_uid_with_http_404(legacy: NodeClient) -> None:
    """An unknown imp_uid rejects with Error('404') and code HTTP_404."""
    error = legacy.error("payment.getByImpUid", {"imp_uid": UNKNOWN_IMP_UID})
    assert (error["message"], error["code"]) == ("404", "HTTP_404")


# --------------------------------------------------------------------------------------------
# Amount pre-registration (/payments/prepare, §4.2; 0.3.4 has no PUT)


def test_legacy_node_iamport_prepares_an_amount_and_reads_it_back(legacy: NodeClient) -> None:
    """payment.prepare posts {merchant_uid, amount}; payment.getPrepare reads the same back."""
    registered, read = legacy.run(
        call("payment.prepare", {"merchant_uid": "nodel-prepare-1", "amount": 8_800}),
        call("payment.getPrepare", {"merchant_uid": "nodel-prepare-1"}),
    )

    assert (registered.value["merchant_uid"], registered.value["amount"]) == ("nodel-prepare-1", 8_800)
    assert (read.value["merchant_uid"], read.value["amount"]) == ("nodel-prepare-1", 8_800)


def test_legacy_node_iamport_rejects_an_unregistered_merchant_uid_with_http_404(legacy: NodeClient) -> None:
    """payment.getPrepare of nothing registered rejects with Error('404') and code HTTP_404."""
    error = legacy.error("payment.getPrepare", {"merchant_uid": "nodel-never-prepared"})

    assert (error["message"], error["code"]) == ("404", "HTTP_404")


# --------------------------------------------------------------------------------------------
# Billing keys (subscribe_customer, §4.3, §5.5) through the demo merchant's sandbox channel


def test_legacy_node_iamport_creates_gets_and_deletes_a_billing_key(legacy: NodeClient) -> None:
    """subscribe_customer.create / get / delete resolve with the raw Customer object; afterwards
    get rejects the HTTP 200 code 1 answer with Error(message) and code IAMPORT_1."""
    customer = {"customer_uid": "nodel-cust", "customer_name": "박민수", "customer_postcode": "06236"}
    created, read, deleted, gone = legacy.run(
        call("subscribe_customer.create", {**customer, **LEGACY_BILLING_CARD}),
        call("subscribe_customer.get", {"customer_uid": "nodel-cust"}),
        call("subscribe_customer.delete", {"customer_uid": "nodel-cust"}),
        call("subscribe_customer.get", {"customer_uid": "nodel-cust"}),
    )

    assert {k: created.value[k] for k in customer} == customer
    assert created.value["card_number"] == MASKED_BILLING_CARD
    assert created.value["pg_provider"] == "kcp"
    assert type(created.value["inserted"]) is int
    assert read.value == created.value
    assert deleted.value["customer_uid"] == "nodel-cust"
    assert (gone.failure["message"], gone.failure["code"]) == (
        unknown_customer_message("nodel-cust"),
        "IAMPORT_1",
    )


def test_legacy_node_iamport_legacy_aliases_reach_the_same_endpoints(legacy: NodeClient) -> None:
    """The 0.3.4 aliases createCustomers / getCustomers / deleteCustomers behave like
    create / get / delete (the same POST/GET/DELETE /subscribe/customers/{customer_uid})."""
    created, read, deleted = legacy.run(
        call("subscribe_customer.createCustomers", {"customer_uid": "nodel-alias", **LEGACY_BILLING_CARD}),
        call("subscribe_customer.getCustomers", {"customer_uid": "nodel-alias"}),
        call("subscribe_customer.deleteCustomers", {"customer_uid": "nodel-alias"}),
    )

    assert created.value["customer_uid"] == "nodel-alias"
    assert read.value == created.value
    assert deleted.value["customer_uid"] == "nodel-alias"


def test_legacy_node_iamport_rejects_a_declined_card_with_iamport_minus_one(legacy: NodeClient) -> None:
    """A card the PG refuses at issuance: HTTP 200 code -1, Error(message) with code IAMPORT_-1."""
    error = legacy.error(
        "subscribe_customer.create", {"customer_uid": "nodel-declined", **DECLINED_CARD, "pwd_2digit": "12"}
    )

    assert error["code"] == "IAMPORT_-1"
    assert error["message"].startswith(ISSUE_FAILED_MESSAGE)


def test_legacy_node_iamport_deleting_an_unknown_billing_key_rejects_with_iamport_1(
    legacy: NodeClient,
) -> None:
    """subscribe_customer.delete of an unknown customer_uid: HTTP 200 code 1 -> IAMPORT_1."""
    error = legacy.error("subscribe_customer.delete", {"customer_uid": "nodel-no-such-key"})

    assert (error["message"], error["code"]) == (unknown_customer_message("nodel-no-such-key"), "IAMPORT_1")


# --------------------------------------------------------------------------------------------
# Charges and cancels (subscribe, payment.cancel, §4.1, §4.4) as the second merchant


@pytest.fixture
def legacy_writer(shop: Shop, legacy: NodeClient) -> NodeClient:
    """The legacy client calling as the merchant whose payments the write scenarios create."""
    return legacy.as_merchant(shop.writer.imp_key, shop.writer.imp_secret)


def test_legacy_node_iamport_charges_onetime_keeping_the_card_then_again(legacy_writer: NodeClient) -> None:
    """subscribe.onetime with customer_uid (usage ``issue``) and subscribe.again (usage
    ``payment``) resolve with the raw paid Payment: every key, integer timestamps."""
    first, second = legacy_writer.run(
        call(
            "subscribe.onetime",
            {"merchant_uid": "nodel-onetime-1", "amount": 15_000, "customer_uid": "nodel-sub", **CHARGE_CARD},
        ),
        call(
            "subscribe.again",
            {"customer_uid": "nodel-sub", "merchant_uid": "nodel-again-1", "amount": 6_600, "name": "구독"},
        ),
    )

    assert_api_payment(
        first.value, merchant_uid="nodel-onetime-1", amount=15_000, customer_uid="nodel-sub", usage="issue"
    )
    assert_api_payment(
        second.value, merchant_uid="nodel-again-1", amount=6_600, customer_uid="nodel-sub", usage="payment"
    )


def test_legacy_node_iamport_cancels_part_by_imp_uid_then_the_rest_by_merchant_uid(
    legacy_writer: NodeClient,
) -> None:
    """payment.cancel with amount and checksum keeps the payment paid with one history entry;
    payment.cancel by merchant_uid without amount cancels the rest."""
    paid = legacy_writer.ok(
        "subscribe.onetime", {"merchant_uid": "nodel-cancel-1", "amount": 70_000, **CHARGE_CARD}
    )
    partial, rest = legacy_writer.run(
        call(
            "payment.cancel",
            {"imp_uid": paid["imp_uid"], "amount": 30_000, "checksum": 70_000, "reason": "일부"},
        ),
        call("payment.cancel", {"merchant_uid": "nodel-cancel-1", "reason": "나머지"}),
    )

    assert_api_payment(paid, merchant_uid="nodel-cancel-1", amount=70_000)
    assert_api_payment(partial.value, merchant_uid="nodel-cancel-1", amount=70_000, cancelled=[30_000])
    assert_api_payment(
        rest.value,
        merchant_uid="nodel-cancel-1",
        amount=70_000,
        status="cancelled",
        cancelled=[30_000, 40_000],
    )
    assert rest.value["imp_uid"] == paid["imp_uid"]


def test_legacy_node_iamport_resolves_a_declined_again_and_rejects_a_declined_onetime(
    legacy_writer: NodeClient,
) -> None:
    """A card declined at every charge: subscribe.again resolves (code 0) with the failed Payment;
    subscribe.onetime gets HTTP 200 code -1: Error(message) with code IAMPORT_-1."""
    _, again, onetime = legacy_writer.run(
        call("subscribe_customer.create", {"customer_uid": "nodel-limit", **LIMIT_CARD}),
        call(
            "subscribe.again",
            {"customer_uid": "nodel-limit", "merchant_uid": "nodel-again-declined", "amount": 4_000},
        ),
        call("subscribe.onetime", {"merchant_uid": "nodel-onetime-declined", "amount": 4_000, **LIMIT_CARD}),
    )

    assert_api_payment(
        again.value,
        merchant_uid="nodel-again-declined",
        amount=4_000,
        status="failed",
        customer_uid="nodel-limit",
        usage="payment",
    )
    assert again.value["fail_reason"].startswith(LIMIT_DECLINE)
    assert onetime.failure["code"] == "IAMPORT_-1"
    assert onetime.failure["message"].startswith(ONETIME_FAILED_MESSAGE + LIMIT_DECLINE)


def test_legacy_node_iamport_rejects_refused_charges_and_cancels_with_iamport_1(
    legacy_writer: NodeClient,
) -> None:
    """HTTP 200 code 1 -> Error(message) with code IAMPORT_1: again with an unknown customer_uid,
    again with a paid merchant_uid, cancel of an unknown imp_uid, an over-cancel."""
    _, paid, unknown_customer, duplicate, unknown_payment, over_cancel = legacy_writer.run(
        call("subscribe_customer.create", {"customer_uid": "nodel-dup", **CHARGE_CARD}),
        call(
            "subscribe.again", {"customer_uid": "nodel-dup", "merchant_uid": "nodel-dup-1", "amount": 5_000}
        ),
        call(
            "subscribe.again",
            {"customer_uid": "nodel-nobody", "merchant_uid": "nodel-nobody-1", "amount": 1_000},
        ),
        call(
            "subscribe.again", {"customer_uid": "nodel-dup", "merchant_uid": "nodel-dup-1", "amount": 5_000}
        ),
        call("payment.cancel", {"imp_uid": UNKNOWN_IMP_UID, "reason": "없는 결제"}),
        call("payment.cancel", {"merchant_uid": "nodel-dup-1", "amount": 5_001}),
    )

    assert_api_payment(
        paid.value, merchant_uid="nodel-dup-1", amount=5_000, customer_uid="nodel-dup", usage="payment"
    )
    errors = [o.failure for o in (unknown_customer, duplicate, unknown_payment, over_cancel)]
    assert [error["code"] for error in errors] == ["IAMPORT_1"] * 4
    assert_code_1_refusals(
        unknown_customer=(1, errors[0]["message"]),
        duplicate=(1, errors[1]["message"]),
        unknown_payment=(1, errors[2]["message"]),
        over_cancel=(1, errors[3]["message"]),
        merchant_uid="nodel-dup-1",
        asked=5_001,
        remaining=5_000,
    )


def test_legacy_node_iamport_rejects_a_prepared_amount_mismatch_and_a_wrong_secret_by_status(
    legacy_writer: NodeClient,
) -> None:
    """A charge whose amount differs from payment.prepare is HTTP 400, a wrong secret HTTP 401:
    NODEL rejects with Error('<status>') and code HTTP_<status>, the body unread."""
    _, mismatch = legacy_writer.run(
        call("payment.prepare", {"merchant_uid": "nodel-prepared-1", "amount": 20_000}),
        call("subscribe.onetime", {"merchant_uid": "nodel-prepared-1", "amount": 25_000, **CHARGE_CARD}),
    )
    unauthorized = legacy_writer.error(
        "payment.cancel", {"merchant_uid": "nodel-prepared-1"}, secret=WRONG_SECRET
    )

    assert (mismatch.failure["message"], mismatch.failure["code"]) == ("400", "HTTP_400")
    assert (unauthorized["message"], unauthorized["code"]) == ("401", "HTTP_401")


# --------------------------------------------------------------------------------------------
# Scheduled payments (subscribe.schedule/unschedule, §4.4, §5.6) and virtual accounts
# (vbank.create, §4.6) as the second merchant


def test_legacy_node_iamport_schedules_and_unschedules(shop: Shop, legacy_writer: NodeClient) -> None:
    """subscribe.schedule with card data issues the key and resolves with the raw ScheduleResults;
    subscribe.unschedule with a merchant_uid revokes that one, with only the customer_uid the rest."""
    first_at, second_at = schedule_day(shop, "nodel", 1), schedule_day(shop, "nodel", 2)
    entries = [
        {"merchant_uid": "nodel-sched-1", "schedule_at": first_at, "amount": 15_000, "name": "1회차"},
        {"merchant_uid": "nodel-sched-2", "schedule_at": second_at, "amount": 15_000, "name": "2회차"},
    ]
    scheduled, one, rest = legacy_writer.run(
        call("subscribe.schedule", {"customer_uid": "nodel-sched", **BILLING_CARD, "schedules": entries}),
        call("subscribe.unschedule", {"customer_uid": "nodel-sched", "merchant_uid": "nodel-sched-2"}),
        call("subscribe.unschedule", {"customer_uid": "nodel-sched"}),
    )

    assert merchant_uids(scheduled.value) == ["nodel-sched-1", "nodel-sched-2"]
    for entry, at in zip(scheduled.value, (first_at, second_at), strict=True):
        assert_schedule(
            entry,
            customer_uid="nodel-sched",
            merchant_uid=entry["merchant_uid"],
            schedule_at=at,
            amount=15_000,
        )
    for revoked, merchant_uid, at in ((one, "nodel-sched-2", second_at), (rest, "nodel-sched-1", first_at)):
        (entry,) = revoked.value
        assert_schedule(
            entry,
            customer_uid="nodel-sched",
            merchant_uid=merchant_uid,
            schedule_at=at,
            amount=15_000,
            status="revoked",
        )


def test_legacy_node_iamport_rejects_refused_schedules_with_iamport_1_and_a_past_one_with_http_400(
    shop: Shop, legacy_writer: NodeClient
) -> None:
    """HTTP 200 code 1 rejects with Error(message), code IAMPORT_1: a customer_uid without key or
    card, a merchant_uid already scheduled, an unschedule that matches nothing. A schedule_at in
    the past (HTTP 400) rejects with the bare Error('400'). Without ``schedules`` the client
    refuses before any request."""
    entry = {
        "merchant_uid": "nodel-sched-dup",
        "schedule_at": schedule_day(shop, "nodel", REFUSALS_HOUR),
        "amount": 5_000,
    }
    _, no_customer, duplicate, nothing, past, unsent = legacy_writer.run(
        call("subscribe.schedule", {"customer_uid": "nodel-sched-dup", **BILLING_CARD, "schedules": [entry]}),
        call(
            "subscribe.schedule",
            {
                "customer_uid": "nodel-sched-nobody",
                "schedules": [{**entry, "merchant_uid": "nodel-sched-nobody-1"}],
            },
        ),
        call("subscribe.schedule", {"customer_uid": "nodel-sched-dup", "schedules": [entry]}),
        call("subscribe.unschedule", {"customer_uid": "nodel-sched-nobody"}),
        call(
            "subscribe.schedule",
            {
                "customer_uid": "nodel-sched-dup",
                "schedules": [{**entry, "merchant_uid": "nodel-sched-past", "schedule_at": shop.now - 60}],
            },
        ),
        call("subscribe.schedule", {"customer_uid": "nodel-sched-dup"}),
    )

    assert (no_customer.failure["message"], no_customer.failure["code"]) == (NO_CUSTOMER_MESSAGE, "IAMPORT_1")
    assert duplicate.failure["code"] == "IAMPORT_1"
    assert duplicate.failure["message"].startswith(DUPLICATE_SCHEDULE_MESSAGE)
    assert "nodel-sched-dup" in duplicate.failure["message"]
    assert (nothing.failure["message"], nothing.failure["code"]) == (
        NOTHING_TO_UNSCHEDULE_MESSAGE,
        "IAMPORT_1",
    )
    assert (past.failure["message"], past.failure["code"]) == ("400", "HTTP_400")
    assert unsent.failure["message"] == "Param missing: schedules"


def test_legacy_node_iamport_creates_a_virtual_account_and_sees_refusals(
    shop: Shop, legacy_writer: NodeClient
) -> None:
    """vbank.create resolves with the raw ready Payment (every §5.2 key, KCP's holder); the same
    merchant_uid again rejects with IAMPORT_1; a bank KCP issues no accounts at rejects with
    IAMPORT_-1 and the contract's ``계약이 필요합니다.``; without ``vbank_holder`` (which NODEL
    requires, though KCP ignores it) the client refuses before any request."""
    order = vbank_order(shop, "nodel-vbank-1", 33_000)
    issued, duplicate, no_contract, unsent = legacy_writer.run(
        call("vbank.create", order),
        call("vbank.create", order),
        call("vbank.create", {**order, "merchant_uid": "nodel-vbank-002", "vbank_code": NO_VBANK_BANK}),
        call("vbank.create", {k: v for k, v in order.items() if k != "vbank_holder"}),
    )

    assert_vbank(issued.value, merchant_uid="nodel-vbank-1", amount=33_000, due=vbank_due(shop))
    assert duplicate.failure["code"] == "IAMPORT_1"
    assert "nodel-vbank-1" in duplicate.failure["message"]
    assert no_contract.failure["code"] == "IAMPORT_-1"
    assert no_contract.failure["message"].startswith(ISSUE_FAILED_VBANK)
    assert NO_CONTRACT in no_contract.failure["message"]
    assert unsent.failure["message"] == "Param missing: vbank_holder"
