"""npm ``iamport-rest-client-nodejs`` 0.9.12 (NODE) against a live homeport (iamport-v1 §1-3, §9).

NODE is axios with ``baseURL``; a call resolves with an axios response whose data is its
Item / List / Collection wrapper ``{code, message, response}`` (+ ``failed`` on a 207 when the
request ``keepGoing``); it rejects non-2xx with the axios error (``error.response.status`` /
``.data`` = envelope) and a 2xx with ``code != 0`` with a plain object ``{response: {data}}``
[NODE request/Base.ts]. Timestamps become ``Date`` objects (``{"$date": seconds}`` here).
Methods are request builders of its ``Request`` namespace, e.g. ``Payments.getByImpUid``.

Charges and cancels (§4.1, §4.4) run as the package's second merchant (``Shop.writer``,
``node.as_merchant``): Subscribe.onetime, Subscribe.again, Payments.cancel,
Customers.getPayments and every refusal. NODE's Payment class keeps only the keys it knows
(no ``sandbox``, ``emb_pg_provider``, ``card_issuer_*``...), so those are not asserted here.
NODE has no foreign endpoint.

Schedules (§4.4, §5.6), virtual accounts (§4.6) and escrow deliveries (§4.5), also as the
second merchant: Subscribe.schedule / unschedule (a List of ScheduledResult), getScheduled,
Subscribe.getScheduleds (``/subscribe/payments/schedule/customers/{uid}``) and
Customers.getScheduleds (``/subscribe/customers/{uid}/schedules``), both with ``from``/``to``/
``schedule-status``; Vbanks.post / put / delete / getHolder; Escrows.postEscrow / putEscrow
on an escrow payment the live server's sandbox approved (``vbanks.paid_escrow_payment``).
NODE has no range listing of all schedules (GET /subscribe/payments/schedule), no
schedule PUT/reschedule/retry and no escrow GET. Vbanks.put sends only ``amount`` and
``vbank_due`` to ``/vbanks/{imp_uid}``, which KCP cannot change (axios 400); Vbanks.getHolder
gets the contract's failed lookup (axios 404), KCP having no holder inquiry.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.clients.charges import (
    CHARGE_CARD,
    LIMIT_CARD,
    LIMIT_DECLINE,
    ONETIME_FAILED_MESSAGE,
    assert_api_payment,
    assert_code_1_refusals,
)
from tests.e2e.clients.node import NodeClient, NodeRunner, Outcome, call
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
    NOT_FOUND_MESSAGE,
    UNKNOWN_IMP_UID,
    WRONG_SECRET,
    Shop,
    assert_payment,
    imp_uids,
    unknown_customer_message,
)
from tests.e2e.clients.vbanks import (
    CHANGE_REFUSED_WORDS,
    HOLDER_LOOKUP_FAILED,
    KOOKMIN,
    NOT_ESCROW_MESSAGE,
    REVOKE_REASON,
    assert_vbank,
    paid_escrow_payment,
    shipment,
    vbank_due,
    vbank_order,
)
from tests.support import DEMO_KEY, DEMO_SECRET

pytestmark = pytest.mark.clients


@pytest.fixture
def node(node_runner: NodeRunner) -> NodeClient:
    """iamport-rest-client-nodejs with ``baseUrl`` = the live server's origin."""
    return node_runner.client("rest-client-nodejs.mjs")


def test_node_rest_client_gets_a_token_with_date_timestamps(node: NodeClient) -> None:
    """Authenticate.getToken returns code 0 and a 40-hex token whose now/expired_at parse as dates."""
    result = node.ok("Authenticate.getToken", {"imp_key": DEMO_KEY, "imp_secret": DEMO_SECRET})
    assert result["status"] == 200
    data = result["data"]
    assert (data["code"], data["message"]) == (0, None)
    token = data["response"]
    assert len(token["access_token"]) == 40
    lifetime = token["expired_at"]["$date"] - token["now"]["$date"]
    assert 0 < lifetime <= 1800


def test_node_rest_client_finds_a_paid_payment_by_imp_uid(shop: Shop, node: NodeClient) -> None:
    """Payments.getByImpUid resolves with the paid card payment, timestamps as Dates."""
    result = node.ok("Payments.getByImpUid", {"imp_uid": shop.paid.imp_uid})
    assert result["status"] == 200
    assert (result["data"]["code"], result["data"]["message"]) == (0, None)
    assert_payment(result["data"]["response"], shop.paid, dates=True)


def test_node_rest_client_sees_partial_cancel_and_virtual_account_fields(
    shop: Shop, node: NodeClient
) -> None:
    """Partial cancel (cancel_amount, cancel_history) and vbank fields reach the TypeScript client."""
    partial, vbank = node.run(
        call("Payments.getByImpUid", {"imp_uid": shop.partial.imp_uid}),
        call("Payments.getByImpUid", {"imp_uid": shop.vbank.imp_uid}),
    )
    assert_payment(partial.value["data"]["response"], shop.partial, dates=True)
    assert_payment(vbank.value["data"]["response"], shop.vbank, dates=True)


def test_node_rest_client_finds_by_merchant_uid_with_and_without_status(shop: Shop, node: NodeClient) -> None:
    """getByMerchantUid without a status sends the literal 'undefined' segment, read as no status."""
    latest, failed = node.run(
        call("Payments.getByMerchantUid", {"merchant_uid": "hp-retry"}),
        call("Payments.getByMerchantUid", {"merchant_uid": "hp-retry", "status": "failed"}),
    )
    assert_payment(latest.value["data"]["response"], shop.retry_paid, dates=True)
    assert_payment(failed.value["data"]["response"], shop.retry_failed, dates=True)


def test_node_rest_client_lists_every_payment_of_a_merchant_uid(shop: Shop, node: NodeClient) -> None:
    """getByMerchantUids (findAll) resolves with a collection of both attempts of the order."""
    result = node.ok("Payments.getByMerchantUids", {"merchant_uid": "hp-retry", "page": 1})
    collection = result["data"]["response"]
    assert {k: collection[k] for k in ("total", "previous", "next")} == {"total": 2, "previous": 0, "next": 0}
    assert imp_uids(collection["list"]) == [shop.retry_paid.imp_uid, shop.retry_failed.imp_uid]
    assert_payment(collection["list"][1], shop.retry_failed, dates=True)


def test_node_rest_client_iterates_status_pages_until_next_is_zero(shop: Shop, node: NodeClient) -> None:
    """getByStatus with the client's IamportIterator walks every page and stops at next == 0."""
    result = node.ok("iterateByStatus", {"status": "paid", "page": 1, "limit": 2})
    pages = [page["response"] for page in result["pages"]]
    assert [(p["total"], p["previous"], p["next"]) for p in pages] == [(3, 0, 2), (3, 1, 0)]
    listed = [uid for page in pages for uid in imp_uids(page["list"])]
    assert listed == [p.imp_uid for p in shop.by_status["paid"]]


def test_node_rest_client_gets_several_payments_by_imp_uid(shop: Shop, node: NodeClient) -> None:
    """getByImpUids answers 200 when every imp_uid exists, in request order, with no failures."""
    wanted = [shop.vbank.imp_uid, shop.paid.imp_uid]
    result = node.ok("Payments.getByImpUids", {"imp_uid": wanted})
    assert result["status"] == 200
    assert imp_uids(result["data"]["response"]) == wanted
    assert "failed" not in result["data"]
    assert_payment(result["data"]["response"][0], shop.vbank, dates=True)


def test_node_rest_client_reports_missing_imp_uids_of_a_207_multi_get(shop: Shop, node: NodeClient) -> None:
    """A multi-get with an unknown imp_uid answers 207 with the found subset; the client lists the rest."""
    wanted = [shop.paid.imp_uid, UNKNOWN_IMP_UID]
    result = node.ok("Payments.getByImpUids", {"imp_uid": wanted})
    assert result["status"] == 207
    assert imp_uids(result["data"]["response"]) == [shop.paid.imp_uid]
    assert result["data"]["failed"] == [UNKNOWN_IMP_UID]


def test_node_rest_client_rejects_a_wrong_secret_with_the_401_envelope(node: NodeClient) -> None:
    """A wrong secret rejects with an axios error carrying status 401 and an error envelope."""
    error = node.error("Payments.getByImpUid", {"imp_uid": "imp_1"}, secret=WRONG_SECRET)
    assert error["isAxiosError"] is True
    assert error["status"] == 401
    assert error["data"]["code"] != 0
    assert error["data"]["response"] is None
    assert isinstance(error["data"]["message"], str)
    assert error["data"]["message"]


def test_node_rest_client_rejects_an_unknown_imp_uid_with_the_404_envelope(node: NodeClient) -> None:
    """An unknown imp_uid rejects with an axios error: status 404, code -1, the contract's message."""
    error = node.error("Payments.getByImpUid", {"imp_uid": UNKNOWN_IMP_UID})
    assert error["isAxiosError"] is True
    assert error["status"] == 404
    assert error["data"] == {"code": -1, "message": NOT_FOUND_MESSAGE, "response": None}


# --------------------------------------------------------------------------------------------
# Amount pre-registration (/payments/prepare, §4.2; NODE has no PUT) and code tables (§4.9)


def test_node_rest_client_posts_and_reads_a_prepared_amount(node: NodeClient) -> None:
    """Prepare.postAmount then getAmount: code 0 and the same merchant_uid and amount."""
    posted, read = node.run(
        call("Prepare.postAmount", {"merchant_uid": "node-prepare-1", "amount": 5_500}),
        call("Prepare.getAmount", {"merchant_uid": "node-prepare-1"}),
    )

    assert posted.value["data"]["response"]["amount"] == 5_500
    assert read.value["data"]["response"]["merchant_uid"] == "node-prepare-1"
    assert read.value["data"]["response"]["amount"] == 5_500


def test_node_rest_client_rejects_an_unregistered_merchant_uid_with_a_404_envelope(node: NodeClient) -> None:
    """Prepare.getAmount of nothing registered rejects with an axios 404 and a non-zero code."""
    error = node.error("Prepare.getAmount", {"merchant_uid": "node-never-prepared"})

    assert error["isAxiosError"] is True
    assert error["status"] == 404
    assert error["data"]["code"] != 0
    assert error["data"]["response"] is None
    assert error["data"]["message"]


def test_node_rest_client_reads_the_bank_and_card_code_tables(node: NodeClient) -> None:
    """Banks.getBanks / Cards.getCards are lists of {code, name}; one code reads alone."""
    banks, cards, shinhan, bc = (
        outcome.value["data"]["response"]
        for outcome in node.run(
            call("Banks.getBanks"),
            call("Cards.getCards"),
            call("Banks.getBank", {"code": "088"}),
            call("Cards.getCard", {"code": "361"}),
        )
    )

    assert {"code": "004", "name": "국민은행"} in banks
    assert {"code": "381", "name": "KB국민카드"} in cards
    assert shinhan == {"code": "088", "name": "신한은행"}
    assert bc == {"code": "361", "name": "BC카드"}


# --------------------------------------------------------------------------------------------
# Billing keys (Customers, §4.3, §5.5) through the demo merchant's sandbox billing channel


def test_node_rest_client_posts_reads_and_deletes_a_billing_key(node: NodeClient) -> None:
    """Customers.postBillingKey (customer_uid in the path only), getBillingKey, deleteBillingKey
    resolve with the Customer (inserted/updated as Dates); afterwards getBillingKey rejects
    the HTTP 200 code 1 answer with the client's plain {response: {data}} object."""
    customer = {"customer_uid": "node-cust", "customer_name": "이영희", "customer_email": "lee@example.com"}
    created, read, deleted, gone = node.run(
        call("Customers.postBillingKey", {**customer, **BILLING_CARD, "pwd_2digit": "12"}),
        call("Customers.getBillingKey", {"customer_uid": "node-cust"}),
        call("Customers.deleteBillingKey", {"customer_uid": "node-cust"}),
        call("Customers.getBillingKey", {"customer_uid": "node-cust"}),
    )

    key = created.value["data"]["response"]
    assert created.value["status"] == 200
    assert (created.value["data"]["code"], created.value["data"]["message"]) == (0, None)
    assert {k: key[k] for k in customer} == customer
    assert key["card_number"] == MASKED_BILLING_CARD
    assert set(key["inserted"]) == {"$date"}
    assert read.value["data"]["response"] == key
    assert deleted.value["data"]["response"]["customer_uid"] == "node-cust"
    assert gone.failure == {
        "kind": "object",
        "value": {
            "response": {
                "data": {"code": 1, "message": unknown_customer_message("node-cust"), "response": None}
            }
        },
    }


def test_node_rest_client_rejects_a_declined_card_with_code_minus_one(node: NodeClient) -> None:
    """A card the PG refuses at issuance: HTTP 200 code -1, rejected as {response: {data}}."""
    error = node.error(
        "Customers.postBillingKey",
        {"customer_uid": "node-declined", **DECLINED_CARD},
    )

    data = error["value"]["response"]["data"]
    assert (data["code"], data["response"]) == (-1, None)
    assert data["message"].startswith(ISSUE_FAILED_MESSAGE)


def test_node_rest_client_gets_several_billing_keys_with_200_then_207(node: NodeClient) -> None:
    """Customers.getBillingKeys sends customer_uid[]: 200 with every key in request order, 207
    with the found subset when one is unknown (this request has no keepGoing, so no ``failed``),
    and an axios 404 when none exists."""
    first, second = ({"customer_uid": uid, **BILLING_CARD} for uid in ("node-many-1", "node-many-2"))
    _, _, both, some, none = node.run(
        call("Customers.postBillingKey", first),
        call("Customers.postBillingKey", second),
        call("Customers.getBillingKeys", {"customer_uid": ["node-many-2", "node-many-1"]}),
        call("Customers.getBillingKeys", {"customer_uid": ["node-many-1", "node-no-such-key"]}),
        call("Customers.getBillingKeys", {"customer_uid": ["node-no-such-key"]}),
    )

    assert both.value["status"] == 200
    assert [k["customer_uid"] for k in both.value["data"]["response"]] == ["node-many-2", "node-many-1"]
    assert some.value["status"] == 207
    assert [k["customer_uid"] for k in some.value["data"]["response"]] == ["node-many-1"]
    assert "failed" not in some.value["data"]
    assert none.failure["status"] == 404
    assert none.failure["data"]["code"] != 0
    assert none.failure["data"]["response"] is None


# --------------------------------------------------------------------------------------------
# Charges and cancels (Subscribe, Payments.cancel, §4.1, §4.4) as the second merchant


@pytest.fixture
def node_writer(shop: Shop, node: NodeClient) -> NodeClient:
    """iamport-rest-client-nodejs calling as the merchant whose payments the write scenarios create."""
    return node.as_merchant(shop.writer.imp_key, shop.writer.imp_secret)


def code_rejection(outcome: Outcome) -> dict[str, Any]:
    """The envelope of a 2xx answer with ``code != 0``, which NODE rejects as {response: {data}}."""
    failure = outcome.failure
    assert failure["kind"] == "object", failure
    envelope: dict[str, Any] = failure["value"]["response"]["data"]
    return envelope


def test_node_rest_client_charges_onetime_keeping_the_card_then_again_and_lists_the_customer(
    node_writer: NodeClient,
) -> None:
    """Subscribe.onetime with customer_uid (usage ``issue``), Subscribe.again (usage ``payment``)
    resolve with the paid Payment (timestamps as Dates); Customers.getPayments pages both."""
    first, second, listed = node_writer.run(
        call(
            "Subscribe.onetime",
            {"merchant_uid": "node-onetime-1", "amount": 14_000, "customer_uid": "node-sub", **CHARGE_CARD},
        ),
        call(
            "Subscribe.again",
            {"customer_uid": "node-sub", "merchant_uid": "node-again-1", "amount": 7_700, "name": "구독"},
        ),
        call("Customers.getPayments", {"customer_uid": "node-sub"}),
    )

    assert (first.value["status"], first.value["data"]["code"]) == (200, 0)
    onetime = first.value["data"]["response"]
    again = second.value["data"]["response"]
    assert_api_payment(
        onetime,
        merchant_uid="node-onetime-1",
        amount=14_000,
        customer_uid="node-sub",
        usage="issue",
        dates=True,
    )
    assert_api_payment(
        again, merchant_uid="node-again-1", amount=7_700, customer_uid="node-sub", usage="payment", dates=True
    )
    page = listed.value["data"]["response"]
    assert (page["total"], page["previous"], page["next"]) == (2, 0, 0)
    assert sorted(imp_uids(page["list"])) == sorted([onetime["imp_uid"], again["imp_uid"]])
    assert {p["imp_uid"]: p for p in page["list"]}[again["imp_uid"]] == again


def test_node_rest_client_cancels_part_by_imp_uid_then_the_rest_by_merchant_uid(
    node_writer: NodeClient,
) -> None:
    """Payments.cancel with amount and checksum keeps the payment paid with one history entry;
    a second Payments.cancel by merchant_uid without amount cancels the rest."""
    paid = node_writer.ok(
        "Subscribe.onetime", {"merchant_uid": "node-cancel-1", "amount": 60_000, **CHARGE_CARD}
    )
    imp_uid = paid["data"]["response"]["imp_uid"]
    partial, rest = node_writer.run(
        call("Payments.cancel", {"imp_uid": imp_uid, "amount": 25_000, "checksum": 60_000, "reason": "일부"}),
        call("Payments.cancel", {"merchant_uid": "node-cancel-1", "reason": "나머지"}),
    )

    assert_api_payment(paid["data"]["response"], merchant_uid="node-cancel-1", amount=60_000, dates=True)
    assert_api_payment(
        partial.value["data"]["response"],
        merchant_uid="node-cancel-1",
        amount=60_000,
        cancelled=[25_000],
        dates=True,
    )
    cancelled = rest.value["data"]["response"]
    assert_api_payment(
        cancelled,
        merchant_uid="node-cancel-1",
        amount=60_000,
        status="cancelled",
        cancelled=[25_000, 35_000],
        dates=True,
    )
    assert cancelled["imp_uid"] == imp_uid


def test_node_rest_client_resolves_a_declined_again_and_rejects_a_declined_onetime(
    node_writer: NodeClient,
) -> None:
    """A card declined at every charge: Subscribe.again resolves (code 0) with the failed Payment;
    Subscribe.onetime gets HTTP 200 code -1 and rejects with {response: {data}}."""
    _, again, onetime = node_writer.run(
        call("Customers.postBillingKey", {"customer_uid": "node-limit", **LIMIT_CARD}),
        call(
            "Subscribe.again",
            {"customer_uid": "node-limit", "merchant_uid": "node-again-declined", "amount": 4_000},
        ),
        call("Subscribe.onetime", {"merchant_uid": "node-onetime-declined", "amount": 4_000, **LIMIT_CARD}),
    )

    failed = again.value["data"]["response"]
    assert_api_payment(
        failed,
        merchant_uid="node-again-declined",
        amount=4_000,
        status="failed",
        customer_uid="node-limit",
        usage="payment",
        dates=True,
    )
    assert failed["fail_reason"].startswith(LIMIT_DECLINE)
    envelope = code_rejection(onetime)
    assert (envelope["code"], envelope["response"]) == (-1, None)
    assert envelope["message"].startswith(ONETIME_FAILED_MESSAGE + LIMIT_DECLINE)


def test_node_rest_client_rejects_refused_charges_and_cancels_with_code_1(node_writer: NodeClient) -> None:
    """HTTP 200 code 1, rejected with the plain {response: {data}} object: again with an unknown
    customer_uid, again with a paid merchant_uid, cancel of an unknown imp_uid, an over-cancel."""
    _, paid, unknown_customer, duplicate, unknown_payment, over_cancel = node_writer.run(
        call("Customers.postBillingKey", {"customer_uid": "node-dup", **CHARGE_CARD}),
        call("Subscribe.again", {"customer_uid": "node-dup", "merchant_uid": "node-dup-1", "amount": 5_000}),
        call(
            "Subscribe.again",
            {"customer_uid": "node-nobody", "merchant_uid": "node-nobody-1", "amount": 1_000},
        ),
        call("Subscribe.again", {"customer_uid": "node-dup", "merchant_uid": "node-dup-1", "amount": 5_000}),
        call("Payments.cancel", {"imp_uid": UNKNOWN_IMP_UID, "reason": "없는 결제"}),
        call("Payments.cancel", {"merchant_uid": "node-dup-1", "amount": 5_001}),
    )

    assert_api_payment(
        paid.value["data"]["response"],
        merchant_uid="node-dup-1",
        amount=5_000,
        customer_uid="node-dup",
        usage="payment",
        dates=True,
    )
    envelopes = [code_rejection(o) for o in (unknown_customer, duplicate, unknown_payment, over_cancel)]
    assert [envelope["response"] for envelope in envelopes] == [None] * 4
    assert_code_1_refusals(
        unknown_customer=(envelopes[0]["code"], envelopes[0]["message"]),
        duplicate=(envelopes[1]["code"], envelopes[1]["message"]),
        unknown_payment=(envelopes[2]["code"], envelopes[2]["message"]),
        over_cancel=(envelopes[3]["code"], envelopes[3]["message"]),
        merchant_uid="node-dup-1",
        asked=5_001,
        remaining=5_000,
    )


def test_node_rest_client_rejects_a_prepared_amount_mismatch_and_a_wrong_secret_with_axios_errors(
    node_writer: NodeClient,
) -> None:
    """A charge whose amount differs from Prepare.postAmount: axios error, status 400, envelope
    code -1 naming both amounts. A wrong secret: axios error 401 from getToken."""
    _, mismatch = node_writer.run(
        call("Prepare.postAmount", {"merchant_uid": "node-prepared-1", "amount": 20_000}),
        call("Subscribe.onetime", {"merchant_uid": "node-prepared-1", "amount": 25_000, **CHARGE_CARD}),
    )
    unauthorized = node_writer.error(
        "Payments.cancel", {"merchant_uid": "node-prepared-1"}, secret=WRONG_SECRET
    )

    error = mismatch.failure
    assert (error["isAxiosError"], error["status"]) == (True, 400)
    assert (error["data"]["code"], error["data"]["response"]) == (-1, None)
    assert "20000원" in error["data"]["message"]
    assert "25000원" in error["data"]["message"]
    assert (unauthorized["isAxiosError"], unauthorized["status"]) == (True, 401)


# --------------------------------------------------------------------------------------------
# Scheduled payments (Subscribe.schedule..., Customers.getScheduleds, §4.3, §4.4, §5.6)


def test_node_rest_client_schedules_reads_lists_and_unschedules(shop: Shop, node_writer: NodeClient) -> None:
    """Subscribe.schedule with card data issues the key and resolves with a List of
    ScheduleResults; getScheduled reads one; Subscribe.getScheduleds and Customers.getScheduleds
    (``from``/``to``/``schedule-status``) page them; Subscribe.unschedule revokes one."""
    first_at, second_at = schedule_day(shop, "node", 1), schedule_day(shop, "node", 2)
    since, until = listing_window(shop, "node")
    entries = [
        {"merchant_uid": "node-sched-1", "schedule_at": first_at, "amount": 9_900, "name": "1회차"},
        {"merchant_uid": "node-sched-2", "schedule_at": second_at, "amount": 9_900, "name": "2회차"},
    ]
    window = {"customer_uid": "node-sched", "from": since, "to": until}
    scheduled, read, by_subscribe, by_customer, revoked, after = node_writer.run(
        call("Subscribe.schedule", {"customer_uid": "node-sched", **CHARGE_CARD, "schedules": entries}),
        call("Subscribe.getScheduled", {"merchant_uid": "node-sched-1"}),
        call("Subscribe.getScheduleds", {**window, "schedule-status": "scheduled"}),
        call("Customers.getScheduleds", window),
        call("Subscribe.unschedule", {"customer_uid": "node-sched", "merchant_uid": "node-sched-1"}),
        call("Customers.getScheduleds", {**window, "schedule-status": "revoked"}),
    )

    assert (scheduled.value["status"], scheduled.value["data"]["code"]) == (200, 0)
    listed = scheduled.value["data"]["response"]
    assert merchant_uids(listed) == ["node-sched-1", "node-sched-2"]
    for entry, at in zip(listed, (first_at, second_at), strict=True):
        assert_schedule(
            entry,
            customer_uid="node-sched",
            merchant_uid=entry["merchant_uid"],
            schedule_at=at,
            amount=9_900,
            dates=True,
        )
    assert read.value["data"]["response"] == listed[0]
    for page in (by_subscribe, by_customer):
        collection = page.value["data"]["response"]
        assert (collection["total"], collection["previous"], collection["next"]) == (2, 0, 0)
        # The default sorting is -scheduled: the latest schedule_at first (decision 0002).
        assert merchant_uids(collection["list"]) == ["node-sched-2", "node-sched-1"]
    (cancelled,) = revoked.value["data"]["response"]
    assert_schedule(
        cancelled,
        customer_uid="node-sched",
        merchant_uid="node-sched-1",
        schedule_at=first_at,
        amount=9_900,
        status="revoked",
        dates=True,
    )
    remaining = after.value["data"]["response"]
    assert (remaining["total"], merchant_uids(remaining["list"])) == (1, ["node-sched-1"])


def test_node_rest_client_rejects_refused_schedules_with_code_1_and_bad_ones_with_axios_errors(
    shop: Shop, node_writer: NodeClient
) -> None:
    """HTTP 200 code 1, rejected as {response: {data}}: scheduling for a customer_uid without key
    or card, a merchant_uid already scheduled, an unschedule that matches nothing. Axios errors:
    a schedule_at in the past (400), an unknown merchant_uid (404), a wrong secret (401)."""
    at = schedule_day(shop, "node", REFUSALS_HOUR)
    entry = {"merchant_uid": "node-sched-dup", "schedule_at": at, "amount": 5_000}
    _, no_customer, duplicate, nothing, past, unknown = node_writer.run(
        call("Subscribe.schedule", {"customer_uid": "node-sched-dup", **CHARGE_CARD, "schedules": [entry]}),
        call(
            "Subscribe.schedule",
            {
                "customer_uid": "node-sched-nobody",
                "schedules": [{**entry, "merchant_uid": "node-sched-nobody-1"}],
            },
        ),
        call("Subscribe.schedule", {"customer_uid": "node-sched-dup", "schedules": [entry]}),
        call("Subscribe.unschedule", {"customer_uid": "node-sched-nobody"}),
        call(
            "Subscribe.schedule",
            {
                "customer_uid": "node-sched-dup",
                "schedules": [{**entry, "merchant_uid": "node-sched-past", "schedule_at": shop.now - 60}],
            },
        ),
        call("Subscribe.getScheduled", {"merchant_uid": "node-sched-never"}),
    )
    unauthorized = node_writer.error(
        "Subscribe.getScheduled", {"merchant_uid": "node-sched-dup"}, secret=WRONG_SECRET
    )

    assert code_rejection(no_customer) == {"code": 1, "message": NO_CUSTOMER_MESSAGE, "response": None}
    refused = code_rejection(duplicate)
    assert refused["code"] == 1
    assert refused["message"].startswith(DUPLICATE_SCHEDULE_MESSAGE)
    assert "node-sched-dup" in refused["message"]
    assert code_rejection(nothing) == {"code": 1, "message": NOTHING_TO_UNSCHEDULE_MESSAGE, "response": None}
    assert (past.failure["isAxiosError"], past.failure["status"], past.failure["data"]["code"]) == (
        True,
        400,
        -1,
    )
    assert "schedule_at" in past.failure["data"]["message"]
    assert (unknown.failure["status"], unknown.failure["data"]["code"]) == (404, -1)
    assert "node-sched-never" in unknown.failure["data"]["message"]
    assert (unauthorized["isAxiosError"], unauthorized["status"]) == (True, 401)


# --------------------------------------------------------------------------------------------
# Virtual accounts (Vbanks, §4.6) and escrow deliveries (Escrows, §4.5)


def test_node_rest_client_issues_refuses_to_change_and_revokes_a_virtual_account(
    shop: Shop, node_writer: NodeClient
) -> None:
    """Vbanks.post resolves with the ready Payment (KCP's holder, the deadline asked); Vbanks.put
    rejects with an axios 400 (KCP cannot change an account: DELETE then POST); Vbanks.delete
    resolves with the cancelled Payment; a second delete is 400, an unknown imp_uid 404."""
    due = vbank_due(shop)
    issued = node_writer.ok("Vbanks.post", vbank_order(shop, "node-vbank-1", 25_000))
    imp_uid = issued["data"]["response"]["imp_uid"]
    found, changed, revoked, again, unknown = node_writer.run(
        call("Payments.getByImpUid", {"imp_uid": imp_uid}),
        call("Vbanks.put", {"imp_uid": imp_uid, "amount": 30_000, "vbank_due": due + 3600}),
        call("Vbanks.delete", {"imp_uid": imp_uid}),
        call("Vbanks.delete", {"imp_uid": imp_uid}),
        call("Vbanks.delete", {"imp_uid": UNKNOWN_IMP_UID}),
    )

    assert (issued["status"], issued["data"]["code"]) == (200, 0)
    payment = issued["data"]["response"]
    assert_vbank(payment, merchant_uid="node-vbank-1", amount=25_000, due=due, dates=True)
    assert found.value["data"]["response"] == payment
    refusal = changed.failure
    assert (refusal["isAxiosError"], refusal["status"], refusal["data"]["code"]) == (True, 400, -1)
    assert all(word in refusal["data"]["message"] for word in CHANGE_REFUSED_WORDS)
    cancelled = revoked.value["data"]["response"]
    assert_vbank(
        cancelled, merchant_uid="node-vbank-1", amount=25_000, due=due, status="cancelled", dates=True
    )
    assert (cancelled["imp_uid"], cancelled["cancel_reason"]) == (imp_uid, REVOKE_REASON)
    assert (again.failure["status"], again.failure["data"]["code"]) == (400, -1)
    assert unknown.failure["status"] == 404
    assert unknown.failure["data"] == {"code": -1, "message": NOT_FOUND_MESSAGE, "response": None}


def test_node_rest_client_rejects_a_duplicate_account_and_a_holder_lookup(
    shop: Shop, node_writer: NodeClient
) -> None:
    """A second Vbanks.post with the same merchant_uid is HTTP 200 code 1 ({response: {data}});
    Vbanks.getHolder (GET /vbanks/holder) rejects with an axios 404: KCP has no holder
    inquiry, so every lookup is the contract's failed lookup (decision 0004)."""
    _, duplicate, holder = node_writer.run(
        call("Vbanks.post", vbank_order(shop, "node-vbank-dup", 10_000)),
        call("Vbanks.post", vbank_order(shop, "node-vbank-dup", 10_000)),
        call("Vbanks.getHolder", {"bank_code": KOOKMIN, "bank_num": "1234567890"}),
    )

    envelope = code_rejection(duplicate)
    assert (envelope["code"], envelope["response"]) == (1, None)
    assert "node-vbank-dup" in envelope["message"]
    lookup = holder.failure
    assert (lookup["isAxiosError"], lookup["status"]) == (True, 404)
    assert (lookup["data"]["code"], lookup["data"]["response"]) == (-1, None)
    assert lookup["data"]["message"].startswith(HOLDER_LOOKUP_FAILED)


def test_node_rest_client_registers_an_escrow_delivery_and_rejects_changes_with_409(
    shop: Shop, node_writer: NodeClient
) -> None:
    """Escrows.postEscrow on an escrow payment the sandbox approved resolves with EscrowLogis
    (sent_at, applied_at as Dates); Escrows.putEscrow, a second postEscrow and a postEscrow on a
    payment without escrow reject with axios 409; an unknown imp_uid with 404."""
    payment = paid_escrow_payment(shop, "node-escrow-1")
    sent_at = shop.now - 600
    card = node_writer.ok(
        "Subscribe.onetime", {"merchant_uid": "node-not-escrow", "amount": 3_000, **CHARGE_CARD}
    )
    registered, changed, twice, not_escrow, unknown = node_writer.run(
        call("Escrows.postEscrow", {"imp_uid": payment.imp_uid, **shipment(sent_at)}),
        call("Escrows.putEscrow", {"imp_uid": payment.imp_uid, **shipment(sent_at, invoice="999")}),
        call("Escrows.postEscrow", {"imp_uid": payment.imp_uid, **shipment(sent_at)}),
        call("Escrows.postEscrow", {"imp_uid": card["data"]["response"]["imp_uid"], **shipment(sent_at)}),
        call("Escrows.postEscrow", {"imp_uid": UNKNOWN_IMP_UID, **shipment(sent_at)}),
    )

    logis = registered.value["data"]["response"]
    assert (logis["company"], logis["invoice"], logis["sent_at"]) == (
        "CJGLS",
        "123456789012",
        {"$date": sent_at},
    )
    assert logis["applied_at"]["$date"] > 0
    for refused in (changed, twice, not_escrow):
        assert (refused.failure["isAxiosError"], refused.failure["status"]) == (True, 409)
        assert (refused.failure["data"]["code"], refused.failure["data"]["response"]) == (-1, None)
    assert not_escrow.failure["data"]["message"].startswith(NOT_ESCROW_MESSAGE)
    assert unknown.failure["status"] == 404
