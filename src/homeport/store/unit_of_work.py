"""The SQL unit of work: one connection, one transaction, the repositories bound to it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from homeport.store.attempts import SqlAttemptRepository
from homeport.store.billing_keys import SqlBillingKeyRepository
from homeport.store.checkout_windows import SqlCheckoutWindowRepository
from homeport.store.crypto import SecretBox
from homeport.store.database import WRITE_OPTION
from homeport.store.escrow_deliveries import SqlEscrowDeliveryRepository
from homeport.store.merchants import SqlMerchantRepository
from homeport.store.payments import SqlPaymentRepository
from homeport.store.pg_notifications import SqlNotificationRepository
from homeport.store.prepares import SqlPrepareRepository
from homeport.store.schedules import SqlScheduleRepository
from homeport.store.webhooks import SqlWebhookRepository


class SqlUnitOfWork:
    """Commits on a clean exit, rolls back on an exception."""

    attempts: SqlAttemptRepository
    billing_keys: SqlBillingKeyRepository
    merchants: SqlMerchantRepository
    payments: SqlPaymentRepository
    prepares: SqlPrepareRepository
    schedules: SqlScheduleRepository
    escrow_deliveries: SqlEscrowDeliveryRepository
    checkout_windows: SqlCheckoutWindowRepository
    pg_notifications: SqlNotificationRepository
    webhooks: SqlWebhookRepository

    def __init__(self, engine: AsyncEngine, box: SecretBox, *, readonly: bool) -> None:
        self._engine = engine
        self._box = box
        self._readonly = readonly
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None

    async def __aenter__(self) -> Self:
        connection = await self._engine.connect()
        if not self._readonly:
            connection = await connection.execution_options(**{WRITE_OPTION: True})
        self._connection = connection
        self._transaction = await connection.begin()
        self.merchants = SqlMerchantRepository(connection, self._box)
        self.payments = SqlPaymentRepository(connection)
        self.prepares = SqlPrepareRepository(connection)
        self.billing_keys = SqlBillingKeyRepository(connection, self._box)
        self.attempts = SqlAttemptRepository(connection)
        self.schedules = SqlScheduleRepository(connection)
        self.escrow_deliveries = SqlEscrowDeliveryRepository(connection)
        self.checkout_windows = SqlCheckoutWindowRepository(connection)
        self.pg_notifications = SqlNotificationRepository(connection)
        self.webhooks = SqlWebhookRepository(connection, self._box)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._connection is None or self._transaction is None:
            raise RuntimeError("unit of work exited without being entered")
        try:
            if exc_type is None:
                await self._transaction.commit()
            else:
                await self._transaction.rollback()
        finally:
            await self._connection.close()


class SqlUnitOfWorkFactory:
    """Opens :class:`SqlUnitOfWork` instances on one engine."""

    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self._engine = engine
        self._box = box

    def __call__(self, *, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._engine, self._box, readonly=readonly)
