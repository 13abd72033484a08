"""What PG notifications need from storage; ``homeport.store`` implements it."""

from __future__ import annotations

from typing import Protocol

from homeport.domain.money import Won
from homeport.domain.payments.notifications import NotificationRecord


class NotificationRepository(Protocol):
    """Notifications of every site, recorded in the transaction of the change they make."""

    async def get(self, pg_provider: str, site: str, notification_id: str) -> NotificationRecord | None:
        """The notification recorded under this id, if any."""
        ...

    async def find_payment(
        self, pg_provider: str, site: str, pg_tid: str, order_id: str
    ) -> tuple[int, str] | None:
        """``(merchant_id, imp_uid)`` of the payment a notification concerns.

        By the PG's transaction id on that site; else by the order id (merchant_uid) when
        exactly one live payment of that site has it and no other transaction id (an issue
        whose answer was lost).
        """
        ...

    async def deposited_total(self, imp_uid: str) -> Won:
        """What homeport counted as deposited for a payment so far (0 if nothing)."""
        ...

    async def add(self, record: NotificationRecord) -> bool:
        """Record a notification; False (and nothing stored) if its id is already recorded."""
        ...

    async def for_payment(self, imp_uid: str) -> list[NotificationRecord]:
        """A payment's notifications, oldest first."""
        ...
