"""Receiving PG notifications: record each once, apply deposits to their payment (DESIGN flow 5).

One transaction records the notification and makes its change, with the payment locked and
replaced only if its status is still the one read (the lock/replace pattern of every other
payment change). So a notification is either fully processed or not at all; the caller
acknowledges it (KCP: ``result=0000``) only after :meth:`NotificationService.receive`
returned, and anything that raises leaves it to the PG's retry (kcp.md §9.2).

Which notifications change what (decision 0009):

- deposits and deposits taken back by the bank: :func:`.notifications.apply_deposit`;
- a notification for no payment of homeport: recorded as ``unknown_payment`` and
  acknowledged, with a warning, because KCP would otherwise resend it for as long as it
  retries and nothing here can make it known later;
- every other kind (KCP's refund, escrow, account-closed, ARS notices, §9.4): recorded and
  acknowledged with no change. None of them is trivially right to apply: a refund or cancel
  made outside homeport would need its amount and history reconciled with the PG, escrow
  states have no i'mport status, and a closed account's payment stays ``ready`` as i'mport
  shows an expired one.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from homeport.clock import Clock
from homeport.domain.errors import Conflict
from homeport.domain.payments.accounts import expired_account
from homeport.domain.payments.notifications import (
    Applied,
    NotificationOutcome,
    NotificationRecord,
    apply_deposit,
)
from homeport.domain.uow import UnitOfWork, UnitOfWorkFactory
from homeport.domain.webhooks.changes import store_change
from homeport.pg import base as pg

log = structlog.get_logger("homeport.notifications")

_DEPOSIT_KINDS = (pg.NotificationKind.DEPOSIT, pg.NotificationKind.DEPOSIT_CANCELLED)


@dataclass(frozen=True)
class Received:
    """What became of a notification; ``repeat`` when it had been recorded before."""

    outcome: NotificationOutcome | None
    imp_uid: str | None = None
    repeat: bool = False


class NotificationService:
    """Records PG notifications and applies virtual-account deposits."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def receive(self, pg_provider: str, notification: pg.PgNotification) -> Received:
        """Record ``notification`` and apply it; a repeat changes nothing.

        Raises (and stores nothing) when it cannot be processed now; the PG then resends it.
        """
        async with self._uow() as uow:
            received = await self._receive(uow, pg_provider, notification)
        if received.repeat:
            log.info(
                "notification.repeat",
                pg_provider=pg_provider,
                site=notification.site,
                notification_id=notification.notification_id,
            )
        return received

    async def _receive(self, uow: UnitOfWork, pg_provider: str, notification: pg.PgNotification) -> Received:
        repository = uow.pg_notifications
        if await repository.get(pg_provider, notification.site, notification.notification_id):
            return Received(None, repeat=True)
        now = self._clock.now()
        found = await repository.find_payment(
            pg_provider, notification.site, notification.pg_tid, notification.order_id
        )
        imp_uid = found[1] if found else None
        applied = Applied(None, NotificationOutcome.RECORDED, 0, 0)
        if found is None:
            applied = Applied(None, NotificationOutcome.UNKNOWN_PAYMENT, 0, 0)
            log.warning(
                "notification.unknown_payment",
                pg_provider=pg_provider,
                site=notification.site,
                pg_tid=notification.pg_tid,
                order_id=notification.order_id,
                kind=notification.raw_kind,
            )
        elif notification.kind in _DEPOSIT_KINDS:
            merchant_id, imp_uid = found
            payment = await uow.payments.lock(merchant_id, imp_uid)
            if payment is None:  # deleted between the lookup and the lock: cannot happen today
                raise Conflict("the notified payment disappeared; the PG will resend")
            previous = await repository.deposited_total(imp_uid)
            applied = apply_deposit(payment, previous, notification, now)
            if expired_account(payment) and applied.payment is not None:
                log.warning("notification.deposit_after_expiry", imp_uid=imp_uid, deposit=notification.amount)
            self._log_deposit(imp_uid, payment.amount, notification, applied)
            record = self._record(pg_provider, notification, applied, imp_uid, now)
            if not await repository.add(record):
                return Received(None, repeat=True)  # a concurrent copy won; nothing written
            if applied.payment is not None and not await store_change(uow, payment, applied.payment, now=now):
                # Under the lock this cannot happen; if it does, roll back and let KCP resend.
                raise Conflict(f"payment {imp_uid} changed while a deposit was applied")
            return Received(applied.outcome, imp_uid)
        record = self._record(pg_provider, notification, applied, imp_uid, now)
        if not await repository.add(record):
            return Received(None, repeat=True)
        return Received(applied.outcome, imp_uid)

    @staticmethod
    def _record(
        pg_provider: str, notification: pg.PgNotification, applied: Applied, imp_uid: str | None, now: int
    ) -> NotificationRecord:
        return NotificationRecord(
            pg_provider=pg_provider,
            site=notification.site,
            notification_id=notification.notification_id,
            pg_kind=notification.raw_kind,
            kind=notification.kind,
            pg_tid=notification.pg_tid,
            order_id=notification.order_id,
            amount=notification.amount,
            pg_total=notification.total_deposited,
            deposited_total=applied.deposited_total,
            excess=applied.excess,
            outcome=applied.outcome,
            occurred_at=notification.occurred_at,
            received_at=now,
            imp_uid=imp_uid,
            depositor=notification.depositor,
        )

    @staticmethod
    def _log_deposit(imp_uid: str, amount: int, notification: pg.PgNotification, applied: Applied) -> None:
        fields = {
            "imp_uid": imp_uid,
            "amount": amount,
            "deposit": notification.amount,
            "deposited_total": applied.deposited_total,
            "outcome": applied.outcome.value,
        }
        if applied.outcome is NotificationOutcome.NOT_APPLICABLE:
            log.warning("notification.deposit_not_applicable", **fields)
        elif applied.excess and notification.kind is pg.NotificationKind.DEPOSIT:
            # KCP keeps an over-deposit as paid and refunds nothing (kcp.md §9.4): the merchant must.
            log.warning("notification.over_deposit", excess=applied.excess, **fields)
        else:
            log.info("notification.deposit", **fields)
        if notification.total_deposited != applied.deposited_total:
            # Expected for fixed accounts and one-shot partial deposits (see .notifications).
            log.info("notification.pg_total_differs", pg_total=notification.total_deposited, **fields)
