"""Scheduling, revoking, moving and listing a merchant's scheduled charges (§4.3, §4.4).

Charging due schedules is the worker's (a later issue); :meth:`ScheduleService.retry` is the
one charge this service makes, on the merchant's request, through ``again``'s flow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import structlog

from homeport.clock import Clock
from homeport.domain.billing_keys.models import CustomerInfo
from homeport.domain.billing_keys.service import BillingKeyService
from homeport.domain.errors import (
    AmountMismatch,
    BillingNotConfigured,
    DuplicatePayment,
    DuplicateSchedule,
    InvalidRequest,
    NothingToUnschedule,
    PgOutcomeUnknown,
    PgUnavailable,
    ScheduleCustomerNotFound,
    ScheduleNotChangeable,
    ScheduleNotFound,
    UnregisteredCustomer,
)
from homeport.domain.ids import validate_customer_uid
from homeport.domain.paging import Page, PageRequest, paginate
from homeport.domain.payments.charges import USAGE_SCHEDULED, ChargeService, with_customer
from homeport.domain.payments.models import Payment, PaymentStatus, SortKey
from homeport.domain.schedules.models import (
    Schedule,
    ScheduledCharge,
    ScheduleSorting,
    ScheduleStatus,
    ScheduleWindow,
)
from homeport.domain.uow import UnitOfWork, UnitOfWorkFactory
from homeport.pg.base import CardInput

log = structlog.get_logger("homeport.schedules")

#: The listings' window is "at most 3 months" (§4.3); 92 days is the longest three calendar
#: months (e.g. July to September), so any "three months from a date" a client computes fits.
MAX_WINDOW_SECONDS = 92 * 24 * 3600
#: How many of a merchant_uid's payments are looked through for a schedule run's own: one
#: live payment at most, and failed ones only as often as a merchant retried by hand.
RUN_PAYMENT_LOOKBACK = 100
_BEING_CHARGED = "결제가 진행 중인 예약결제는 변경할 수 없습니다. (merchant_uid {merchant_uid})"


def check_window(window: ScheduleWindow) -> ScheduleWindow:
    """A listing window that starts before it ends and spans at most ``MAX_WINDOW_SECONDS``."""
    if window.since > window.until:
        raise InvalidRequest(
            "조회 시작 시각(from)은 종료 시각(to)보다 이후일 수 없습니다. "
            f"(from {window.since}, to {window.until})"
        )
    if window.until - window.since > MAX_WINDOW_SECONDS:
        raise InvalidRequest("조회 기간(from~to)은 최대 3개월(92일)입니다.")
    return window


async def _ensure_free(
    uow: UnitOfWork, merchant_id: int, merchant_uids: Sequence[str], *, among_schedules: bool = True
) -> None:
    """Refuse merchant_uids that name a schedule (DuplicateSchedule) or a payment that is not
    failed (DuplicatePayment): the charge would be refused as a duplicate when it runs, since a
    merchant_uid is unique among a merchant's non-failed payments (DESIGN invariant)."""
    scheduled = await uow.schedules.taken(merchant_id, merchant_uids) if among_schedules else set()
    if scheduled:
        raise DuplicateSchedule(f"이미 예약된 merchant_uid입니다: {', '.join(sorted(scheduled))}")
    paid = [uid for uid in merchant_uids if await uow.payments.find_live(merchant_id, uid) is not None]
    if paid:
        raise DuplicatePayment(", ".join(paid))


async def _charged(uow: UnitOfWork, schedule: Schedule, now: int) -> bool:
    """Whether a due schedule's merchant_uid has a live payment: a worker charged it (it may
    be in doubt, its lease run out). Before its time nothing can have charged it."""
    if schedule.schedule_at > now:
        return False
    return await uow.payments.find_live(schedule.merchant_id, schedule.merchant_uid) is not None


class ScheduleService:
    """``/subscribe/payments/schedule`` and friends, per merchant."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        billing_keys: BillingKeyService,
        charges: ChargeService,
        *,
        lease_seconds: int = 120,
    ) -> None:
        self._lease_seconds = lease_seconds
        self._uow = uow
        self._clock = clock
        self._billing_keys = billing_keys
        self._charges = charges

    async def schedule(
        self,
        merchant_id: int,
        customer_uid: str,
        charges: Sequence[ScheduledCharge],
        *,
        card: CardInput | None = None,
        customer: CustomerInfo | None = None,
    ) -> list[Schedule]:
        """Schedule every charge for the customer_uid's billing key, all or none.

        Without a key, ``card`` issues one first (§4.4); without either the contract's code-1
        refusal follows. Everything that can be checked is checked before a key is issued.
        """
        validate_customer_uid(customer_uid)
        if not charges:
            raise InvalidRequest("schedules 파라메터가 누락되었습니다.")
        now = self._clock.now()
        checked = [charge.check(now) for charge in charges]
        uids = [charge.merchant_uid for charge in checked]
        repeated = [uid for uid, count in Counter(uids).items() if count > 1]
        if repeated:
            raise InvalidRequest(
                f"schedules 안에 같은 merchant_uid가 여러 번 있습니다: {', '.join(repeated)}"
            )
        async with self._uow(readonly=True) as uow:
            key = await uow.billing_keys.get(merchant_id, customer_uid)
            await _ensure_free(uow, merchant_id, uids)
        if key is None:
            if card is None:
                raise ScheduleCustomerNotFound
            key = await self._billing_keys.issue(merchant_id, customer_uid, card, customer or CustomerInfo())
        schedules = [
            Schedule(
                merchant_id=merchant_id,
                customer_uid=customer_uid,
                charge=replace(
                    charge, order=replace(charge.order, buyer=with_customer(charge.order.buyer, key.customer))
                ),
                pg_provider=key.pg_provider,
                pg_id=key.pg_id,
                created_at=now,
                updated_at=now,
            )
            for charge in checked
        ]
        async with self._uow() as uow:
            # Checked again in the writing transaction: another request may have come between.
            await _ensure_free(uow, merchant_id, uids)
            if not await uow.schedules.add_all(schedules):
                raise DuplicateSchedule(f"이미 예약된 merchant_uid입니다: {', '.join(uids)}")
        log.info("schedule.created", merchant_id=merchant_id, count=len(schedules))
        return schedules

    async def unschedule(
        self, merchant_id: int, customer_uid: str | None, merchant_uids: Sequence[str]
    ) -> list[Schedule]:
        """Revoke waiting schedules: the customer's (all of them when no merchant_uid is given),
        the listed merchant_uids, or the listed ones of that customer (§4.4).

        Executed and already revoked schedules are left alone; none revoked is NothingToUnschedule.
        """
        wanted = list(dict.fromkeys(merchant_uids))
        if customer_uid is None and not wanted:
            raise InvalidRequest("customer_uid 또는 merchant_uid 중 하나 이상을 지정해주셔야합니다.")
        now = self._clock.now()
        revoked: list[Schedule] = []
        async with self._uow() as uow:
            waiting = await uow.schedules.find(
                merchant_id,
                customer_uid=customer_uid,
                merchant_uids=wanted or None,
                status=ScheduleStatus.SCHEDULED,
            )
            for schedule in waiting:
                cancelled = schedule.revoked(now)
                # A schedule a worker holds is being charged, and a due one with a live payment
                # was charged (in doubt until reconciliation says): neither is revoked.
                if await _charged(uow, schedule, now):
                    continue
                if await uow.schedules.replace(
                    cancelled, expected=ScheduleStatus.SCHEDULED, unclaimed_at=now
                ):
                    revoked.append(cancelled)
        if not revoked:
            raise NothingToUnschedule
        if wanted:
            by_uid = {s.merchant_uid: s for s in revoked}
            revoked = [by_uid[uid] for uid in wanted if uid in by_uid]
        log.info("schedule.revoked", merchant_id=merchant_id, count=len(revoked))
        return revoked

    async def get(self, merchant_id: int, merchant_uid: str) -> Schedule:
        """The merchant's schedule of a merchant_uid; another merchant's is not found."""
        async with self._uow(readonly=True) as uow:
            schedule = await uow.schedules.get(merchant_id, merchant_uid)
        if schedule is None:
            raise ScheduleNotFound(merchant_uid)
        return schedule

    async def move(self, merchant_id: int, merchant_uid: str, schedule_at: int) -> Schedule:
        """``PUT .../schedule/{merchant_uid}``: a waiting schedule at another future time."""
        async with self._uow() as uow:
            schedule = await self._load(uow, merchant_id, merchant_uid)
            now = self._clock.now()
            moved = schedule.moved(schedule_at, now)
            # Not while a worker charges it, nor once it was charged (in doubt): see unschedule.
            if await _charged(uow, schedule, now):
                raise ScheduleNotChangeable(_BEING_CHARGED.format(merchant_uid=merchant_uid))
            if not await uow.schedules.replace(moved, expected=schedule.status, unclaimed_at=now):
                raise ScheduleNotChangeable(
                    "예약결제의 상태가 방금 바뀌었거나 결제가 진행 중입니다. 다시 조회해 주세요. "
                    f"(merchant_uid {merchant_uid})"
                )
            return moved

    async def reschedule(self, merchant_id: int, merchant_uid: str, schedule_at: int) -> Schedule:
        """``POST .../reschedule``: a revoked or failed schedule waiting again at a new time."""
        async with self._uow() as uow:
            schedule = await self._load(uow, merchant_id, merchant_uid)
            changed = schedule.rescheduled(schedule_at, self._clock.now())
            # The merchant may have charged this merchant_uid some other way since.
            await _ensure_free(uow, merchant_id, [merchant_uid], among_schedules=False)
            return await self._store(uow, schedule, changed)

    async def retry(self, merchant_id: int, merchant_uid: str) -> Payment:
        """``POST .../schedule/{merchant_uid}/retry``: charge a revoked or failed schedule now.

        The charge is ``again``'s, so its money rules hold: one live payment per merchant_uid
        (two retries at once charge once; the other is DuplicatePayment), an attempt before KCP
        is called, and a lost answer leaves the payment in doubt — then the schedule is left as
        it was and reconciliation settles the payment. A paid or failed charge is recorded on
        the schedule (``executed``, its imp_uid and payment_status) and the payment returned.
        """
        schedule = await self.get(merchant_id, merchant_uid)
        schedule.check_retryable()
        payment, _ = await self._charge(schedule)
        log.info(
            "schedule.retried", merchant_uid=merchant_uid, imp_uid=payment.imp_uid, status=payment.status
        )
        return payment

    # --- the worker's side (decision 0012) -------------------------------------------------

    async def claim_due(self, worker: str, limit: int) -> list[Schedule]:
        """Lease a batch of due schedules to ``worker`` for ``lease_seconds``."""
        now = self._clock.now()
        # An idle poll only reads: on SQLite a write transaction would take the one write lock.
        async with self._uow(readonly=True) as uow:
            if not await uow.schedules.any_due(now):
                return []
        async with self._uow() as uow:
            return await uow.schedules.claim_due(
                now, lease_until=now + self._lease_seconds, worker=worker, limit=limit
            )

    async def execute(self, schedule: Schedule) -> Schedule | None:
        """Charge a claimed due schedule exactly once; the schedule as executed, or None when
        it stays claimed (its payment is in doubt, or the charge could not be tried).

        Before charging, the run's own payment is looked for: a worker that died after the
        payment was opened, or a payment reconciliation settled since, means the charge was
        already made (or provably failed) and is recorded, never made again. A payment still
        ``ready`` is in doubt: it is reconciliation's, and the schedule is looked at again
        when its lease ends.
        """
        earlier = await self._run_payment(schedule)
        if earlier is not None:
            return await self._settle(schedule, earlier)
        try:
            _, executed = await self._charge(schedule)
        except DuplicatePayment as duplicate:
            return await self._after_duplicate(schedule, duplicate)
        except PgOutcomeUnknown:
            log.warning("schedule.in_doubt", merchant_uid=schedule.merchant_uid)
            return None
        except PgUnavailable:
            # ``again`` failed the payment (provably not sent): the run's failed payment.
            found = await self._run_payment(schedule)
            return await self._settle(schedule, found) if found is not None else None
        except (UnregisteredCustomer, BillingNotConfigured, InvalidRequest, AmountMismatch) as refusal:
            # Nothing reached the PG; the merchant still gets a failed payment (and webhook).
            payment = await self._charges.refuse(
                schedule.merchant_id,
                schedule.customer_uid,
                schedule.charge.order,
                pg_provider=schedule.pg_provider,
                pg_id=schedule.pg_id,
                usage=USAGE_SCHEDULED,
                reason=refusal.message,
            )
            return await self._settle(schedule, payment)
        return executed

    async def _after_duplicate(self, schedule: Schedule, duplicate: DuplicatePayment) -> Schedule | None:
        """Another worker opened the run's payment meanwhile (its outcome is recorded, or it is
        in doubt), or the merchant charged this merchant_uid some other way: then the schedule
        charges nothing and is executed ``failed`` with no imp_uid of its own."""
        found = await self._run_payment(schedule)
        if found is not None:
            return await self._settle(schedule, found)
        return await self._record(schedule, None, PaymentStatus.FAILED, duplicate.message)

    async def _charge(self, schedule: Schedule) -> tuple[Payment, Schedule | None]:
        """The one charge of a schedule, for ``retry`` and the worker alike: ``again`` with the
        schedule's order, then the outcome recorded on the schedule (if still as it was)."""
        payment = await self._charges.again(
            schedule.merchant_id, schedule.customer_uid, schedule.charge.order, usage=USAGE_SCHEDULED
        )
        return payment, await self._settle(schedule, payment)

    async def _settle(self, schedule: Schedule, payment: Payment) -> Schedule | None:
        """Record the run's payment on the schedule unless it is still in doubt (``ready``)."""
        if payment.status is PaymentStatus.READY:
            log.warning(
                "schedule.payment_in_doubt", merchant_uid=schedule.merchant_uid, imp_uid=payment.imp_uid
            )
            return None
        return await self._record(schedule, payment.imp_uid, payment.status, payment.fail_reason)

    async def _record(
        self, schedule: Schedule, imp_uid: str | None, status: PaymentStatus, reason: str | None
    ) -> Schedule | None:
        executed = schedule.executed(imp_uid, status, reason, self._clock.now())
        async with self._uow() as uow:
            if not await uow.schedules.replace(executed, expected=schedule.status):
                # Changed meanwhile (unscheduled, rescheduled): the payment stands on its own.
                log.warning(
                    "schedule.changed_during_charge", merchant_uid=schedule.merchant_uid, imp_uid=imp_uid
                )
                return None
        log.info("schedule.executed", merchant_uid=schedule.merchant_uid, imp_uid=imp_uid, status=status)
        return executed

    async def _run_payment(self, schedule: Schedule) -> Payment | None:
        """The payment this run of a due schedule made, if any: the newest of its merchant_uid
        charged as ``payment.scheduled`` at or after its time (an earlier run's payment of a
        rescheduled schedule, or a retry's, started before ``schedule_at``)."""
        async with self._uow(readonly=True) as uow:
            _, payments = await uow.payments.search(
                schedule.merchant_id,
                merchant_uid=schedule.merchant_uid,
                status=None,
                time_range=None,
                sorting=SortKey.STARTED_DESC,
                page=PageRequest(limit=RUN_PAYMENT_LOOKBACK),
            )
        return next(
            (
                p
                for p in payments
                if p.customer_uid_usage == USAGE_SCHEDULED and p.started_at >= schedule.schedule_at
            ),
            None,
        )

    async def search(
        self,
        merchant_id: int,
        *,
        window: ScheduleWindow,
        status: ScheduleStatus | None = None,
        customer_uid: str | None = None,
        sorting: ScheduleSorting = ScheduleSorting.SCHEDULED_DESC,
        page: PageRequest | None = None,
    ) -> Page[Schedule]:
        """The merchant's (or one customer's) schedules due in ``window``, one page at a time."""
        page = page or PageRequest()
        async with self._uow(readonly=True) as uow:
            total, rows = await uow.schedules.search(
                merchant_id,
                customer_uid=customer_uid,
                status=status,
                window=check_window(window),
                sorting=sorting,
                page=page,
            )
        return paginate(total, rows, page)

    async def _load(self, uow: UnitOfWork, merchant_id: int, merchant_uid: str) -> Schedule:
        schedule = await uow.schedules.get(merchant_id, merchant_uid)
        if schedule is None:
            raise ScheduleNotFound(merchant_uid)
        return schedule

    async def _store(self, uow: UnitOfWork, before: Schedule, after: Schedule) -> Schedule:
        if not await uow.schedules.replace(after, expected=before.status):
            raise ScheduleNotChangeable(
                "예약결제의 상태가 방금 바뀌었습니다. 다시 조회해 주세요. "
                f"(merchant_uid {before.merchant_uid})"
            )
        return after
