"""The demo shop every client test reads: payments seeded into a live ``homeport serve``, and
what a client must see for them (the contract's field names, iamport-v1 §5.2).

The seeded payments are only read, and several tests count them (status listings with fixed
totals). Tests that write use their own ``merchant_uid`` / ``customer_uid`` with a per-client
prefix (``py-``, ``impy-``, ``apy-``, ``node-``, ``nodel-``, ``sdk-``) so the clients can share
one server in any order. Billing keys and prepared amounts add no payment and are written as
the demo merchant; every scenario that creates or cancels payments (again, onetime, foreign,
cancel, schedules, virtual accounts, escrow deliveries) runs as the second merchant,
``Shop.writer``, whose channels are the demo's (T0000 by default, A52Q7 with batch group
A52Q71000489) plus KCP's escrow site T0007, so the demo merchant's listings never move.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from homeport.app import build_services, prepare
from homeport.clock import SystemClock
from homeport.domain.merchants.models import NewChannel
from homeport.domain.payments.models import Payment, PaymentStatus, VirtualAccount
from tests.e2e.processes import Credentials, HomeportServer
from tests.support import DEMO_KEY, cancelled, make_payment, vbank_payment

WRONG_SECRET = "not-the-secret-" + "x" * 40
UNKNOWN_IMP_UID = "imp_999999999999"
NOT_FOUND_MESSAGE = "존재하지 않는 결제정보입니다."

#: A card the demo merchant's sandbox billing channel (A52Q7) issues a key for (§4.3).
BILLING_CARD = {"card_number": "4111-1111-1111-1111", "expiry": "2031-12", "birth": "800101"}
#: A card the sandbox refuses at issuance (4000-0000-0000-0002 declines only at a charge).
DECLINED_CARD = {**BILLING_CARD, "card_number": "4000-0000-0000-0028"}
#: How homeport masks BILLING_CARD in the Customer object (§5.5 ``card_number``).
MASKED_BILLING_CARD = "411111******1111"
ISSUE_FAILED_MESSAGE = "카드정보 인증 및 빌키 발급에 실패하였습니다."


#: KCP's escrow test site, one of the second merchant's channels (``vbanks.paid_escrow_payment``).
ESCROW_SITE = "T0007"

#: The second merchant's REST API key and secret (the write scenarios call as it).
WRITER_KEY = "2345678901234567"
WRITER_SECRET = "writer-secret-for-tests-only-0123456789abcdefghijklmnopqrstuvwx"


def unknown_customer_message(customer_uid: str) -> str:
    """GET/DELETE of an unknown billing key: HTTP 200, code 1, this message (§8, §10.2)."""
    return f"요청하신 customer_uid({customer_uid})로 등록된 정보를 찾을 수 없습니다."


#: Every key of the Payment object that clients read (iamport-v1 §5.2: all keys always present).
PAYMENT_KEYS = frozenset[str]().union(
    ("imp_uid", "merchant_uid", "name", "amount", "cancel_amount", "currency", "status", "sandbox"),
    ("pay_method", "channel", "pg_provider", "emb_pg_provider", "pg_tid", "pg_id", "escrow", "apply_num"),
    ("bank_code", "bank_name", "card_code", "card_name", "card_quota", "card_number", "card_type"),
    ("card_issuer_code", "card_issuer_name", "card_publisher_code", "card_publisher_name"),
    ("vbank_code", "vbank_name", "vbank_num", "vbank_holder", "vbank_date", "vbank_issued_at"),
    ("buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "buyer_postcode", "custom_data", "user_agent"),
    ("started_at", "paid_at", "failed_at", "cancelled_at", "fail_reason", "cancel_reason", "receipt_url"),
    ("cancel_history", "cancel_receipt_urls", "cash_receipt_issued", "customer_uid", "customer_uid_usage"),
)
TIMESTAMP_KEYS = ("started_at", "paid_at", "failed_at", "cancelled_at", "vbank_date", "vbank_issued_at")


@dataclass(frozen=True)
class Shop:
    """The live server and the demo merchant's payments seeded into it."""

    server: HomeportServer
    now: int
    paid: Payment
    partial: Payment
    vbank: Payment
    refunded: Payment
    retry_failed: Payment
    retry_paid: Payment
    #: The merchant the write scenarios call as (see the module docstring).
    writer: Credentials

    @property
    def by_status(self) -> dict[str, list[Payment]]:
        """Seeded payments per status, newest started first (the default ``-started``)."""
        everything = sorted(
            (self.paid, self.partial, self.vbank, self.refunded, self.retry_failed, self.retry_paid),
            key=lambda p: p.started_at,
            reverse=True,
        )
        groups: dict[str, list[Payment]] = {"all": everything}
        for status in PaymentStatus:
            groups[status.value] = [p for p in everything if p.status is status]
        return groups


async def seed(server: HomeportServer) -> Shop:
    """Record the demo merchant's payments and create the second merchant (``Shop.writer``)
    through the domain services on the server's database."""
    services = build_services(server.settings())
    try:
        await prepare(services, create_demo=False)
        (demo,) = [
            s for s in await services.merchants.list() if any(c.imp_key == DEMO_KEY for c in s.credentials)
        ]
        merchant_id = demo.merchant.id
        now = SystemClock().now()  # status listings default to the last 90 days of server time
        paid = make_payment(
            merchant_id,
            merchant_uid="hp-card-paid",
            amount=39000,
            started_at=now - 3600,
            paid_at=now - 3540,
            updated_at=now - 3540,
        )
        partial = cancelled(
            make_payment(
                merchant_id,
                merchant_uid="hp-card-partial",
                amount=50000,
                started_at=now - 3060,
                paid_at=now - 3000,
                updated_at=now - 1800,
            ),
            amount=12000,
            at=now - 1800,
            reason="부분 환불",
        )
        # vbank_payment fixes the account's dates in 2026-01; this one is due tomorrow.
        vbank = replace(
            vbank_payment(
                merchant_id,
                merchant_uid="hp-vbank-ready",
                amount=25000,
                started_at=now - 2400,
                updated_at=now - 2390,
            ),
            virtual_account=VirtualAccount(
                bank_code="004",
                bank_name="국민은행",
                number="T0309260000123",
                holder="홈포트",
                due_at=now + 86400,
                issued_at=now - 2390,
            ),
        )
        refunded = cancelled(
            make_payment(
                merchant_id,
                merchant_uid="hp-card-refunded",
                amount=15000,
                started_at=now - 2100,
                paid_at=now - 2000,
                updated_at=now - 1000,
            ),
            amount=15000,
            at=now - 1000,
            reason="주문 취소",
        )
        # One order paid on the second try: two payments share the merchant_uid.
        retry_failed = make_payment(
            merchant_id,
            merchant_uid="hp-retry",
            amount=70000,
            status=PaymentStatus.FAILED,
            started_at=now - 1500,
            paid_at=0,
            failed_at=now - 1490,
            updated_at=now - 1490,
            fail_reason="[3001] 한도초과",
            approval_number=None,
            receipt_url=None,
        )
        retry_paid = make_payment(
            merchant_id,
            merchant_uid="hp-retry",
            amount=70000,
            started_at=now - 1200,
            paid_at=now - 1150,
            updated_at=now - 1150,
        )
        writer = await services.merchants.create(
            "homeport writer shop",
            imp_key=WRITER_KEY,
            imp_secret=WRITER_SECRET,
            channels=[
                NewChannel(site_code="T0000", site_name="homeport writer (KCP sandbox)"),
                NewChannel(site_code="A52Q7", batch_group_id="A52Q71000489", is_default=False),
                # KCP's escrow test site: the escrow payments of the delivery scenarios.
                NewChannel(site_code=ESCROW_SITE, site_name="homeport writer (KCP escrow)", is_default=False),
            ],
        )
        credentials = Credentials(writer.merchant.code, writer.imp_key, writer.imp_secret)
        shop = Shop(server, now, paid, partial, vbank, refunded, retry_failed, retry_paid, credentials)
        for payment in (paid, partial, vbank, refunded, retry_failed, retry_paid):
            await services.payments.record(payment)
        return shop
    finally:
        await services.close()


def expected_fields(payment: Payment) -> dict[str, Any]:
    """The i'mport fields of a seeded payment that every client exposes."""
    card = payment.card
    vbank = payment.virtual_account
    return {
        "imp_uid": payment.imp_uid,
        "merchant_uid": payment.merchant_uid,
        "amount": payment.amount,
        "cancel_amount": sum(c.amount for c in payment.cancellations),
        "currency": "KRW",
        "status": payment.status.value,
        "pay_method": payment.pay_method,
        "name": payment.name,
        "pg_provider": "kcp",
        "pg_tid": payment.pg_tid,
        "apply_num": payment.approval_number,
        "card_code": card.company_code if card else None,
        "card_name": card.company_name if card else None,
        "card_number": card.masked_number if card else None,
        "card_quota": card.installment_months if card else 0,
        "vbank_code": vbank.bank_code if vbank else None,
        "vbank_name": vbank.bank_name if vbank else None,
        "vbank_num": vbank.number if vbank else None,
        "vbank_holder": vbank.holder if vbank else None,
        "vbank_date": vbank.due_at if vbank else 0,
        "vbank_issued_at": vbank.issued_at if vbank else 0,
        "buyer_name": payment.buyer.name,
        "buyer_email": payment.buyer.email,
        "buyer_tel": payment.buyer.tel,
        "custom_data": payment.custom_data,
        "started_at": payment.started_at,
        "paid_at": payment.paid_at,
        "failed_at": payment.failed_at,
        "cancelled_at": payment.cancelled_at,
        "fail_reason": payment.fail_reason,
        "cancel_reason": payment.cancel_reason,
        "receipt_url": payment.receipt_url,
        "cancel_history": [
            {
                "amount": c.amount,
                "cancelled_at": c.cancelled_at,
                "pg_tid": c.pg_tid,
                "reason": c.reason,
                "receipt_url": c.receipt_url,
            }
            for c in payment.cancellations
        ],
    }


def _history_subset(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("amount", "cancelled_at", "pg_tid", "reason", "receipt_url")
    return [{k: entry[k] for k in keys} for entry in history]


def assert_payment(wire: dict[str, Any], payment: Payment, *, dates: bool = False) -> None:
    """``wire`` is ``payment`` as a client returned it.

    Raw clients (all but NODE) must see every §5.2 key and integer timestamps. NODE turns
    non-zero timestamps into ``Date`` objects (reported as ``{"$date": seconds}``), which
    it can only do from a number.
    """
    expected = expected_fields(payment)
    if dates:
        for key in TIMESTAMP_KEYS:
            if expected[key]:
                expected[key] = {"$date": expected[key]}
    else:
        assert wire.keys() >= PAYMENT_KEYS, f"missing keys: {sorted(PAYMENT_KEYS - wire.keys())}"
        for key in TIMESTAMP_KEYS:
            assert type(wire[key]) is int, f"{key} must be an integer, got {wire[key]!r}"
    actual = {key: wire.get(key) for key in expected}
    actual["cancel_history"] = _history_subset(wire.get("cancel_history") or [])
    assert actual == expected


def imp_uids(payments: list[dict[str, Any]]) -> list[str]:
    """The imp_uids of a listing, in order."""
    return [p["imp_uid"] for p in payments]
