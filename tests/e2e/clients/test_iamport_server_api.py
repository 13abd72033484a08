"""npm ``iamport-server-api`` 10.0.0 (the SDK of fake-iamport-server, FAKE in iamport-v1 §0/§9)
against a live homeport.

Pointed at homeport as its README shows: ``new IamportConnector(host, {imp_key, imp_secret})``;
every function of ``functional`` takes ``await connector.get()`` = ``{host, headers:
{Authorization: <raw token>}}`` [lib/IamportConnector.js ``get``]. Its routes declare status 201
for POSTs (``METADATA.status``) as the NestJS fake answers, but its fetcher accepts 200, 201 or
the declared status [@nestia/fetcher 5.0.0 lib/internal/FetcherBase.js, ``success: status ===
200 || status === 201 || status === route.status``], so homeport's contract 200 (§1) works.
Any other status rejects with nestia's ``HttpError`` (``.status``, raw body as ``.message``);
a 2xx resolves with the whole envelope ``{code, message, response}`` whatever ``code`` is.

Of the endpoints homeport implements, the SDK offers only ``users.getToken``, ``payments.at``
(GET /payments/{imp_uid}), ``payments.cancel`` (POST /payments/cancel),
``subscribe.customers.create/at/erase`` (POST/GET/DELETE /subscribe/customers/{customer_uid})
and ``subscribe.payments.onetime/again``; it has no multi-get, find/findAll/status, prepare,
code table, customer_uid[], customer-payments or foreign method. Charges and cancels run as
the package's second merchant (``Shop.writer``, ``sdk.as_merchant``); the prepared amount of
the mismatch scenario is registered over plain HTTP.

Virtual accounts (§4.6), as the second merchant: ``vbanks.create`` (POST /vbanks) and
``vbanks.update``, which sends fake-iamport's ``PUT /vbanks`` with ``imp_uid`` in the body;
homeport serves that path and refuses the change for KCP (HttpError 400). The SDK has no
schedule, escrow, vbank revoke or holder function; its ``internal.deposit``
(``PUT /internal/deposit/{imp_uid}``) is fake-iamport's private deposit simulation, which
homeport does not serve (deposits come from KCP's notification, or the sandbox's own controls).
"""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.clients.charges import (
    CHARGE_CARD,
    IMP_UID,
    LIMIT_CARD,
    LIMIT_DECLINE,
    ONETIME_FAILED_MESSAGE,
    assert_api_payment,
    assert_code_1_refusals,
    prepare_amount,
)
from tests.e2e.clients.node import NodeClient, NodeRunner, call
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
    unknown_customer_message,
)
from tests.e2e.clients.vbanks import (
    CHANGE_REFUSED_WORDS,
    ISSUE_FAILED_VBANK,
    NO_CONTRACT,
    NO_VBANK_BANK,
    assert_vbank,
    vbank_due,
    vbank_order,
)

pytestmark = pytest.mark.clients


@pytest.fixture
def sdk(node_runner: NodeRunner) -> NodeClient:
    """iamport-server-api's IamportConnector with host = the live server's origin."""
    return node_runner.client("iamport-server-api.mjs")


def test_iamport_server_api_gets_a_token_the_connector_then_sends_raw(sdk: NodeClient) -> None:
    """users.getToken resolves with the envelope of a 40-hex token; the connector's connection
    carries the same (reused) token as a raw Authorization header, no Bearer scheme."""
    issued, connection = sdk.run(call("getToken"), call("connect"))

    envelope = issued.value
    token = envelope["response"]
    assert (envelope["code"], envelope["message"]) == (0, None)
    assert re.fullmatch(r"[0-9a-f]{40}", token["access_token"])
    assert 0 < token["expired_at"] - token["now"] <= 1800
    assert connection.value == {"host": sdk.host, "headers": {"Authorization": token["access_token"]}}


def test_iamport_server_api_reads_a_paid_payment_by_imp_uid(shop: Shop, sdk: NodeClient) -> None:
    """payments.at resolves with the envelope of the paid card payment: every §5.2 key, integer
    timestamps, the merchant_uid echoed and an imp_uid of the form imp_ + 12 digits."""
    envelope = sdk.ok("payments.at", shop.paid.imp_uid, {})

    payment = envelope["response"]
    assert (envelope["code"], envelope["message"]) == (0, None)
    assert_payment(payment, shop.paid)
    assert IMP_UID.match(payment["imp_uid"])
    assert (payment["merchant_uid"], payment["status"], payment["amount"]) == ("hp-card-paid", "paid", 39000)


def test_iamport_server_api_sees_partial_cancel_vbank_and_failed_payments(
    shop: Shop, sdk: NodeClient
) -> None:
    """Partial cancel (cancel_amount, cancel_history), vbank fields and a failed attempt's
    fail_reason reach the SDK; its ``extension: true`` query (a fake-only PayPal switch,
    IIamportPayment.IQuery) is ignored by homeport."""
    partial, vbank, failed = sdk.run(
        call("payments.at", shop.partial.imp_uid, {"extension": True}),
        call("payments.at", shop.vbank.imp_uid, {}),
        call("payments.at", shop.retry_failed.imp_uid, {}),
    )

    assert_payment(partial.value["response"], shop.partial)
    assert (partial.value["response"]["status"], partial.value["response"]["cancel_amount"]) == (
        "paid",
        12000,
    )
    assert_payment(vbank.value["response"], shop.vbank)
    assert vbank.value["response"]["vbank_num"] == "T0309260000123"
    assert_payment(failed.value["response"], shop.retry_failed)
    assert failed.value["response"]["fail_reason"] == "[3001] 한도초과"


def test_iamport_server_api_rejects_an_unknown_imp_uid_with_http_error_404(sdk: NodeClient) -> None:
    """An unknown imp_uid rejects with HttpError 404 whose body is the contract's envelope."""
    error = sdk.error("payments.at", UNKNOWN_IMP_UID, {})

    assert (error["name"], error["status"]) == ("HttpError", 404)
    assert json.loads(error["message"]) == {"code": -1, "message": NOT_FOUND_MESSAGE, "response": None}


def test_iamport_server_api_rejects_a_wrong_secret_with_http_error_401(shop: Shop, sdk: NodeClient) -> None:
    """A wrong secret: the connector's getToken rejects with HttpError 401 and an error envelope,
    before the payment is asked for."""
    error = sdk.error("payments.at", shop.paid.imp_uid, {}, secret=WRONG_SECRET)

    body = json.loads(error["message"])
    assert (error["name"], error["status"]) == ("HttpError", 401)
    assert body["code"] != 0
    assert body["response"] is None
    assert isinstance(body["message"], str)
    assert body["message"]


# --------------------------------------------------------------------------------------------
# Billing keys (subscribe.customers, §4.3, §5.5) through the demo merchant's sandbox channel


def test_iamport_server_api_creates_reads_and_erases_a_billing_key(sdk: NodeClient) -> None:
    """subscribe.customers.create (customer_uid in the path and the body, as IIamportSubscription
    .ICreate has it), at and erase resolve with code 0 and the Customer object."""
    customer = {"customer_uid": "sdk-cust", "customer_name": "최지우", "customer_tel": "010-9876-5432"}
    created, read, erased = sdk.run(
        call("subscribe.customers.create", "sdk-cust", {**customer, **BILLING_CARD, "pwd_2digit": "12"}),
        call("subscribe.customers.at", "sdk-cust"),
        call("subscribe.customers.erase", "sdk-cust"),
    )

    key = created.value["response"]
    assert (created.value["code"], created.value["message"]) == (0, None)
    assert {k: key[k] for k in customer} == customer
    assert (key["pg_provider"], key["card_number"]) == ("kcp", MASKED_BILLING_CARD)
    assert type(key["inserted"]) is int
    assert read.value == created.value
    assert (erased.value["code"], erased.value["response"]["customer_uid"]) == (0, "sdk-cust")


def test_iamport_server_api_resolves_an_unknown_billing_key_with_code_1(sdk: NodeClient) -> None:
    """GET and DELETE of an unknown customer_uid answer HTTP 200 code 1 (§8, §10.2). The SDK
    does not look at ``code``: its fetcher resolves every 200/201 with the parsed body
    (FetcherBase.js ``result.data = text.length ? JSON.parse(text) : undefined``), so merchant
    code must check it. The envelope arrives with code 1, the contract's message, no response."""
    read, erased = sdk.run(
        call("subscribe.customers.at", "sdk-no-such-key"),
        call("subscribe.customers.erase", "sdk-no-such-key"),
    )

    expected = {"code": 1, "message": unknown_customer_message("sdk-no-such-key"), "response": None}
    assert read.value == expected
    assert erased.value == expected


def test_iamport_server_api_resolves_a_declined_card_with_code_minus_one(sdk: NodeClient) -> None:
    """A card the PG refuses at issuance: HTTP 200 code -1, resolved as that envelope."""
    envelope = sdk.ok(
        "subscribe.customers.create", "sdk-declined", {"customer_uid": "sdk-declined", **DECLINED_CARD}
    )

    assert (envelope["code"], envelope["response"]) == (-1, None)
    assert envelope["message"].startswith(ISSUE_FAILED_MESSAGE)


# --------------------------------------------------------------------------------------------
# Charges and cancels (subscribe.payments, payments.cancel, §4.1, §4.4) as the second merchant


@pytest.fixture
def sdk_writer(shop: Shop, sdk: NodeClient) -> NodeClient:
    """The SDK's connector with the key and secret of the merchant the write scenarios create for."""
    return sdk.as_merchant(shop.writer.imp_key, shop.writer.imp_secret)


def test_iamport_server_api_charges_onetime_keeping_the_card_then_again(sdk_writer: NodeClient) -> None:
    """subscribe.payments.onetime with customer_uid (usage ``issue``) and subscribe.payments.again
    (usage ``payment``) resolve with code 0 and the paid Payment (HTTP 200 where the SDK
    declares 201; its fetcher accepts both)."""
    first, second = sdk_writer.run(
        call(
            "subscribe.payments.onetime",
            {"merchant_uid": "sdk-onetime-1", "amount": 16_000, "customer_uid": "sdk-sub", **CHARGE_CARD},
        ),
        call(
            "subscribe.payments.again",
            {"customer_uid": "sdk-sub", "merchant_uid": "sdk-again-1", "amount": 5_500, "name": "구독"},
        ),
    )

    assert (first.value["code"], first.value["message"]) == (0, None)
    assert_api_payment(
        first.value["response"],
        merchant_uid="sdk-onetime-1",
        amount=16_000,
        customer_uid="sdk-sub",
        usage="issue",
    )
    assert (second.value["code"], second.value["message"]) == (0, None)
    assert_api_payment(
        second.value["response"],
        merchant_uid="sdk-again-1",
        amount=5_500,
        customer_uid="sdk-sub",
        usage="payment",
    )


def test_iamport_server_api_cancels_part_by_imp_uid_then_the_rest_by_merchant_uid(
    sdk_writer: NodeClient,
) -> None:
    """payments.cancel with amount and checksum keeps the payment paid with one history entry;
    payments.cancel by merchant_uid without amount cancels the rest."""
    paid = sdk_writer.ok(
        "subscribe.payments.onetime", {"merchant_uid": "sdk-cancel-1", "amount": 80_000, **CHARGE_CARD}
    )
    imp_uid = paid["response"]["imp_uid"]
    partial, rest = sdk_writer.run(
        call("payments.cancel", {"imp_uid": imp_uid, "amount": 35_000, "checksum": 80_000, "reason": "일부"}),
        call("payments.cancel", {"merchant_uid": "sdk-cancel-1", "reason": "나머지"}),
    )

    assert_api_payment(paid["response"], merchant_uid="sdk-cancel-1", amount=80_000)
    assert partial.value["code"] == 0
    assert_api_payment(
        partial.value["response"], merchant_uid="sdk-cancel-1", amount=80_000, cancelled=[35_000]
    )
    assert rest.value["code"] == 0
    assert_api_payment(
        rest.value["response"],
        merchant_uid="sdk-cancel-1",
        amount=80_000,
        status="cancelled",
        cancelled=[35_000, 45_000],
    )
    assert rest.value["response"]["imp_uid"] == imp_uid


def test_iamport_server_api_resolves_declined_charges_with_their_envelopes(sdk_writer: NodeClient) -> None:
    """A card declined at every charge: subscribe.payments.again resolves with code 0 and the
    failed Payment; subscribe.payments.onetime with HTTP 200 code -1, the contract's text and
    the PG's reason (the SDK never looks at ``code``)."""
    _, again, onetime = sdk_writer.run(
        call("subscribe.customers.create", "sdk-limit", {"customer_uid": "sdk-limit", **LIMIT_CARD}),
        call(
            "subscribe.payments.again",
            {"customer_uid": "sdk-limit", "merchant_uid": "sdk-again-declined", "amount": 4_000},
        ),
        call(
            "subscribe.payments.onetime",
            {"merchant_uid": "sdk-onetime-declined", "amount": 4_000, **LIMIT_CARD},
        ),
    )

    assert again.value["code"] == 0
    failed = again.value["response"]
    assert_api_payment(
        failed,
        merchant_uid="sdk-again-declined",
        amount=4_000,
        status="failed",
        customer_uid="sdk-limit",
        usage="payment",
    )
    assert failed["fail_reason"].startswith(LIMIT_DECLINE)
    assert (onetime.value["code"], onetime.value["response"]) == (-1, None)
    assert onetime.value["message"].startswith(ONETIME_FAILED_MESSAGE + LIMIT_DECLINE)


def test_iamport_server_api_resolves_refused_charges_and_cancels_with_code_1(sdk_writer: NodeClient) -> None:
    """HTTP 200 code 1, resolved as the envelope: again with an unknown customer_uid, again with
    a paid merchant_uid, cancel of an unknown imp_uid, an over-cancel."""
    _, paid, unknown_customer, duplicate, unknown_payment, over_cancel = (
        outcome.value
        for outcome in sdk_writer.run(
            call("subscribe.customers.create", "sdk-dup", {"customer_uid": "sdk-dup", **CHARGE_CARD}),
            call(
                "subscribe.payments.again",
                {"customer_uid": "sdk-dup", "merchant_uid": "sdk-dup-1", "amount": 5_000},
            ),
            call(
                "subscribe.payments.again",
                {"customer_uid": "sdk-nobody", "merchant_uid": "sdk-nobody-1", "amount": 1_000},
            ),
            call(
                "subscribe.payments.again",
                {"customer_uid": "sdk-dup", "merchant_uid": "sdk-dup-1", "amount": 5_000},
            ),
            call("payments.cancel", {"imp_uid": UNKNOWN_IMP_UID, "reason": "없는 결제"}),
            call("payments.cancel", {"merchant_uid": "sdk-dup-1", "amount": 5_001}),
        )
    )

    assert_api_payment(
        paid["response"], merchant_uid="sdk-dup-1", amount=5_000, customer_uid="sdk-dup", usage="payment"
    )
    envelopes = [unknown_customer, duplicate, unknown_payment, over_cancel]
    assert [envelope["response"] for envelope in envelopes] == [None] * 4
    assert_code_1_refusals(
        unknown_customer=(unknown_customer["code"], unknown_customer["message"]),
        duplicate=(duplicate["code"], duplicate["message"]),
        unknown_payment=(unknown_payment["code"], unknown_payment["message"]),
        over_cancel=(over_cancel["code"], over_cancel["message"]),
        merchant_uid="sdk-dup-1",
        asked=5_001,
        remaining=5_000,
    )


def test_iamport_server_api_rejects_a_prepared_amount_mismatch_and_a_wrong_secret_with_http_error(
    shop: Shop, sdk_writer: NodeClient
) -> None:
    """A charge whose amount differs from /payments/prepare: HttpError 400 whose body is the
    envelope (code -1, both amounts); a wrong secret: HttpError 401 from the connector's
    getToken. The SDK has no prepare function, so the amount is registered over plain HTTP."""
    prepare_amount(shop.server, shop.writer, "sdk-prepared-1", 20_000)

    mismatch = sdk_writer.error(
        "subscribe.payments.onetime", {"merchant_uid": "sdk-prepared-1", "amount": 25_000, **CHARGE_CARD}
    )
    unauthorized = sdk_writer.error(
        "payments.cancel", {"merchant_uid": "sdk-prepared-1"}, secret=WRONG_SECRET
    )

    body = json.loads(mismatch["message"])
    assert (mismatch["name"], mismatch["status"]) == ("HttpError", 400)
    assert (body["code"], body["response"]) == (-1, None)
    assert "20000원" in body["message"]
    assert "25000원" in body["message"]
    assert (unauthorized["name"], unauthorized["status"]) == ("HttpError", 401)


# --------------------------------------------------------------------------------------------
# Virtual accounts (vbanks.create / update, §4.6) as the second merchant


def test_iamport_server_api_creates_a_virtual_account_and_update_is_refused_for_kcp(
    shop: Shop, sdk_writer: NodeClient
) -> None:
    """vbanks.create resolves with the envelope of the ready Payment (KCP's holder, the deadline
    asked); vbanks.update sends PUT /vbanks with imp_uid in the body (fake-iamport's form, §4.6),
    which homeport accepts and refuses for KCP: HttpError 400 whose body is the envelope (code
    -1, naming KCP and DELETE); an unknown imp_uid is HttpError 404."""
    due = vbank_due(shop)
    created = sdk_writer.ok("vbanks.create", vbank_order(shop, "sdk-vbank-1", 21_000))
    imp_uid = created["response"]["imp_uid"]
    read, changed, unknown = sdk_writer.run(
        call("payments.at", imp_uid, {}),
        call("vbanks.update", {"imp_uid": imp_uid, "amount": 22_000, "vbank_due": due + 3600}),
        call("vbanks.update", {"imp_uid": UNKNOWN_IMP_UID, "amount": 22_000}),
    )

    assert (created["code"], created["message"]) == (0, None)
    assert_vbank(created["response"], merchant_uid="sdk-vbank-1", amount=21_000, due=due)
    assert read.value["response"] == created["response"]
    refusal = changed.failure
    body = json.loads(refusal["message"])
    assert (refusal["name"], refusal["status"]) == ("HttpError", 400)
    assert (body["code"], body["response"]) == (-1, None)
    assert all(word in body["message"] for word in CHANGE_REFUSED_WORDS)
    assert (unknown.failure["name"], unknown.failure["status"]) == ("HttpError", 404)
    assert json.loads(unknown.failure["message"]) == {
        "code": -1,
        "message": NOT_FOUND_MESSAGE,
        "response": None,
    }


def test_iamport_server_api_resolves_refused_virtual_accounts_with_their_envelopes(
    shop: Shop, sdk_writer: NodeClient
) -> None:
    """The SDK resolves any 2xx: a merchant_uid already issued is the envelope with code 1, a bank
    KCP issues no accounts at the envelope with code -1 and the contract's ``계약이 필요합니다.``."""
    order = vbank_order(shop, "sdk-vbank-dup", 9_000)
    _, duplicate, no_contract = (
        outcome.value
        for outcome in sdk_writer.run(
            call("vbanks.create", order),
            call("vbanks.create", order),
            call("vbanks.create", {**order, "merchant_uid": "sdk-vbank-002", "vbank_code": NO_VBANK_BANK}),
        )
    )

    assert (duplicate["code"], duplicate["response"]) == (1, None)
    assert "sdk-vbank-dup" in duplicate["message"]
    assert (no_contract["code"], no_contract["response"]) == (-1, None)
    assert no_contract["message"].startswith(ISSUE_FAILED_VBANK)
    assert NO_CONTRACT in no_contract["message"]
