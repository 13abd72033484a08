"""Merchant webhooks end to end (iamport-v1 §6): payments made through the API, the checkout and
the sandbox's deposits reach a real HTTP endpoint on 127.0.0.1, signed, retried while it is
down, with one webhook-id per event. Time moves with the fake clock; nothing sleeps."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from standardwebhooks import Webhook

from homeport.clock import FakeClock
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.webhooks.models import Decision, DeliveryState, EventKind, EventRecord, WebhookFormat
from homeport.services import Services
from homeport.workers.outbox import OutboxWorker
from tests.e2e.merchant_endpoint import MerchantEndpoint, Received
from tests.e2e.test_api_charges import CARD, LIMIT_CARD
from tests.e2e.test_checkout_approval import card_window, post_return
from tests.e2e.test_kcp_notifications import notify, sandbox_deposit, tx00

DAY = 86_400


@pytest.fixture
def endpoint() -> Iterator[MerchantEndpoint]:
    merchant_site = MerchantEndpoint()
    yield merchant_site
    merchant_site.stop()


@pytest.fixture
def worker(services: Services) -> OutboxWorker:
    return OutboxWorker(services)


async def onetime(api: httpx.AsyncClient, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {"merchant_uid": "order-1", "amount": 8000, "name": "단건", **CARD} | fields
    answer = await api.post("/subscribe/payments/onetime", json=body, headers=auth)
    assert answer.status_code == 200, answer.text
    payment: dict[str, Any] = answer.json()["response"]
    return payment


async def declined(api: httpx.AsyncClient, auth: dict[str, str], merchant_uid: str) -> dict[str, Any]:
    """A onetime charge the card company declines; the failed payment it leaves."""
    body = {"merchant_uid": merchant_uid, "amount": 8000, **LIMIT_CARD}
    answer = await api.post("/subscribe/payments/onetime", json=body, headers=auth)
    assert answer.json()["code"] == -1, answer.text
    found = (await api.get(f"/payments/find/{merchant_uid}", headers=auth)).json()["response"]
    assert found["status"] == "failed"
    payment: dict[str, Any] = found
    return payment


async def cancel(api: httpx.AsyncClient, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    answer = await api.post("/payments/cancel", json=fields, headers=auth)
    assert answer.json()["code"] == 0, answer.text
    payment: dict[str, Any] = answer.json()["response"]
    return payment


async def log_of(services: Services, imp_uid: str) -> list[EventRecord]:
    return list(reversed(await services.webhooks.events(imp_uid=imp_uid)))


def by_webhook_id(received: list[Received]) -> dict[str, list[Received]]:
    grouped: dict[str, list[Received]] = defaultdict(list)
    for request in received:
        grouped[request.headers["webhook-id"]].append(request)
    return dict(grouped)


def assert_signed(request: Received, secret: str) -> None:
    """The signature is the Standard Webhooks one over id, timestamp and the exact body."""
    signed_at = datetime.fromtimestamp(int(request.headers["webhook-timestamp"]), tz=UTC)
    expected = Webhook(secret).sign(request.headers["webhook-id"], signed_at, request.body)
    assert request.headers["webhook-signature"] == expected


async def test_a_merchant_down_then_up_receives_every_event_with_one_webhook_id_each(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    clock: FakeClock,
    endpoint: MerchantEndpoint,
    worker: OutboxWorker,
) -> None:
    await services.webhooks.configure(merchant_a.merchant.id, url=endpoint.url())
    paid = await onetime(api, auth)
    partial = await cancel(api, auth, imp_uid=paid["imp_uid"], amount=3000, enable_webhook=True)
    [cancellation] = partial["cancel_history"]

    assert await worker.run_once() == 2  # nobody listens: connection refused
    endpoint.start(status=503)
    clock.advance(60)
    assert await worker.run_once() == 2  # 503
    clock.advance(119)
    assert await worker.run_once() == 0  # the second retry waits 120 s
    endpoint.status = 200
    clock.advance(1)
    assert await worker.run_once() == 2
    assert await worker.run_once() == 0

    sent = by_webhook_id(endpoint.received)
    assert [len(requests) for requests in sent.values()] == [2, 2]  # 503 then 200, same id
    bodies = sorted((json.loads(r[0].body) for r in sent.values()), key=len)
    assert bodies == [
        {"imp_uid": paid["imp_uid"], "merchant_uid": "order-1", "status": "paid"},
        # A partial cancel: the payment stays paid; the cancel names itself (§6 cancellation_id).
        {
            "imp_uid": paid["imp_uid"],
            "merchant_uid": "order-1",
            "status": "paid",
            "cancellation_id": cancellation["cancellation_id"],
        },
    ]
    secret = (await services.webhooks.settings(merchant_a.merchant.id)).secret
    assert secret is not None
    for request in endpoint.received:
        assert request.headers["content-type"] == "application/json"
        assert_signed(request, secret)
    for record in await log_of(services, paid["imp_uid"]):
        [delivery] = record.deliveries
        assert delivery.state is DeliveryState.DELIVERED
        assert [a.http_status for a in delivery.attempts] == [None, 503, 200]
        assert "ConnectError" in (delivery.attempts[0].error or "")


async def test_a_delivery_never_answered_fails_at_the_horizon_and_redelivers_with_its_id(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    clock: FakeClock,
    endpoint: MerchantEndpoint,
    worker: OutboxWorker,
) -> None:
    await services.webhooks.configure(merchant_a.merchant.id, url=endpoint.url())
    paid = await onetime(api, auth)
    endpoint.start(status=503)
    start = clock.now()

    while await worker.run_once():
        clock.advance(3600)

    [record] = await log_of(services, paid["imp_uid"])
    [delivery] = record.deliveries
    assert delivery.state is DeliveryState.FAILED
    # Retried for three days (HOMEPORT_WEBHOOK_RETRY_HORIZON's default), never past them.
    assert start + 3 * DAY - 3600 <= delivery.finished_at <= start + 3 * DAY
    assert len(delivery.attempts) == len(endpoint.received) > 50

    endpoint.status = 200
    await services.webhooks.redeliver(record.event.id)
    assert await worker.run_once() == 1

    [record] = await log_of(services, paid["imp_uid"])
    assert [d.state for d in record.deliveries] == [DeliveryState.FAILED, DeliveryState.DELIVERED]
    assert {r.headers["webhook-id"] for r in endpoint.received} == {record.event.id}


async def test_a_merchant_may_take_its_webhooks_form_encoded(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    endpoint: MerchantEndpoint,
    worker: OutboxWorker,
) -> None:
    await services.webhooks.configure(merchant_a.merchant.id, url=endpoint.url(), format=WebhookFormat.FORM)
    endpoint.start()
    paid = await onetime(api, auth)

    assert await worker.run_once() == 1

    [request] = endpoint.received
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body) == {
        "imp_uid": [paid["imp_uid"]],
        "merchant_uid": ["order-1"],
        "status": ["paid"],
    }


async def test_a_notice_url_list_gets_every_url_and_replaces_the_merchant_url(
    api: httpx.AsyncClient,
    services: Services,
    merchant_a: CreatedMerchant,
    endpoint: MerchantEndpoint,
    worker: OutboxWorker,
) -> None:
    await services.webhooks.configure(merchant_a.merchant.id, url=endpoint.url("/default"))
    endpoint.start()
    notice_url = [endpoint.url("/first"), endpoint.url("/second")]
    imp_uid, returned = await card_window(api, merchant_a, notice_url=notice_url)
    assert (await post_return(api, returned)).status_code == 200

    assert await worker.run_once() == 2

    assert sorted(r.path for r in endpoint.received) == ["/first", "/second"]
    assert {json.loads(r.body)["imp_uid"] for r in endpoint.received} == {imp_uid}
    assert len(by_webhook_id(endpoint.received)) == 1  # one event, two deliveries


async def test_an_api_cancel_is_sent_only_when_the_request_enables_it(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    endpoint: MerchantEndpoint,
    worker: OutboxWorker,
) -> None:
    await services.webhooks.configure(merchant_a.merchant.id, url=endpoint.url())
    endpoint.start()
    paid = await onetime(api, auth)
    await cancel(api, auth, imp_uid=paid["imp_uid"], amount=1000)
    await cancel(api, auth, imp_uid=paid["imp_uid"], amount=1000, enable_webhook="false")
    done = await cancel(api, auth, imp_uid=paid["imp_uid"], enable_webhook="true")

    assert await worker.run_once() == 2

    statuses = [json.loads(r.body)["status"] for r in endpoint.received]
    assert sorted(statuses) == ["cancelled", "paid"]
    log = await log_of(services, paid["imp_uid"])
    assert [(r.event.kind, r.event.decision) for r in log] == [
        (EventKind.PAID, Decision.SEND),
        (EventKind.API_CANCELLED, Decision.NOT_SUBSCRIBED),
        (EventKind.API_CANCELLED, Decision.NOT_SUBSCRIBED),
        (EventKind.API_CANCELLED, Decision.SEND),
    ]
    assert log[-1].event.cancellation_id == done["cancel_history"][-1]["cancellation_id"]


async def test_a_failed_payment_is_sent_only_when_the_merchant_enables_it(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    merchant_a: CreatedMerchant,
    endpoint: MerchantEndpoint,
    worker: OutboxWorker,
) -> None:
    await services.webhooks.configure(merchant_a.merchant.id, url=endpoint.url())
    endpoint.start()
    first = await declined(api, auth, "declined-1")

    assert await worker.run_once() == 0
    [record] = await log_of(services, first["imp_uid"])
    assert (record.event.kind, record.event.decision) == (EventKind.FAILED, Decision.NOT_SUBSCRIBED)

    await services.webhooks.configure(merchant_a.merchant.id, send=[EventKind.FAILED])
    second = await declined(api, auth, "declined-2")
    assert await worker.run_once() == 1

    [request] = endpoint.received
    assert json.loads(request.body) == {
        "imp_uid": second["imp_uid"],
        "merchant_uid": "declined-2",
        "status": "failed",
    }


async def test_vbank_issue_and_deposits_are_sent_and_a_repeated_kcp_notification_is_not(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    clock: FakeClock,
    endpoint: MerchantEndpoint,
    worker: OutboxWorker,
) -> None:
    endpoint.start()
    answer = await api.post(
        "/vbanks",
        json={
            "merchant_uid": "vbank-1",
            "amount": 25000,
            "vbank_code": "004",
            "vbank_due": clock.now() + 2 * DAY,
            "name": "노르웨이 회전 의자",
            "notice_url": endpoint.url(),
        },
        headers=auth,
    )
    issued: dict[str, Any] = answer.json()["response"]
    await sandbox_deposit(api, issued["pg_tid"])  # paid, through the sandbox's TX00
    await sandbox_deposit(api, issued["pg_tid"], op_cd="13")  # the bank takes it back
    repeated = tx00(issued, ipgm_mnyx="25000", totl_mnyx="25000", noti_id="20260101120000000001")
    for _ in range(3):
        assert (await notify(api, repeated)).status_code == 200

    assert await worker.run_once() == 4

    log = await log_of(services, issued["imp_uid"])
    assert [(r.event.kind, r.event.status.value) for r in log] == [
        (EventKind.VBANK_ISSUED, "ready"),
        (EventKind.PAID, "paid"),
        (EventKind.DEPOSIT_CANCELLED, "ready"),
        (EventKind.PAID, "paid"),
    ]
    assert [json.loads(r.body)["status"] for r in endpoint.received].count("paid") == 2


async def test_a_scheduled_charge_result_goes_to_the_schedule_notice_url(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    clock: FakeClock,
    endpoint: MerchantEndpoint,
    worker: OutboxWorker,
) -> None:
    endpoint.start()
    key = await api.post("/subscribe/customers/cust-1", json=CARD, headers=auth)
    assert key.json()["code"] == 0, key.text
    entry = {
        "merchant_uid": "sub-1",
        "schedule_at": clock.now() + DAY,
        "amount": 9900,
        "notice_url": endpoint.url(),
    }
    scheduled = await api.post(
        "/subscribe/payments/schedule", json={"customer_uid": "cust-1", "schedules": [entry]}, headers=auth
    )
    assert scheduled.json()["code"] == 0, scheduled.text
    await api.post("/subscribe/payments/unschedule", json={"merchant_uid": "sub-1"}, headers=auth)
    # /retry charges the schedule at once, as the schedule worker will when it is due.
    charged = (await api.post("/subscribe/payments/schedule/sub-1/retry", headers=auth)).json()["response"]

    assert await worker.run_once() == 1

    [record] = await log_of(services, charged["imp_uid"])
    assert record.event.kind is EventKind.SCHEDULE_PAID
    [request] = endpoint.received
    assert json.loads(request.body) == {
        "imp_uid": charged["imp_uid"],
        "merchant_uid": "sub-1",
        "status": "paid",
    }


async def test_a_vbank_revoked_by_the_api_is_recorded_but_not_sent_by_default(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    clock: FakeClock,
    endpoint: MerchantEndpoint,
    worker: OutboxWorker,
) -> None:
    endpoint.start()
    body = {"merchant_uid": "vbank-2", "amount": 25000, "vbank_code": "004", "vbank_due": clock.now() + DAY}
    issued = (await api.post("/vbanks", json=body | {"notice_url": endpoint.url()}, headers=auth)).json()
    revoked = await api.delete(f"/vbanks/{issued['response']['imp_uid']}", headers=auth)
    assert revoked.json()["response"]["status"] == "cancelled"

    assert await worker.run_once() == 1  # the issue only

    log = await log_of(services, issued["response"]["imp_uid"])
    assert [(r.event.kind, r.event.decision) for r in log] == [
        (EventKind.VBANK_ISSUED, Decision.SEND),
        (EventKind.API_CANCELLED, Decision.NOT_SUBSCRIBED),
    ]
    assert [json.loads(r.body)["status"] for r in endpoint.received] == ["ready"]
