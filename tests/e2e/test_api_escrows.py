"""Escrow deliveries: ``POST``/``PUT``/``GET /escrows/logis/{imp_uid}`` (iamport-v1 §4.5), against
the embedded KCP sandbox's escrow site (T0007)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from homeport.clock import FakeClock
from homeport.domain.merchants.models import CreatedMerchant, NewChannel
from homeport.domain.payments.attempts import AttemptOperation, AttemptState
from homeport.domain.payments.models import Payment
from homeport.pg import base as pg
from homeport.services import Services
from homeport.testing.connector_conformance import WindowOrder
from tests.conformance.windows import SandboxMobileWindow
from tests.support import ConnectorSpy, make_payment, token_for

ESCROW_SITE = "T0007"


@pytest.fixture
async def shop(services: Services) -> CreatedMerchant:
    """A merchant whose default channel is KCP's escrow test site."""
    return await services.merchants.create("Escrow Shop", channels=[NewChannel(site_code=ESCROW_SITE)])


@pytest.fixture
async def auth(api: httpx.AsyncClient, shop: CreatedMerchant) -> dict[str, str]:
    return {"Authorization": await token_for(api, shop)}


async def paid_at_the_sandbox(services: Services, shop: CreatedMerchant, *, escrow: bool) -> Payment:
    """A card payment the sandbox really approved, recorded as homeport's payment.

    There is no REST way to make a window payment yet (checkout is a later issue), so the
    buyer's side is played by the conformance window driver against the embedded sandbox,
    and the approval is recorded with ``services.payments.record`` under its real pg_tid:
    the sandbox then knows it as an escrow (or plain) payment, as KCP would.
    """
    assert services.sandbox_http is not None
    channel = await services.gateway.channel_for(shop.merchant.id, billing=False)
    connector = services.gateway.connector(channel)
    order = WindowOrder(
        order_id=f"escrow-{'y' if escrow else 'n'}-{services.clock.now()}",
        amount=30000,
        name="에스크로 상품",
        pay_method="card",
        card_number="4111111111111111",
        buyer=pg.Buyer(name="홍길동"),
        escrow=escrow,
    )
    result = await SandboxMobileWindow(services.sandbox_http)(connector, order)
    approved = await connector.approve(
        result, order_id=order.order_id, amount=order.amount, pay_method="card"
    )
    assert isinstance(approved, pg.Approved), approved
    assert approved.escrow is escrow
    return await services.payments.record(
        make_payment(
            shop.merchant.id,
            merchant_uid=order.order_id,
            amount=approved.amount,
            pg_tid=approved.pg_tid,
            pg_id=ESCROW_SITE,
            escrow=escrow,
        )
    )


def shipment(sent_at: int, **logis: Any) -> dict[str, Any]:
    return {
        "sender": {"name": "에스크로상점", "tel": "0212345678", "addr": "서울 구로구", "postcode": "08390"},
        "receiver": {"name": "홍길동", "tel": "01012345678", "addr": "서울 중구", "postcode": "04500"},
        "logis": {"company": "CJGLS", "invoice": "123456789012", "sent_at": sent_at} | logis,
    }


async def test_a_delivery_registers_for_a_paid_escrow_payment_and_can_be_read_back(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, shop: CreatedMerchant, clock: FakeClock
) -> None:
    payment = await paid_at_the_sandbox(services, shop, escrow=True)
    sent_at = clock.now() - 3600

    answer = await api.post(f"/escrows/logis/{payment.imp_uid}", json=shipment(sent_at), headers=auth)

    assert answer.status_code == 200, answer.text
    logis = answer.json()["response"]
    assert logis["company"] == "CJGLS"
    assert logis["invoice"] == "123456789012"
    assert logis["sent_at"] == sent_at
    assert logis["applied_at"] > 0
    read = await api.get(f"/escrows/logis/{payment.imp_uid}", headers=auth)
    assert read.json() == {"code": 0, "message": None, "response": logis}
    assert services.sandbox is not None
    transaction = services.sandbox.ledger.find("transaction", tno=payment.pg_tid)
    assert transaction, "the sandbox holds the escrow payment"


async def test_a_php_bracket_form_is_read_like_json(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, shop: CreatedMerchant, clock: FakeClock
) -> None:
    payment = await paid_at_the_sandbox(services, shop, escrow=True)
    form = {
        "logis[company]": "HANJIN",
        "logis[invoice]": "555",
        "logis[sent_at]": str(clock.now()),
        "receiver[name]": "홍길동",
    }

    answer = await api.post(f"/escrows/logis/{payment.imp_uid}", data=form, headers=auth)

    assert answer.json()["response"]["company"] == "HANJIN"
    assert answer.json()["response"]["invoice"] == "555"


async def test_the_attempt_is_stored_before_kcp_is_asked(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, shop: CreatedMerchant, clock: FakeClock
) -> None:
    payment = await paid_at_the_sandbox(services, shop, escrow=True)
    seen: list[list[tuple[AttemptOperation, AttemptState]]] = []

    async def look(delivery: pg.EscrowDelivery) -> None:
        assert delivery.pg_tid == payment.pg_tid
        assert delivery.receiver.tel == "01012345678"  # passed on to the PG, not stored
        attempts = await services.payments.attempts(shop.merchant.id, payment.imp_uid)
        seen.append([(a.operation, a.state) for a in attempts])

    with ConnectorSpy(services, before_escrow=look):
        await api.post(f"/escrows/logis/{payment.imp_uid}", json=shipment(clock.now()), headers=auth)

    assert seen == [[(AttemptOperation.ESCROW, AttemptState.PENDING)]]
    attempts = await services.payments.attempts(shop.merchant.id, payment.imp_uid)
    assert [(a.operation, a.state) for a in attempts] == [(AttemptOperation.ESCROW, AttemptState.SUCCEEDED)]


async def test_a_second_registration_and_any_change_are_refused(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, shop: CreatedMerchant, clock: FakeClock
) -> None:
    payment = await paid_at_the_sandbox(services, shop, escrow=True)
    path = f"/escrows/logis/{payment.imp_uid}"
    first = (await api.post(path, json=shipment(clock.now()), headers=auth)).json()["response"]

    again = await api.post(path, json=shipment(clock.now(), invoice="999"), headers=auth)
    changed = await api.put(path, json=shipment(clock.now(), invoice="999"), headers=auth)

    assert (again.status_code, again.json()["code"]) == (409, -1)
    assert "이미" in again.json()["message"]
    assert (changed.status_code, changed.json()["code"]) == (409, -1)
    assert "KCP" in changed.json()["message"]
    assert (await api.get(path, headers=auth)).json()["response"] == first


async def test_a_payment_without_escrow_is_refused_without_asking_kcp(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, shop: CreatedMerchant, clock: FakeClock
) -> None:
    payment = await paid_at_the_sandbox(services, shop, escrow=False)

    posted = await api.post(f"/escrows/logis/{payment.imp_uid}", json=shipment(clock.now()), headers=auth)
    read = await api.get(f"/escrows/logis/{payment.imp_uid}", headers=auth)

    for answer in (posted, read):
        assert (answer.status_code, answer.json()["code"]) == (409, -1)
        assert "에스크로 결제건이 아닙니다" in answer.json()["message"]
    assert await services.payments.attempts(shop.merchant.id, payment.imp_uid) == []


async def test_reading_before_a_registration_is_409(
    api: httpx.AsyncClient, auth: dict[str, str], services: Services, shop: CreatedMerchant
) -> None:
    payment = await services.payments.record(make_payment(shop.merchant.id, escrow=True, pg_id=ESCROW_SITE))

    answer = await api.get(f"/escrows/logis/{payment.imp_uid}", headers=auth)

    assert answer.status_code == 409
    assert "등록된 에스크로 배송정보가 없습니다" in answer.json()["message"]


async def test_an_unknown_payment_is_404(
    api: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock
) -> None:
    posted = await api.post("/escrows/logis/imp_000000000000", json=shipment(clock.now()), headers=auth)
    read = await api.get("/escrows/logis/imp_000000000000", headers=auth)

    assert (posted.status_code, read.status_code) == (404, 404)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"sender": {"name": "a"}}, "logis"),
        ({"logis": {"invoice": "1", "sent_at": 1}}, "company"),
        ({"logis": {"company": "CJGLS", "sent_at": 1}}, "invoice"),
        ({"logis": {"company": "CJGLS", "invoice": "1"}}, "sent_at"),
        ({"logis": "CJGLS"}, "logis"),
    ],
)
async def test_a_shipment_missing_its_logis_fields_is_a_bad_request(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    shop: CreatedMerchant,
    body: dict[str, Any],
    named: str,
) -> None:
    payment = await services.payments.record(make_payment(shop.merchant.id, escrow=True, pg_id=ESCROW_SITE))

    answer = await api.post(f"/escrows/logis/{payment.imp_uid}", json=body, headers=auth)

    assert answer.status_code == 400
    assert named in answer.json()["message"]


async def test_another_merchant_cannot_register_or_read_the_delivery(
    api: httpx.AsyncClient,
    auth: dict[str, str],
    services: Services,
    shop: CreatedMerchant,
    token_b: str,
    clock: FakeClock,
) -> None:
    payment = await paid_at_the_sandbox(services, shop, escrow=True)
    other = {"Authorization": token_b}
    path = f"/escrows/logis/{payment.imp_uid}"

    posted = await api.post(path, json=shipment(clock.now()), headers=other)
    await api.post(path, json=shipment(clock.now()), headers=auth)
    read = await api.get(path, headers=other)
    changed = await api.put(path, json=shipment(clock.now()), headers=other)

    assert (posted.status_code, read.status_code, changed.status_code) == (404, 404, 404)
