"""Webhook rules (iamport-v1 §6): which change is which event, what is sent by default, where,
how retries space out, and the body and signature a merchant receives."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qs

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from homeport.api.webhooks import webhook_body
from homeport.clock import SystemClock
from homeport.domain.payments.accounts import EXPIRED_REASON
from homeport.domain.payments.models import PaymentStatus
from homeport.domain.webhooks.models import (
    DEFAULT_KINDS,
    Decision,
    EventKind,
    WebhookEvent,
    WebhookFormat,
    WebhookSettings,
)
from homeport.domain.webhooks.policy import (
    SCHEDULED_USAGE,
    decide,
    destinations,
    event_kind,
    new_secret,
    retry_delay,
)
from homeport.workers.outbox import signature_headers
from tests.support import make_payment, vbank_payment

READY = make_payment(1, status=PaymentStatus.READY, paid_at=0)
PAID = make_payment(1)
URL = ["https://shop.example/webhook"]


def test_an_approval_is_paid_and_a_scheduled_charge_is_a_schedule_result() -> None:
    scheduled = replace(READY, customer_uid="c-1", customer_uid_usage=SCHEDULED_USAGE)

    assert event_kind(READY, replace(READY, status=PaymentStatus.PAID)) is EventKind.PAID
    assert event_kind(scheduled, replace(scheduled, status=PaymentStatus.PAID)) is EventKind.SCHEDULE_PAID
    assert event_kind(scheduled, replace(scheduled, status=PaymentStatus.FAILED)) is EventKind.SCHEDULE_FAILED
    assert event_kind(READY, replace(READY, status=PaymentStatus.FAILED)) is EventKind.FAILED


def test_a_virtual_account_issued_is_an_event_but_other_ready_to_ready_writes_are_not() -> None:
    awaiting = replace(READY, pay_method="vbank", virtual_account=None)
    issued = vbank_payment(1)

    assert event_kind(awaiting, issued) is EventKind.VBANK_ISSUED
    assert event_kind(issued, replace(issued, updated_at=issued.updated_at + 1)) is None
    assert event_kind(PAID, replace(PAID, updated_at=PAID.updated_at + 1)) is None


def test_a_deposit_taken_back_and_an_expired_account_are_homeport_kinds() -> None:
    issued = vbank_payment(1)
    deposited = replace(issued, status=PaymentStatus.PAID)
    expired = replace(issued, status=PaymentStatus.CANCELLED, cancel_reason=EXPIRED_REASON)
    revoked = replace(issued, status=PaymentStatus.CANCELLED, cancel_reason="가상계좌 발급 취소")

    assert event_kind(deposited, issued) is EventKind.DEPOSIT_CANCELLED
    assert event_kind(issued, expired) is EventKind.VBANK_EXPIRED
    assert event_kind(issued, revoked, requested=False) is EventKind.API_CANCELLED


def test_a_cancel_is_an_event_even_when_partial_and_an_api_one_is_told_apart() -> None:
    partial = replace(PAID, updated_at=PAID.updated_at + 5)  # still paid

    assert event_kind(PAID, partial, cancellation_id="cx-1") is EventKind.CANCELLED
    assert event_kind(PAID, partial, cancellation_id="cx-1", requested=False) is EventKind.API_CANCELLED
    assert event_kind(PAID, partial, cancellation_id="cx-1", requested=True) is EventKind.API_CANCELLED


def test_the_contract_defaults_leave_out_failed_payments_and_api_cancels() -> None:
    defaults = WebhookSettings(merchant_id=1)

    sent = {kind for kind in EventKind if decide(kind, None, defaults, URL) is Decision.SEND}

    assert sent == set(DEFAULT_KINDS)
    assert EventKind.FAILED not in sent
    assert EventKind.API_CANCELLED not in sent
    # §6: enable_webhook=true on the cancel request sends it all the same.
    assert decide(EventKind.API_CANCELLED, True, defaults, URL) is Decision.SEND
    assert decide(EventKind.API_CANCELLED, False, defaults, URL) is Decision.NOT_SUBSCRIBED


def test_a_merchant_may_opt_in_to_failed_payments_and_out_of_schedule_results() -> None:
    custom = WebhookSettings(
        merchant_id=1, kinds=(DEFAULT_KINDS | {EventKind.FAILED}) - {EventKind.SCHEDULE_FAILED}
    )

    assert decide(EventKind.FAILED, None, custom, URL) is Decision.SEND
    assert decide(EventKind.SCHEDULE_FAILED, None, custom, URL) is Decision.NOT_SUBSCRIBED


def test_an_event_with_nowhere_to_go_is_skipped_as_such() -> None:
    assert decide(EventKind.PAID, None, WebhookSettings(merchant_id=1), []) is Decision.NO_ENDPOINT


def test_notice_url_replaces_the_merchant_url_and_may_list_several() -> None:
    default = "https://shop.example/default"
    listed = json.dumps(["https://a.example/h", "https://b.example/h", "https://a.example/h"])

    assert destinations("https://one.example/h", default) == ["https://one.example/h"]
    assert destinations(listed, default) == ["https://a.example/h", "https://b.example/h"]
    assert destinations(None, default) == [default]
    assert destinations("", None) == []
    assert destinations("[not json", default) == [default]


def test_retries_start_after_a_minute_double_and_stay_within_an_hour() -> None:
    assert [retry_delay(n) for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


EVENT = WebhookEvent(
    id="msg_test",
    merchant_id=1,
    imp_uid="imp_123456789012",
    merchant_uid="order-1",
    kind=EventKind.CANCELLED,
    status=PaymentStatus.PAID,
    created_at=1_767_225_600,
    decision=Decision.SEND,
    cancellation_id="cx-1",
)


def test_the_body_is_exactly_the_iamport_one_as_json_or_form() -> None:
    as_json, json_type = webhook_body(EVENT, WebhookFormat.JSON)
    as_form, form_type = webhook_body(EVENT, WebhookFormat.FORM)
    expected = {
        "imp_uid": "imp_123456789012",
        "merchant_uid": "order-1",
        "status": "paid",
        "cancellation_id": "cx-1",
    }

    assert (json_type, json.loads(as_json)) == ("application/json", expected)
    assert form_type == "application/x-www-form-urlencoded"
    assert {k: v[0] for k, v in parse_qs(as_form).items()} == expected


def test_a_paid_event_carries_no_cancellation_id() -> None:
    body, _ = webhook_body(replace(EVENT, cancellation_id=None, kind=EventKind.PAID), WebhookFormat.JSON)

    assert json.loads(body) == {"imp_uid": "imp_123456789012", "merchant_uid": "order-1", "status": "paid"}


def test_the_signature_verifies_with_the_standard_webhooks_library() -> None:
    secret = new_secret()
    body, _ = webhook_body(EVENT, WebhookFormat.JSON)
    # The library checks the timestamp against the wall clock (5 minutes' tolerance).
    headers = signature_headers(secret, EVENT.id, SystemClock().now(), body)

    assert secret.startswith("whsec_")
    assert headers["webhook-id"] == "msg_test"
    assert Webhook(secret).verify(body, headers) == json.loads(body)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("paid", "cancelled"), headers)
