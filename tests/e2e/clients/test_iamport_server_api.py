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
(GET /payments/{imp_uid}) and ``subscribe.customers.create/at/erase`` (POST/GET/DELETE
/subscribe/customers/{customer_uid}); it has no multi-get, find/findAll/status, prepare, code
table or customer_uid[] method.
"""

from __future__ import annotations

import json
import re

import pytest

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

pytestmark = pytest.mark.clients

#: Checkout payments' imp_uid: ``imp_`` + 12 digits (§5.2).
IMP_UID = re.compile(r"^imp_\d{12}$")


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
