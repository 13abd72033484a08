"""A scheduled charge and its life: scheduled -> executed (paid/failed) or revoked.

::

    scheduled ──(time moved: PUT)──> scheduled
        │  └──(unschedule)──> revoked ──(reschedule)──> scheduled
        └──(the worker charges it)──> executed ─(payment failed: reschedule)─> scheduled

Statuses and payment statuses are i'mport's words (§5.6); timestamps are UNIX seconds with
``0`` for "not happened".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from homeport.domain.errors import InvalidRequest, ScheduleNotChangeable
from homeport.domain.money import Won
from homeport.domain.payments.models import PaymentStatus
from homeport.domain.payments.orders import ChargeOrder


class ScheduleStatus(StrEnum):
    """Where a schedule stands, in i'mport's words (``schedule_status``)."""

    SCHEDULED = "scheduled"
    """Waiting for its time."""
    EXECUTED = "executed"
    """Charged (successfully or not): see ``payment_status``."""
    REVOKED = "revoked"
    """Cancelled by the merchant before it ran."""


class ScheduleSorting(StrEnum):
    """Orderings of schedule listings: by ``schedule_at``, newest first unless ``scheduled``."""

    SCHEDULED_DESC = "-scheduled"
    SCHEDULED = "scheduled"


PRODUCT_TYPES = frozenset({"real", "digital"})
CASH_RECEIPT_TYPES = frozenset({"person", "company", "anonymous"})


@dataclass(frozen=True)
class ChargeOptions:
    """The Schedule fields (§5.6) that ``again``'s ChargeOrder does not carry, kept for the
    charge; ``extra`` and ``bypass`` as the JSON text the merchant meant."""

    vat_amount: Won | None = None
    interest_free_by_merchant: bool | None = None
    use_card_point: bool | None = None
    product_type: str | None = None
    product_count: int | None = None
    cash_receipt_type: str | None = None
    extra: str | None = None
    bypass: str | None = None
    promotion_id: str | None = None


@dataclass(frozen=True)
class ScheduledCharge:
    """One entry of ``schedules`` (§5.6 Schedule): the charge ``again`` will make, and when.

    When the schedule is due, the worker charges ``order`` exactly as
    ``POST /subscribe/payments/again`` would.
    """

    order: ChargeOrder
    schedule_at: int
    options: ChargeOptions = field(default_factory=ChargeOptions)

    @property
    def merchant_uid(self) -> str:
        """The merchant's id of the order to charge."""
        return self.order.merchant_uid

    def check(self, now: int) -> ScheduledCharge:
        """Return the entry if a charge could be made from it at its time, else InvalidRequest
        (the message names the entry's merchant_uid).

        ``again``'s own rules (``ChargeOrder.validate``: amount, currency, installments...)
        are applied now, so a merchant learns of a bad entry when scheduling rather than
        from a failed webhook; the rest are the schedule fields ``again`` does not read.
        """
        order, options = self.order, self.options
        try:
            order.validate()
            check_future(self.schedule_at, now)
            if options.vat_amount is not None and options.vat_amount > order.amount - order.tax_free:
                raise InvalidRequest("vat_amount는 과세금액(amount - tax_free)보다 클 수 없습니다.")
            if options.product_type is not None and options.product_type not in PRODUCT_TYPES:
                raise InvalidRequest("product_type은 real 또는 digital이어야 합니다.")
            if options.product_count is not None and options.product_count < 1:
                raise InvalidRequest("product_count는 1 이상이어야 합니다.")
            if options.cash_receipt_type is not None and options.cash_receipt_type not in CASH_RECEIPT_TYPES:
                raise InvalidRequest("cash_receipt_type은 person, company, anonymous 중 하나여야 합니다.")
        except InvalidRequest as problem:
            raise type(problem)(f"{problem.message} (merchant_uid {order.merchant_uid})") from None
        return self


def check_future(schedule_at: int, now: int) -> int:
    """``schedule_at`` if it is after ``now``; a schedule in the past could never run as asked."""
    if schedule_at <= now:
        raise InvalidRequest(
            f"schedule_at은 현재 시각 이후여야 합니다. (schedule_at {schedule_at}, now {now})"
        )
    return schedule_at


@dataclass(frozen=True)
class Schedule:
    """A merchant's scheduled charge of a customer_uid's billing key, unique by merchant_uid.

    ``pg_provider``/``pg_id`` are the billing key's channel when it was scheduled (§5.6).
    """

    merchant_id: int
    customer_uid: str
    charge: ScheduledCharge
    pg_provider: str
    pg_id: str
    created_at: int
    updated_at: int
    status: ScheduleStatus = ScheduleStatus.SCHEDULED
    imp_uid: str | None = None
    payment_status: PaymentStatus | None = None
    fail_reason: str | None = None
    executed_at: int = 0
    revoked_at: int = 0

    @property
    def merchant_uid(self) -> str:
        """The merchant's id of the order this schedule charges."""
        return self.charge.merchant_uid

    @property
    def schedule_at(self) -> int:
        """When the charge is due (UNIX seconds)."""
        return self.charge.schedule_at

    @property
    def reschedulable(self) -> bool:
        """Revoked, or executed with a failed charge: ``reschedule`` may bring it back (§4.4)."""
        return self.status is ScheduleStatus.REVOKED or (
            self.status is ScheduleStatus.EXECUTED and self.payment_status is PaymentStatus.FAILED
        )

    def revoked(self, now: int) -> Schedule:
        """The schedule cancelled by the merchant; only a waiting schedule can be."""
        self._require(self.status is ScheduleStatus.SCHEDULED, "취소")
        return replace(self, status=ScheduleStatus.REVOKED, revoked_at=now, updated_at=now)

    def moved(self, schedule_at: int, now: int) -> Schedule:
        """``PUT .../schedule/{merchant_uid}``: a waiting schedule at another (future) time."""
        self._require(self.status is ScheduleStatus.SCHEDULED, "시각 변경")
        check_future(schedule_at, now)
        return replace(self, charge=replace(self.charge, schedule_at=schedule_at), updated_at=now)

    def rescheduled(self, schedule_at: int, now: int) -> Schedule:
        """``POST .../reschedule``: a revoked or failed schedule waiting again, outcome cleared."""
        self._require(self.reschedulable, "재예약")
        check_future(schedule_at, now)
        return replace(
            self,
            charge=replace(self.charge, schedule_at=schedule_at),
            status=ScheduleStatus.SCHEDULED,
            imp_uid=None,
            payment_status=None,
            fail_reason=None,
            executed_at=0,
            revoked_at=0,
            updated_at=now,
        )

    def executed(
        self, imp_uid: str | None, payment_status: PaymentStatus, fail_reason: str | None, now: int
    ) -> Schedule:
        """The schedule after its charge ran (by the worker when due, or ``retry``); no
        imp_uid when no payment was made for it (its merchant_uid was paid some other way)."""
        return replace(
            self,
            status=ScheduleStatus.EXECUTED,
            imp_uid=imp_uid,
            payment_status=payment_status,
            fail_reason=fail_reason,
            executed_at=now,
            updated_at=now,
        )

    def check_retryable(self) -> None:
        """``POST .../retry`` charges at once a revoked or failed schedule (§4.4)."""
        self._require(self.reschedulable, "재시도")

    def _require(self, allowed: bool, action: str) -> None:
        if not allowed:
            state = self.status.value
            if self.payment_status is not None:
                state += f", payment_status {self.payment_status.value}"
            raise ScheduleNotChangeable(
                f"{self._status_phrase()} 예약결제는 {action}할 수 없습니다. "
                f"(merchant_uid {self.merchant_uid}: {state})"
            )

    def _status_phrase(self) -> str:
        """The status in words, for messages."""
        return {
            ScheduleStatus.SCHEDULED: "아직 실행되지 않은",
            ScheduleStatus.EXECUTED: "이미 실행된",
            ScheduleStatus.REVOKED: "이미 취소된",
        }[self.status]


@dataclass(frozen=True)
class ScheduleWindow:
    """``since <= schedule_at < until`` (the listings' half-open range, §4.3)."""

    since: int
    until: int
