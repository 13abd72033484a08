"""The collaborators every entry point (API, CLI, workers) works through."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from homeport.clock import Clock
from homeport.config import Settings
from homeport.domain.billing_keys.service import BillingKeyService
from homeport.domain.checkout.service import CheckoutService
from homeport.domain.escrows.service import EscrowService
from homeport.domain.merchants.service import MerchantService
from homeport.domain.payments.cancels import CancelService
from homeport.domain.payments.charges import ChargeService
from homeport.domain.payments.notification_service import NotificationService
from homeport.domain.payments.reconcile import ReconcileService
from homeport.domain.payments.service import PaymentService
from homeport.domain.payments.vbank_expiry import VbankExpiryService
from homeport.domain.payments.virtual_accounts import VirtualAccountService
from homeport.domain.prepares.service import PrepareService
from homeport.domain.schedules.service import ScheduleService
from homeport.domain.webhooks.service import WebhookService
from homeport.payments_gateway import PaymentsGateway
from homeport.sandbox.context import Sandbox
from homeport.store.crypto import SecretBox


@dataclass(frozen=True)
class Services:
    """Built once by :func:`homeport.app.build_services`; no module-level singletons."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine
    box: SecretBox
    merchants: MerchantService
    payments: PaymentService
    prepares: PrepareService
    billing_keys: BillingKeyService
    charges: ChargeService
    cancels: CancelService
    virtual_accounts: VirtualAccountService
    escrows: EscrowService
    gateway: PaymentsGateway
    #: Outbound HTTP to real KCP (stage, production).
    pg_http: httpx.AsyncClient
    #: Scheduled payments (``/subscribe/payments/schedule``).
    schedules: ScheduleService
    #: Orders of payment windows (``IMP.request_pay``, issue 6).
    checkout: CheckoutService
    #: PG notifications (KCP's common notification: virtual-account deposits).
    notifications: NotificationService
    #: Attempts in doubt settled by PG inquiry (issue 7, decision 0013).
    reconciliation: ReconcileService
    #: Unpaid virtual accounts closed after their deadline (issue 7, decision 0013).
    vbank_expiry: VbankExpiryService
    #: The embedded KCP sandbox (served at ``/sandbox``); None when HOMEPORT_SANDBOX=false.
    sandbox: Sandbox | None = None
    #: The embedded sandbox reached in-process by sandbox channels' connectors.
    sandbox_http: httpx.AsyncClient | None = None
    #: Merchant webhooks: the outbox's deliveries and the merchants' settings (issue 7).
    webhooks: WebhookService = field(kw_only=True)
    #: Outbound HTTP to merchants' webhook URLs (timeouts: homeport.app.WEBHOOK_TIMEOUT).
    webhook_http: httpx.AsyncClient = field(kw_only=True)

    async def close(self) -> None:
        """Release the database connections, the HTTP clients and the sandbox's ledger."""
        await self.engine.dispose()
        await self.pg_http.aclose()
        await self.webhook_http.aclose()
        if self.sandbox_http is not None:
            await self.sandbox_http.aclose()
        if self.sandbox is not None:
            await self.sandbox.http.aclose()
            self.sandbox.ledger.close()
