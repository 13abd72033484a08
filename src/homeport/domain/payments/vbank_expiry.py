"""Virtual accounts whose deposit deadline passed unpaid (decision 0013).

The i'mport contract is silent on what becomes of an expired account; homeport closes it as
``DELETE /vbanks`` does (decision 0004): ``cancelled``, ``cancel_reason`` "가상계좌 입금기한
만료", ``cancelled_at`` the time it expired, no cancellation entry (nothing was paid). KCP is
not called: no money moved and KCP's bank takes no deposit after the account's ``va_date``.

The deadline is honoured only after a grace period (HOMEPORT_VBANK_EXPIRY_GRACE), so a
deposit made just before it and notified late is not raced. A deposit notified even later
still pays the payment (:func:`.notifications.apply_deposit`): money was received.
"""

from __future__ import annotations

import structlog

from homeport.clock import Clock
from homeport.domain.payments.accounts import EXPIRED_REASON, closed
from homeport.domain.payments.models import PaymentStatus
from homeport.domain.uow import UnitOfWorkFactory
from homeport.domain.webhooks.changes import store_change

log = structlog.get_logger("homeport.payments")


class VbankExpiryService:
    """Closes unpaid virtual accounts past their deadline plus the grace period."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, grace: int) -> None:
        self._uow = uow
        self._clock = clock
        self._grace = grace

    async def expire_due(self, limit: int) -> int:
        """Close up to ``limit`` accounts; how many were closed."""
        now = self._clock.now()
        due_before = now - self._grace
        async with self._uow(readonly=True) as uow:
            due = await uow.payments.expired_virtual_accounts(due_before=due_before, limit=limit)
        expired = 0
        for candidate in due:
            async with self._uow() as uow:
                before = await uow.payments.lock(candidate.merchant_id, candidate.imp_uid)
                # Re-read under the lock: a deposit may have paid it since the scan.
                if before is None or before.status is not PaymentStatus.READY:
                    continue
                after = closed(before, EXPIRED_REASON, at=now, now=now)
                if await store_change(uow, before, after, now=now):
                    expired += 1
                    account = before.virtual_account
                    log.info(
                        "payment.vbank_expired",
                        imp_uid=before.imp_uid,
                        merchant_id=before.merchant_id,
                        due_at=account.due_at if account else 0,
                    )
        return expired
