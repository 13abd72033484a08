"""The unit of work: one database transaction that domain services open and storage provides.

Services write everything that belongs together (a payment and its event, say) inside one
``async with uow_factory() as uow:`` block; it commits on success and rolls back on error.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from homeport.domain.billing_keys.repository import BillingKeyRepository
from homeport.domain.checkout.repository import CheckoutWindowRepository
from homeport.domain.escrows.repository import EscrowDeliveryRepository
from homeport.domain.merchants.repository import MerchantRepository
from homeport.domain.payments.attempt_repository import AttemptRepository
from homeport.domain.payments.notification_repository import NotificationRepository
from homeport.domain.payments.repository import PaymentRepository
from homeport.domain.prepares.repository import PrepareRepository
from homeport.domain.schedules.repository import ScheduleRepository
from homeport.domain.webhooks.repository import WebhookRepository


class UnitOfWork(Protocol):
    """Repositories bound to one transaction."""

    @property
    def attempts(self) -> AttemptRepository: ...

    @property
    def billing_keys(self) -> BillingKeyRepository: ...

    @property
    def merchants(self) -> MerchantRepository: ...

    @property
    def payments(self) -> PaymentRepository: ...

    @property
    def prepares(self) -> PrepareRepository: ...

    @property
    def schedules(self) -> ScheduleRepository: ...

    @property
    def escrow_deliveries(self) -> EscrowDeliveryRepository: ...

    @property
    def checkout_windows(self) -> CheckoutWindowRepository: ...

    @property
    def pg_notifications(self) -> NotificationRepository: ...

    @property
    def webhooks(self) -> WebhookRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Opens a unit of work; ``readonly=True`` lets storage skip write locks (SQLite)."""

    def __call__(self, *, readonly: bool = False) -> UnitOfWork: ...
