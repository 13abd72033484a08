"""What a merchant orders by API, and the steps every new payment goes through.

Server-side charges (``again``, ``onetime``) and virtual accounts issued by API (``POST
/vbanks``) start the same way (decision 0003):

1. the order is validated and checked against a pre-registered amount (§4.2);
2. one transaction stores the payment (``ready``) and a pending attempt; the partial unique
   index on (merchant, merchant_uid) lets one of any number of concurrent requests through;
3. the PG is called (by the service);
4. one transaction applies the answer and settles the attempt.

:class:`PaymentSteps` holds steps 1, 2 and 4, and the one rule for a PG call that goes wrong
(:meth:`PaymentSteps.ask`), so each service writes only its PG call and what an answer means.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

import structlog

from homeport.clock import Clock
from homeport.domain.errors import (
    AmountMismatch,
    InvalidAmount,
    InvalidRequest,
    PgError,
    PgOutcomeUnknown,
    PgUnavailable,
)
from homeport.domain.ids import new_imp_uid, validate_merchant_uid
from homeport.domain.merchants.models import PgChannel
from homeport.domain.money import INSTALLMENT_MINIMUM, Won
from homeport.domain.payments.attempts import (
    Attempt,
    AttemptOperation,
    AttemptResult,
    AttemptState,
    attempt_on,
)
from homeport.domain.payments.models import Buyer, Payment, PaymentChannel, PaymentStatus, VirtualAccount
from homeport.domain.uow import UnitOfWork, UnitOfWorkFactory
from homeport.domain.webhooks.changes import store_change
from homeport.pg import base as pg

log = structlog.get_logger("homeport.payments")

T = TypeVar("T")

#: ``mod_desc`` of the cancel KCP's samples send when the merchant cannot store an approval
#: (kcp.md §4.4, "auto-cancel pattern").
AUTO_CANCEL_REASON = "가맹점 DB 처리 실패(자동취소)"

#: KCP settles in won only (kcp.md: ``currency`` 410 / WON).
SUPPORTED_CURRENCY = "KRW"

#: Text fields of an order and the longest value homeport stores for each (API and checkout).
TEXT_LIMITS = {
    "name": 200,
    "buyer_name": 64,
    "buyer_email": 128,
    "buyer_tel": 32,
    "buyer_addr": 256,
    "buyer_postcode": 16,
    "notice_url": 2000,
}


@dataclass(frozen=True)
class ChargeOrder:
    """What the merchant asks to be charged (the fields ``again`` and ``onetime`` share)."""

    merchant_uid: str
    amount: Won
    name: str | None = None
    currency: str = SUPPORTED_CURRENCY
    tax_free: Won = 0
    buyer: Buyer = field(default_factory=Buyer)
    installment_months: int = 0
    custom_data: str | None = None
    notice_url: str | None = None
    customer_ip: str = ""

    def validate(self) -> None:
        """Refuse what KCP would refuse or what cannot be a payment, before anything is stored."""
        validate_merchant_uid(self.merchant_uid)
        if self.amount < 1:
            raise InvalidAmount("amount는 1원 이상이어야 합니다.")
        if self.tax_free > self.amount:
            raise InvalidAmount(f"tax_free({self.tax_free}원)는 amount({self.amount}원)보다 클 수 없습니다.")
        if self.currency != SUPPORTED_CURRENCY:
            raise InvalidRequest(f"KCP 결제는 KRW만 지원합니다. (currency {self.currency})")
        if self.installment_months < 0 or self.installment_months > 36:
            raise InvalidRequest("card_quota는 0(일시불) 또는 2~36개월이어야 합니다.")
        if self.installment_months >= 2 and self.amount < INSTALLMENT_MINIMUM:
            raise InvalidRequest(
                f"할부결제는 {INSTALLMENT_MINIMUM:,}원 이상부터 가능합니다. (amount {self.amount}원)"
            )

    @property
    def installments(self) -> int:
        """Months of the installment plan; 1 means lump sum, as 0 does (§4.4: ``card_quota``)."""
        return self.installment_months if self.installment_months >= 2 else 0


def fail_reason(declined: pg.Declined) -> str:
    """The PG's words for a decline, with its code, as i'mport shows them (``[F113]...``)."""
    text = declined.pg_message or declined.message
    return f"[{declined.pg_code}] {text}" if declined.pg_code else text


class PaymentSteps:
    """The steps shared by the services that create payments by API."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def check_prepared(self, merchant_id: int, order: ChargeOrder) -> None:
        """Refuse an amount other than the one pre-registered for the merchant_uid (§4.2)."""
        async with self._uow(readonly=True) as uow:
            prepared = await uow.prepares.get(merchant_id, order.merchant_uid)
        refusal = prepared.refuses(order.amount, order.currency) if prepared else None
        if refusal:
            raise AmountMismatch(refusal)

    def new_payment(
        self,
        merchant_id: int,
        order: ChargeOrder,
        channel: PgChannel,
        *,
        customer_uid: str | None = None,
        usage: str | None = None,
        pay_method: str = "card",
        started_by: PaymentChannel = PaymentChannel.API,
        escrow: bool = False,
        virtual_account: VirtualAccount | None = None,
    ) -> Payment:
        """A ``ready`` payment on ``channel``, not stored yet: started by API unless a payment
        window (``started_by`` pc or mobile) asked for it."""
        now = self._clock.now()
        return Payment(
            imp_uid=new_imp_uid(),
            merchant_id=merchant_id,
            merchant_uid=order.merchant_uid,
            amount=order.amount,
            status=PaymentStatus.READY,
            started_at=now,
            updated_at=now,
            currency=order.currency,
            name=order.name,
            pay_method=pay_method,
            channel=started_by,
            pg_provider=channel.pg_provider,
            pg_id=channel.site_code,
            sandbox=channel.sandbox,
            buyer=order.buyer,
            custom_data=order.custom_data,
            notice_url=order.notice_url,
            tax_free=order.tax_free,
            customer_uid=customer_uid,
            customer_uid_usage=usage,
            escrow=escrow,
            virtual_account=virtual_account,
        )

    async def open(self, payment: Payment, operation: AttemptOperation = AttemptOperation.CHARGE) -> int:
        """Store the payment and its pending attempt together, before the PG hears of it."""
        attempt = attempt_on(payment, operation, amount=payment.amount, started_at=payment.started_at)
        async with self._uow() as uow:
            await uow.payments.add(payment)  # DuplicatePayment for a live merchant_uid
            return await uow.attempts.add(attempt)

    async def fail(
        self,
        payment: Payment,
        attempt_id: int,
        reason: str,
        settled: AttemptResult,
        *,
        also: Callable[[UnitOfWork], Awaitable[object]] | None = None,
    ) -> Payment:
        """Store the payment ``failed`` with ``reason`` and settle its attempt."""
        failed = replace(
            payment,
            status=PaymentStatus.FAILED,
            fail_reason=reason,
            failed_at=settled.finished_at,
            updated_at=settled.finished_at,
        )
        log.info(
            "payment.failed",
            imp_uid=payment.imp_uid,
            merchant_id=payment.merchant_id,
            pg_code=settled.pg_code,
        )
        return await self.apply(failed, attempt_id, settled, also=also)

    async def apply(
        self,
        payment: Payment,
        attempt_id: int,
        settled: AttemptResult,
        *,
        also: Callable[[UnitOfWork], Awaitable[object]] | None = None,
        requested: bool | None = None,
    ) -> Payment:
        """Store the outcome and settle the attempt in one transaction (with ``also``'s writes and
        the change's webhook event; ``requested`` as for ``store_change``)."""
        async with self._uow() as uow:
            if also is not None:
                await also(uow)
            before = await uow.payments.get(payment.merchant_id, payment.imp_uid)
            if (
                before is None
                or before.status is not PaymentStatus.READY
                or not await store_change(uow, before, payment, now=settled.finished_at, requested=requested)
            ):
                # Only reconciliation may move a payment in flight; its word stands.
                log.error("payment.changed_in_flight", imp_uid=payment.imp_uid)
            await uow.attempts.settle(attempt_id, settled)
            stored = await uow.payments.get(payment.merchant_id, payment.imp_uid)
        return stored or payment

    async def settle(self, attempt_id: int, settled: AttemptResult) -> None:
        """Settle an attempt that changes nothing else (a lost answer, a refused void)."""
        async with self._uow() as uow:
            await uow.attempts.settle(attempt_id, settled)

    async def ask(
        self, call: Awaitable[T], payment: Payment, attempt_id: int, *, fail_if_unavailable: bool = False
    ) -> T:
        """Await a PG call made for a stored attempt, settling the attempt when it goes wrong.

        PgUnavailable (provably not sent) settles it ``unavailable`` and, for a new payment,
        fails the payment so its merchant_uid can be retried; PgOutcomeUnknown settles it
        ``unknown`` and leaves the payment as it is, in doubt, for reconciliation. Both are
        re-raised for the API to report.
        """
        try:
            return await call
        except PgUnavailable as exc:
            unavailable = AttemptResult(AttemptState.UNAVAILABLE, self._clock.now())
            if fail_if_unavailable:
                await self.fail(payment, attempt_id, exc.message, unavailable)
            else:
                await self.settle(attempt_id, unavailable)
            raise
        except PgOutcomeUnknown:
            await self.settle(attempt_id, AttemptResult(AttemptState.UNKNOWN, self._clock.now()))
            log.warning("payment.in_doubt", imp_uid=payment.imp_uid, merchant_id=payment.merchant_id)
            raise

    def declined(self, declined: pg.Declined) -> AttemptResult:
        """How an attempt the PG declined is settled."""
        return AttemptResult(
            AttemptState.DECLINED, self._clock.now(), pg_code=declined.pg_code, pg_message=declined.pg_message
        )

    async def void(
        self, payment: Payment, attempt_id: int, connector: pg.PgConnector, approved: pg.Approved
    ) -> Payment:
        """Cancel an approval of another amount than asked (kcp.md: approve with ordr_mony)."""
        log.error(
            "payment.amount_differs", imp_uid=payment.imp_uid, asked=payment.amount, approved=approved.amount
        )
        reason = (
            f"PG가 요청금액({payment.amount}원)과 다른 금액({approved.amount}원)을 승인하여 "
            "승인을 취소하였습니다."
        )
        return await self.cancel_approval(payment, connector, approved, reason, charge_attempt=attempt_id)

    async def accept(
        self,
        payment: Payment,
        accepted: Payment,
        attempt_id: int,
        connector: pg.PgConnector,
        approved: pg.Approved,
    ) -> Payment:
        """Store an approval (``payment`` as it was, ``accepted`` as approved); if that write
        fails, give the money back at once.

        kcp.md §4.4: every KCP sample cancels the approval (``STSC``, ``mod_desc`` "가맹점 DB
        처리 실패(자동취소)") when the merchant's database update fails: a payment homeport
        cannot record as paid must not stay charged. Whatever stopped the write (the database
        refusing it, a lost connection) counts, hence the broad ``except``.
        """
        settled = AttemptResult(AttemptState.SUCCEEDED, self._clock.now(), pg_tid=approved.pg_tid)
        try:
            return await self.apply(accepted, attempt_id, settled)
        except Exception:
            log.exception("payment.store_failed", imp_uid=payment.imp_uid, pg_tid=approved.pg_tid)
        return await self.cancel_approval(
            payment, connector, approved, AUTO_CANCEL_REASON, charge_attempt=attempt_id
        )

    async def cancel_approval(
        self,
        payment: Payment,
        connector: pg.PgConnector,
        approved: pg.Approved,
        reason: str,
        *,
        charge_attempt: int | None = None,
    ) -> Payment:
        """Cancel an approval homeport will not keep; the payment fails with ``reason``.

        Written in three steps so that whatever the database still allows is on record:
        the charge attempt settled with the PG tid and a pending ``void`` attempt (one
        transaction), the PG's full cancel, then the payment failed and the void settled. If
        the first write fails the cancel is still sent (the money goes back) and the charge
        attempt stays pending: reconciliation, or an operator with the tno, settles it by
        inquiry. If the cancel's answer is lost, the void stays in doubt for reconciliation.
        """
        now = self._clock.now()
        void = Attempt(
            imp_uid=payment.imp_uid,
            merchant_id=payment.merchant_id,
            operation=AttemptOperation.VOID,
            amount=approved.amount,
            pg_provider=payment.pg_provider or "",
            pg_id=payment.pg_id or "",
            started_at=now,
            pg_tid=approved.pg_tid,
        )
        void_id: int | None = None
        try:
            async with self._uow() as uow:
                if charge_attempt is not None:
                    await uow.attempts.settle(
                        charge_attempt, AttemptResult(AttemptState.SUCCEEDED, now, pg_tid=approved.pg_tid)
                    )
                void_id = await uow.attempts.add(void)
        except Exception:
            log.exception("payment.void_not_recorded", imp_uid=payment.imp_uid, pg_tid=approved.pg_tid)
        request = pg.CancelRequest(
            pg_tid=approved.pg_tid,
            pay_method=approved.pay_method,
            amount=None,
            remaining_before=approved.amount,
            reason=reason,
        )
        try:
            cancelled = await connector.cancel(request)
        except PgError:
            cancelled = None
        if not isinstance(cancelled, pg.Cancelled):
            # Money was taken and could not be given back here: leave it in doubt, loudly.
            if void_id is not None:
                await self.settle(void_id, AttemptResult(AttemptState.UNKNOWN, self._clock.now()))
            log.error("payment.void_failed", imp_uid=payment.imp_uid, pg_tid=approved.pg_tid)
            raise PgOutcomeUnknown(
                "PG가 승인한 거래를 취소하지 못했습니다. 결제 상태를 확인 중입니다. "
                f"({reason}; the void is unconfirmed)"
            )
        log.warning("payment.voided", imp_uid=payment.imp_uid, pg_tid=approved.pg_tid, reason=reason)
        if void_id is None:
            raise PgOutcomeUnknown(
                "PG가 승인한 거래를 취소하였으나 결과를 저장하지 못했습니다. 결제 상태를 확인 중입니다. "
                f"({reason}; voided at the PG, not recorded)"
            )
        failed = replace(payment, pg_tid=approved.pg_tid)
        settled = AttemptResult(
            AttemptState.SUCCEEDED, self._clock.now(), pg_tid=cancelled.pg_tid, pg_message=reason
        )
        return await self.fail(failed, void_id, reason, settled)
