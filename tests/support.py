"""Test helpers: settings for a temporary data directory, migrated databases, factories."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from homeport.config import Settings, async_database_url, load_settings
from homeport.domain.merchants.models import CreatedMerchant
from homeport.domain.payments.models import (
    BankDetails,
    Buyer,
    Cancellation,
    CardDetails,
    Payment,
    PaymentChannel,
    PaymentStatus,
    VirtualAccount,
)
from homeport.pg import base as pg
from homeport.store.database import create_engine
from homeport.store.migrate import upgrade

DEMO_KEY = "1234567890123456"
DEMO_SECRET = "demo-secret-for-tests-only-0123456789abcdefghijklmnopqrstuvwxyz"
#: Base64 of 32 bytes, test-only.
TEST_ENCRYPTION_KEY = "dGVzdC1vbmx5LWtleS1ob21lcG9ydC0zMmJ5dGVzISE="


def settings_for(data_dir: Path, database_url: str, **env: str) -> Settings:
    """Settings as an operator would set them, pointing at a temporary data directory."""
    environ = {
        "HOMEPORT_DATA_DIR": str(data_dir),
        "HOMEPORT_DATABASE_URL": database_url,
        "HOMEPORT_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "HOMEPORT_DEMO": "false",
        **env,
    }
    return load_settings(environ)


def migrate_sync(url: str) -> None:
    """Run migrations to head from synchronous code (fixtures that build templates)."""

    async def _run() -> None:
        engine = create_engine(async_database_url(url))
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(_run())


def copy_sqlite(template: Path, target: Path) -> str:
    """A fresh SQLite database copied from a migrated template file."""
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


_counter = itertools.count(1)


def make_payment(merchant_id: int, **overrides: Any) -> Payment:
    """A paid card payment with realistic KCP-style details; override any field."""
    n = next(_counter)
    base = Payment(
        imp_uid=f"imp_{100000000000 + n}",
        merchant_id=merchant_id,
        merchant_uid=f"order-{n}",
        amount=1004,
        status=PaymentStatus.PAID,
        started_at=1_767_225_000 + n,
        updated_at=1_767_225_060 + n,
        paid_at=1_767_225_060 + n,
        name="노르웨이 회전 의자",
        pay_method="card",
        channel=PaymentChannel.PC,
        pg_provider="kcp",
        pg_tid=f"2026010112{n:06d}",
        pg_id="T0000",
        sandbox=True,
        approval_number="30012345",
        card=CardDetails(
            company_code="361",
            company_name="BC카드",
            masked_number="457973******1234",
            card_type=0,
            installment_months=0,
        ),
        buyer=Buyer(name="홍길동", email="gildong@example.com", tel="010-4242-4242"),
        custom_data='{"cart":"a1"}',
        receipt_url="https://sandbox.invalid/receipt",
    )
    return replace(base, **overrides)


def cancelled(payment: Payment, amount: int, at: int, reason: str = "단순 변심") -> Payment:
    """The same payment with one more cancellation appended."""
    entry = Cancellation(
        cancellation_id=f"cx_{payment.imp_uid}_{len(payment.cancellations)}",
        amount=amount,
        cancelled_at=at,
        pg_tid=payment.pg_tid,
        reason=reason,
        receipt_url="https://sandbox.invalid/cancel-receipt",
    )
    cancellations = (*payment.cancellations, entry)
    full = sum(c.amount for c in cancellations) >= payment.amount
    return replace(
        payment,
        cancellations=cancellations,
        status=PaymentStatus.CANCELLED if full else payment.status,
        cancelled_at=at if full else payment.cancelled_at,
        cancel_reason=reason,
    )


def vbank_payment(merchant_id: int, **overrides: Any) -> Payment:
    """A virtual account issued and awaiting deposit."""
    return make_payment(
        merchant_id,
        status=PaymentStatus.READY,
        pay_method="vbank",
        paid_at=0,
        card=None,
        approval_number=None,
        virtual_account=VirtualAccount(
            bank_code="004",
            bank_name="국민은행",
            number="T0309260000123",
            holder="홈포트",
            due_at=1_767_311_999,
            issued_at=1_767_225_100,
        ),
        **overrides,
    )


def trans_payment(merchant_id: int, **overrides: Any) -> Payment:
    """A real-time bank transfer."""
    return make_payment(
        merchant_id, pay_method="trans", card=None, bank=BankDetails("088", "신한은행"), **overrides
    )


async def token_for(api: httpx.AsyncClient, merchant: CreatedMerchant) -> str:
    """A fresh access token for a merchant, obtained through the API."""
    answer = await api.post(
        "/users/getToken", json={"imp_key": merchant.imp_key, "imp_secret": merchant.imp_secret}
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["response"]["access_token"])


class ConnectorSpy:
    """Wraps the real connectors of ``services`` for one block (``with ConnectorSpy(...):``).

    Not a mock: every call still goes to the real connector and the sandbox. The hooks only
    look at the database before KCP is called, or stand in for what the sandbox cannot do
    (refuse a connection, approve a different amount).
    """

    def __init__(
        self,
        services: Any,
        *,
        before_charge: Callable[[pg.Charge], Awaitable[None]] | None = None,
        before_cancel: Callable[[pg.CancelRequest], Awaitable[None]] | None = None,
        approved_amount: Callable[[int], int] | None = None,
        before_vbank: Callable[[pg.VirtualAccountRequest], Awaitable[None]] | None = None,
        before_escrow: Callable[[pg.EscrowDelivery], Awaitable[None]] | None = None,
    ) -> None:
        self._gateway = services.gateway
        self._before_charge = before_charge
        self._before_cancel = before_cancel
        self._approved_amount = approved_amount
        self._before_vbank = before_vbank
        self._before_escrow = before_escrow

    def __enter__(self) -> ConnectorSpy:
        real = self._gateway.connector
        self._gateway.connector = lambda channel: _SpiedConnector(real(channel), self)
        return self

    def __exit__(self, *_exc: object) -> None:
        del self._gateway.connector  # the class's method shows through again


class _SpiedConnector:
    def __init__(self, connector: Any, spy: ConnectorSpy) -> None:
        self._connector = connector
        self._spy = spy

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connector, name)

    async def charge(self, charge: pg.Charge) -> pg.ChargeResult:
        if self._spy._before_charge is not None:
            await self._spy._before_charge(charge)
        result = await self._connector.charge(charge)
        if self._spy._approved_amount is not None and isinstance(result, pg.Approved):
            result = replace(result, amount=self._spy._approved_amount(result.amount))
        return result  # type: ignore[no-any-return]

    async def cancel(self, request: pg.CancelRequest) -> pg.Cancelled | pg.Declined:
        if self._spy._before_cancel is not None:
            await self._spy._before_cancel(request)
        return await self._connector.cancel(request)  # type: ignore[no-any-return]

    async def issue_virtual_account(self, request: pg.VirtualAccountRequest) -> pg.ChargeResult:
        if self._spy._before_vbank is not None:
            await self._spy._before_vbank(request)
        return await self._connector.issue_virtual_account(request)  # type: ignore[no-any-return]

    async def register_escrow_delivery(
        self, delivery: pg.EscrowDelivery
    ) -> pg.EscrowRegistered | pg.Declined:
        if self._spy._before_escrow is not None:
            await self._spy._before_escrow(delivery)
        return await self._connector.register_escrow_delivery(delivery)  # type: ignore[no-any-return]
