"""Full and partial cancels (refunds) of paid payments: ``POST /payments/cancel`` (§4.1).

The sum cancelled never exceeds the sum paid (DESIGN invariant). The argument:

- the balance is computed under a lock on the payment row (FOR UPDATE on PostgreSQL, the
  single write lock on SQLite), and the pending cancel attempt is written in that same
  transaction;
- while a payment has a cancel attempt that is pending or unknown, every other cancel is
  refused: the balance at the PG is not known until that attempt settles (reconciliation
  settles unknown ones);
- so at most one cancel per payment is in flight, it was checked against the true balance,
  and it is applied (cancellation appended, status updated) in one transaction with its
  attempt.

A partial cancel keeps the payment ``paid`` (decision 0001); the last cancel makes it
``cancelled``. ``cancelled_at`` and ``cancel_reason`` always describe the latest cancel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import structlog

from homeport.clock import Clock
from homeport.domain.billing_keys.service import pg_refused
from homeport.domain.channels import PgChannels, payment_channel
from homeport.domain.errors import (
    CancelRefused,
    CancelTargetNotFound,
    InvalidAmount,
    InvalidRequest,
)
from homeport.domain.money import Won
from homeport.domain.payments.attempts import Attempt, AttemptOperation, AttemptResult, AttemptState
from homeport.domain.payments.models import Cancellation, Payment, PaymentStatus
from homeport.domain.payments.orders import PaymentSteps
from homeport.domain.uow import UnitOfWork, UnitOfWorkFactory
from homeport.domain.webhooks.changes import store_change
from homeport.pg import base as pg

log = structlog.get_logger("homeport.payments")

#: The contract's text for a refused cancel of an already fully cancelled payment (§8).
ALREADY_CANCELLED = "이미 전액취소된 주문입니다."
#: Prefix of every PG refusal of a cancel; the PG's reason follows in parentheses.
CANCEL_FAILED = "결제취소에 실패하였습니다."


@dataclass(frozen=True)
class CancelOrder:
    """What the merchant asks to cancel. ``amount`` None (or 0 on the wire) means all that is left."""

    imp_uid: str | None = None
    merchant_uid: str | None = None
    amount: Won | None = None
    tax_free: Won | None = None
    checksum: Won | None = None
    reason: str | None = None
    refund: pg.RefundAccount | None = None
    #: The API request's ``enable_webhook`` (§6: an API cancel is sent only when true); None
    #: when no merchant API request asks (an operator's cancel, which is sent).
    enable_webhook: bool | None = None

    def validate(self) -> None:
        """Refuse requests that name no payment or make no sense, before anything is read."""
        if not self.imp_uid and not self.merchant_uid:
            # The contract's wording for this case contains "지정해주셔야합니다." (§8).
            raise InvalidRequest("취소할 결제건의 imp_uid 또는 merchant_uid 중 하나는 지정해주셔야합니다.")
        if self.amount is not None and self.tax_free is not None and self.tax_free > self.amount:
            raise InvalidAmount(
                f"tax_free({self.tax_free}원)는 취소 요청금액({self.amount}원)보다 클 수 없습니다."
            )


class CancelService:
    """Cancels through the channel that took the payment."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, channels: PgChannels) -> None:
        self._uow = uow
        self._clock = clock
        self._channels = channels
        self._steps = PaymentSteps(uow, clock)

    async def cancel(self, merchant_id: int, order: CancelOrder) -> Payment:
        """Cancel all or part of a paid payment; the payment as it is afterwards."""
        order.validate()
        target = await self._target(merchant_id, order)
        _refuse_unless_cancellable(target, target.amount - target.cancelled_amount)
        channel = await payment_channel(self._channels, target)
        if channel is None or not target.pg_tid:
            raise CancelRefused(
                f"결제에 사용된 PG 채널({target.pg_provider}.{target.pg_id})을 찾을 수 없어 "
                "취소할 수 없습니다."
            )
        payment, attempt_id, request = await self._open(merchant_id, target.imp_uid, order)
        result = await self._steps.ask(self._channels.connector(channel).cancel(request), payment, attempt_id)
        if isinstance(result, pg.Declined):
            await self._steps.settle(attempt_id, self._steps.declined(result))
            raise pg_refused(CANCEL_FAILED, result)
        return await self.record(payment, attempt_id, result, order.reason, order.enable_webhook)

    async def _target(self, merchant_id: int, order: CancelOrder) -> Payment:
        """The payment named by imp_uid (which wins, even when wrong) or by merchant_uid."""
        async with self._uow(readonly=True) as uow:
            if order.imp_uid:
                payment = await uow.payments.get(merchant_id, order.imp_uid)
            else:
                payment = await uow.payments.find_live(merchant_id, order.merchant_uid or "")
        if payment is None:
            raise CancelTargetNotFound
        return payment

    async def _open(
        self, merchant_id: int, imp_uid: str, order: CancelOrder
    ) -> tuple[Payment, int, pg.CancelRequest]:
        """Check the balance under the payment's lock and store the pending attempt with it."""
        async with self._uow() as uow:
            payment = await uow.payments.lock(merchant_id, imp_uid)
            if payment is None:
                raise CancelTargetNotFound
            remaining = payment.amount - payment.cancelled_amount
            _refuse_unless_cancellable(payment, remaining)
            if await uow.attempts.unsettled(imp_uid, AttemptOperation.CANCEL):
                raise CancelRefused(
                    "이 결제건에 처리 중이거나 결과를 확인 중인 취소 요청이 있습니다. 잠시 후 결제 정보를 "
                    "조회한 뒤 다시 시도해주세요. (another cancel is in flight)"
                )
            if order.checksum is not None and order.checksum != remaining:
                raise CancelRefused(
                    f"checksum({order.checksum}원)이 취소가능잔액({remaining}원)과 일치하지 않아 취소하지 "
                    "않았습니다. 결제 정보를 다시 조회해주세요."
                )
            amount = order.amount or remaining  # 0 and absent both mean "everything left" (§4.1)
            if amount > remaining:
                raise CancelRefused(f"취소 요청금액({amount}원)이 취소가능잔액({remaining}원)을 초과합니다.")
            attempt = Attempt(
                imp_uid=imp_uid,
                merchant_id=merchant_id,
                operation=AttemptOperation.CANCEL,
                amount=amount,
                pg_provider=payment.pg_provider or "",
                pg_id=payment.pg_id or "",
                started_at=self._clock.now(),
                pg_tid=payment.pg_tid,
            )
            attempt_id = await uow.attempts.add(attempt)
        request = pg.CancelRequest(
            pg_tid=payment.pg_tid or "",
            pay_method=payment.pay_method or "card",
            amount=None if amount == remaining else amount,
            remaining_before=remaining,
            reason=order.reason or "",
            refund=order.refund,
            # A paid virtual account holds the buyer's deposit: it is refunded to an account.
            deposited=payment.pay_method == "vbank",
        )
        return payment, attempt_id, request

    async def record(
        self,
        payment: Payment,
        attempt_id: int,
        result: pg.Cancelled,
        reason: str | None,
        requested: bool | None = None,
        *,
        also: Callable[[UnitOfWork], Awaitable[object]] | None = None,
    ) -> Payment:
        """Apply a cancel the PG accepted: the cancellation appended, the status updated and the
        attempt settled in one transaction (with ``also``'s writes or checks first)."""
        now = self._clock.now()
        cancellation = Cancellation(
            cancellation_id=result.cancellation_id,
            amount=result.cancelled_amount,
            cancelled_at=result.cancelled_at or now,
            pg_tid=result.pg_tid,
            reason=reason,
        )
        remaining = payment.amount - payment.cancelled_amount - cancellation.amount
        if remaining != result.remaining:
            log.warning(
                "payment.cancel_balance_differs", imp_uid=payment.imp_uid, ours=remaining, pg=result.remaining
            )
        updated = replace(
            payment,
            status=PaymentStatus.CANCELLED if remaining <= 0 else payment.status,
            cancelled_at=cancellation.cancelled_at,
            cancel_reason=reason,
            updated_at=now,
        )
        async with self._uow() as uow:
            if also is not None:
                await also(uow)
            await store_change(
                uow,
                payment,
                updated,
                now=now,
                cancellation_id=cancellation.cancellation_id,
                requested=requested,
            )
            await uow.payments.add_cancellation(payment.imp_uid, cancellation)
            await uow.attempts.settle(
                attempt_id, AttemptResult(AttemptState.SUCCEEDED, now, pg_tid=result.pg_tid)
            )
            stored = await uow.payments.get(payment.merchant_id, payment.imp_uid)
        log.info(
            "payment.cancelled", imp_uid=payment.imp_uid, amount=cancellation.amount, remaining=remaining
        )
        return stored or updated


def _refuse_unless_cancellable(payment: Payment, remaining: Won) -> None:
    if payment.status is PaymentStatus.PAID and payment.amount == 0:
        # A billing-key window's payment (decision 0008): KCP charged nothing, so there is
        # nothing to cancel; the key itself is removed with DELETE /subscribe/customers/{uid}.
        raise CancelRefused(
            "0원 결제건(빌링키 발급)은 취소할 금액이 없습니다. "
            "빌링키 삭제는 DELETE /subscribe/customers/{customer_uid}로 합니다."
        )
    if payment.status is PaymentStatus.CANCELLED or (payment.status is PaymentStatus.PAID and remaining <= 0):
        raise CancelRefused(ALREADY_CANCELLED)
    if payment.status is not PaymentStatus.PAID:
        hint = (
            " 미입금 가상계좌는 DELETE /vbanks/{imp_uid}로 발급을 취소합니다."
            if payment.pay_method == "vbank"
            else ""
        )
        raise CancelRefused(
            f"결제완료(paid) 상태의 결제건만 취소할 수 있습니다. (status {payment.status.value}){hint}"
        )
