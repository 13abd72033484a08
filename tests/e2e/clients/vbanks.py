"""Virtual accounts and escrow deliveries through the real clients (iamport-v1 §4.5, §4.6, §5.2,
§5.9; docs/decisions/0004-virtual-accounts-and-escrow.md).

Every scenario here creates payments, so it calls as the package's second merchant
(``Shop.writer``). Accounts are issued on its default channel (T0000) by the live server's
embedded KCP sandbox, which names every account's holder itself.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx

from homeport.app import build_services
from homeport.clock import SystemClock
from homeport.domain.payments.models import Payment
from homeport.pg import base as pg
from homeport.pg.kcp.connector import connector_for_channel
from homeport.testing.connector_conformance import WindowOrder
from tests.conformance.windows import SandboxMobileWindow
from tests.e2e.clients.charges import IMP_UID, wire_time
from tests.e2e.clients.shop import ESCROW_SITE, PAYMENT_KEYS, Shop
from tests.support import make_payment

#: 국민은행: the sandbox issues its accounts (kcp.md §9.5).
KOOKMIN = "004"
#: 산업은행: the sandbox issues no accounts there (KCP's 8737).
NO_VBANK_BANK = "002"
#: A refused issue: HTTP 200 code -1, this text, then the contract's ``계약이 필요합니다.`` (§4.6, §8).
ISSUE_FAILED_VBANK = "가상계좌 발급에 실패하였습니다."
NO_CONTRACT = "계약이 필요합니다."
#: The holder of every KCP stage account, whatever ``vbank_holder`` asked (decision 0004).
KCP_HOLDER = "한국사이버결제"
#: The cancel_reason of an account revoked without a reason (decision 0004).
REVOKE_REASON = "가상계좌 발급 취소"
#: PUT /vbanks for KCP: HTTP 400 code -1, a message naming KCP and pointing at DELETE (decision 0004).
CHANGE_REFUSED_WORDS = ("KCP", "DELETE")
#: GET /vbanks/holder for KCP: the contract's failed lookup, HTTP 404 code -1 (decision 0004).
HOLDER_LOOKUP_FAILED = "예금주 조회에 실패하였습니다."
#: POST /escrows/logis on a payment without escrow: HTTP 409 code -1 (decision 0004).
NOT_ESCROW_MESSAGE = "에스크로 결제건이 아닙니다."


def vbank_order(shop: Shop, merchant_uid: str, amount: int, **fields: Any) -> dict[str, Any]:
    """A ``POST /vbanks`` body: 국민은행, due in two days, a holder KCP will not use."""
    return {
        "merchant_uid": merchant_uid,
        "amount": amount,
        "vbank_code": KOOKMIN,
        "vbank_due": vbank_due(shop),
        "vbank_holder": "홈포트상점",
        "name": "가상계좌 주문",
        "buyer_name": "홍길동",
    } | fields


def vbank_due(shop: Shop) -> int:
    """A deposit deadline two days after the seeding time."""
    return shop.now + 2 * 86_400


def assert_vbank(
    wire: dict[str, Any],
    *,
    merchant_uid: str,
    amount: int,
    due: int,
    status: str = "ready",
    dates: bool = False,
) -> None:
    """``wire`` is a virtual-account Payment issued by ``POST /vbanks`` as a client handed it back:
    ``ready`` awaiting deposit, or ``cancelled`` once revoked (no cancel entry: nothing was paid).
    Raw clients (``dates=False``) must see every §5.2 key; NODE turns times into Dates."""
    if not dates:
        assert wire.keys() >= PAYMENT_KEYS, f"missing keys: {sorted(PAYMENT_KEYS - wire.keys())}"
    assert IMP_UID.match(wire["imp_uid"]), wire["imp_uid"]
    actual = {
        "merchant_uid": wire["merchant_uid"],
        "amount": wire["amount"],
        "status": wire["status"],
        "pay_method": wire["pay_method"],
        "channel": wire["channel"],
        "pg_provider": wire["pg_provider"],
        "vbank_code": wire["vbank_code"],
        "vbank_holder": wire["vbank_holder"],
        "vbank_date": wire_time(wire, "vbank_date", dates=dates),
        "paid_at": wire_time(wire, "paid_at", dates=dates),
        "cancel_amount": wire["cancel_amount"],
        "cancel_history": wire["cancel_history"],
        "cancelled": wire_time(wire, "cancelled_at", dates=dates) > 0,
    }
    assert actual == {
        "merchant_uid": merchant_uid,
        "amount": amount,
        "status": status,
        "pay_method": "vbank",
        "channel": "api",
        "pg_provider": "kcp",
        "vbank_code": KOOKMIN,
        "vbank_holder": KCP_HOLDER,
        "vbank_date": due,
        "paid_at": 0,
        "cancel_amount": 0,
        "cancel_history": [],
        "cancelled": status == "cancelled",
    }
    assert wire["vbank_num"]
    assert wire["vbank_name"] == "국민은행"
    assert wire["pg_tid"]
    assert wire_time(wire, "vbank_issued_at", dates=dates) > 0


def shipment(sent_at: int, company: str = "CJGLS", invoice: str = "123456789012") -> dict[str, Any]:
    """A ``POST /escrows/logis`` body: the delivery (§4.5) with its sender and receiver."""
    return {
        "sender": {"name": "홈포트상점", "tel": "0212345678", "addr": "서울 구로구", "postcode": "08390"},
        "receiver": {"name": "홍길동", "tel": "01012345678", "addr": "서울 중구", "postcode": "04500"},
        "logis": {"company": company, "invoice": invoice, "sent_at": sent_at},
    }


def paid_escrow_payment(shop: Shop, merchant_uid: str, amount: int = 30_000) -> Payment:
    """An escrow card payment of the second merchant that the live server's KCP sandbox really
    approved, recorded as homeport's payment.

    No REST call makes a window payment (checkout is a later issue), so the buyer's side is
    played as ``tests/e2e/test_api_escrows.py`` plays it, but over real HTTP: the conformance
    window driver and a KCP connector for the merchant's escrow channel (T0007, the sandbox's
    own certificate) talk to the sandbox the server serves at ``/sandbox``, so the server's
    sandbox holds the escrow trade its ``STE1`` will later find. The approval is then recorded
    through the domain service on the server's database, as ``shop.seed`` records payments.
    """
    return asyncio.run(_paid_escrow_payment(shop, merchant_uid, amount))


async def _paid_escrow_payment(shop: Shop, merchant_uid: str, amount: int) -> Payment:
    services = build_services(shop.server.settings())
    sandbox_url = f"{shop.server.host}/sandbox"
    try:
        assert services.sandbox is not None  # same data directory: the served sandbox's files
        (writer,) = [
            s
            for s in await services.merchants.list()
            if any(c.imp_key == shop.writer.imp_key for c in s.credentials)
        ]
        channel = await services.gateway.channel_by_site(writer.merchant.id, "kcp", ESCROW_SITE)
        assert channel is not None, "the second merchant has KCP's escrow site as a channel"
        site = services.sandbox.credentials[ESCROW_SITE]
        channel = replace(
            channel,
            certificate_path=str(site.certificate_path),
            private_key_path=str(site.private_key_path),
            private_key_password=site.key_password,
        )
        order = WindowOrder(
            order_id=merchant_uid,
            amount=amount,
            name="에스크로 상품",
            pay_method="card",
            card_number="4111111111111111",
            buyer=pg.Buyer(name="홍길동"),
            escrow=True,
        )
        async with (
            httpx.AsyncClient(timeout=10.0) as kcp,
            httpx.AsyncClient(base_url=sandbox_url, timeout=10.0) as browser,
        ):
            connector = connector_for_channel(channel, http=kcp, sandbox_base_url=sandbox_url)
            result = await SandboxMobileWindow(browser)(connector, order)
            approved = await connector.approve(
                result, order_id=merchant_uid, amount=amount, pay_method="card"
            )
        assert isinstance(approved, pg.Approved), approved
        assert approved.escrow is True
        now = SystemClock().now()
        return await services.payments.record(
            make_payment(
                writer.merchant.id,
                imp_uid="",  # record() gives it a fresh imp_ + 12 digits
                merchant_uid=merchant_uid,
                amount=approved.amount,
                pg_tid=approved.pg_tid,
                pg_id=ESCROW_SITE,
                escrow=True,
                started_at=now - 60,
                paid_at=now,
                updated_at=now,
            )
        )
    finally:
        await services.close()
