"""Reconciliation: settling PG attempts in doubt by asking the PG (DESIGN invariant: "a timeout
after sending means outcome unknown: resolved by KCP inquiry or net-cancel, never by charging
again"; decision 0013).

An attempt is in doubt when it is ``unknown`` (its answer was lost) or ``pending`` for longer
than ``reconcile_after`` (the process that wrote it died before storing the answer). The PG is
asked with :meth:`PgConnector.inquire`, which for KCP needs the transaction number (``tno``,
kcp.md §5: signed ``site_cd^tno^pay_type``); KCP publishes no inquiry by order number. So:

- an attempt with a PG tid is resolved here, one small rule per operation (below);
- a charge whose answer was lost has no tid: it stays in doubt, is logged at warning on every
  pass, and an operator settles it (``homeport reconcile settle``) with the tno found in KCP's
  admin by order number (``ordr_idxx`` is the merchant_uid), or by confirming KCP approved
  nothing;
- billing-key issuance and escrow registration attempts move no money and KCP's inquiry says
  nothing about them: they are never picked up (:data:`RESOLVABLE`).

Every write goes through the paths the original flows use (:class:`PaymentSteps`,
:meth:`CancelService.record`, :func:`.accounts.closed`), guarded so that of two
workers resolving the same attempt only the first writes (:func:`_still_in_doubt`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, replace

import structlog

from homeport.clock import Clock
from homeport.domain.channels import PgChannels, payment_channel
from homeport.domain.errors import InvalidRequest, PaymentNotFound, PgError
from homeport.domain.payments.accounts import closed
from homeport.domain.payments.attempts import Attempt, AttemptOperation, AttemptResult, AttemptState
from homeport.domain.payments.cancels import CancelService
from homeport.domain.payments.models import Payment, PaymentStatus
from homeport.domain.payments.orders import PaymentSteps, fail_reason
from homeport.domain.payments.virtual_accounts import REVOKE_REASON
from homeport.domain.uow import UnitOfWork, UnitOfWorkFactory
from homeport.pg import base as pg

log = structlog.get_logger("homeport.reconcile")

#: Operations whose outcome KCP's inquiry tells (the others move no money).
RESOLVABLE = (
    AttemptOperation.CHARGE,
    AttemptOperation.VBANK_ISSUE,
    AttemptOperation.CANCEL,
    AttemptOperation.VOID,
    AttemptOperation.VBANK_REVOKE,
)
#: Operations that create a transaction at the PG (the ones an operator can settle by tno).
_OPENING = (AttemptOperation.CHARGE, AttemptOperation.VBANK_ISSUE)

NOT_APPROVED_AT_PG = "PG 거래조회 결과 승인되지 않은 거래입니다."
CANCELLED_AT_PG = "PG에서 취소된 거래입니다. (거래조회로 확인)"
OPERATOR_NOT_APPROVED = "운영자가 PG에 승인된 거래가 없음을 확인하여 실패 처리하였습니다."
VOIDED_AT_PG = "PG 승인을 취소하였습니다. (거래조회로 확인)"
REVOID_REASON = "승인취소 재요청 (거래조회 결과 승인 상태)"
#: The merchant's cancel reason is not stored on the attempt, so a reconciled cancel says so.
RECONCILED_CANCEL_REASON = "취소 (PG 거래조회로 확인)"


class _AlreadySettled(Exception):
    """Another worker settled the attempt first; this one writes nothing."""


@dataclass(frozen=True)
class InDoubt:
    """An attempt in doubt and its payment, as an operator sees them."""

    attempt: Attempt
    payment: Payment

    @property
    def resolvable(self) -> bool:
        """Whether reconciliation can ask the PG about it (it has a PG tid)."""
        return bool(self.attempt.pg_tid)


def _still_in_doubt(attempt: Attempt) -> Callable[[UnitOfWork], Awaitable[object]]:
    """A check run first in the resolving transaction, under the payment's lock."""

    async def check(uow: UnitOfWork) -> None:
        await uow.payments.lock(attempt.merchant_id, attempt.imp_uid)
        if all(a.id != attempt.id for a in await uow.attempts.unsettled(attempt.imp_uid)):
            raise _AlreadySettled

    return check


class ReconcileService:
    """Finds attempts in doubt and settles them with what the PG says."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, channels: PgChannels, *, reconcile_after: int
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._channels = channels
        self._steps = PaymentSteps(uow, clock)
        self._cancels = CancelService(uow, clock, channels)
        self._after = reconcile_after

    # --- the worker's pass -------------------------------------------------------------------

    async def run(self, limit: int) -> int:
        """One pass: resolve up to ``limit`` attempts that have a PG tid; warn about the ones
        without. Returns how many were settled."""
        for left in await self.in_doubt(limit, resolvable=False):
            log.warning(
                "reconcile.needs_operator",
                imp_uid=left.attempt.imp_uid,
                merchant_id=left.attempt.merchant_id,
                merchant_uid=left.payment.merchant_uid,
                operation=left.attempt.operation.value,
                hint="find the tno in KCP's admin by order number, then: homeport reconcile settle",
            )
        settled = 0
        for item in await self.in_doubt(limit, resolvable=True):
            if await self._resolve(item):
                settled += 1
        return settled

    async def in_doubt(self, limit: int, *, resolvable: bool | None = None) -> list[InDoubt]:
        """Attempts in doubt with their payments, oldest first (both kinds when None)."""
        stale_before = self._clock.now() - self._after
        kinds = [True, False] if resolvable is None else [resolvable]
        async with self._uow(readonly=True) as uow:
            found: list[InDoubt] = []
            for with_tid in kinds:
                attempts = await uow.attempts.in_doubt(
                    stale_before=stale_before, operations=RESOLVABLE, with_pg_tid=with_tid, limit=limit
                )
                for attempt in attempts:
                    payment = await uow.payments.get(attempt.merchant_id, attempt.imp_uid)
                    if payment is not None:
                        found.append(InDoubt(attempt, payment))
        return sorted(found, key=lambda i: (i.attempt.started_at, i.attempt.id or 0))[:limit]

    # --- the operator's tools ------------------------------------------------------------------

    async def settle_with_pg_tid(self, imp_uid: str, pg_tid: str) -> Payment:
        """Record the tno an operator found for an in-doubt charge, then resolve it by inquiry.

        The PG's order number must be the payment's merchant_uid (homeport sends it as
        ``ordr_idxx``), so a mistyped tno of another order is refused before anything is written.
        """
        item = await self._operator_target(imp_uid)
        connector = await self._connector(item)
        if connector is None:
            raise InvalidRequest(
                f"결제건의 PG 채널({item.attempt.pg_provider}.{item.attempt.pg_id})이 없습니다."
            )
        found = await connector.inquire(pg_tid, item.payment.pay_method or "card")
        if isinstance(found, pg.Declined):
            # A tno KCP does not know is more likely mistyped than proof that nothing was approved
            # (that is what --not-approved is for): nothing is written.
            raise InvalidRequest(f"PG 거래조회에 실패하였습니다: tno {pg_tid} ({fail_reason(found)})")
        if found.order_id and found.order_id != item.payment.merchant_uid:
            raise InvalidRequest(
                f"tno {pg_tid}의 주문번호({found.order_id})가 결제건의 merchant_uid"
                f"({item.payment.merchant_uid})와 다릅니다."
            )
        assert item.attempt.id is not None
        async with self._uow() as uow:
            await uow.attempts.record_pg_tid(item.attempt.id, pg_tid)
        attempt = replace(item.attempt, pg_tid=pg_tid)
        await self._apply(attempt, item.payment, found, connector)
        return await self._payment(item.payment)

    async def settle_not_approved(self, imp_uid: str) -> Payment:
        """The operator confirmed in KCP's admin that nothing was approved: the payment fails
        and its attempt is declined."""
        item = await self._operator_target(imp_uid)
        assert item.attempt.id is not None
        settled = AttemptResult(
            AttemptState.DECLINED, self._clock.now(), pg_message="operator: nothing approved at the PG"
        )
        log.warning("reconcile.operator_not_approved", imp_uid=imp_uid)
        return await self._steps.fail(
            item.payment, item.attempt.id, OPERATOR_NOT_APPROVED, settled, also=_still_in_doubt(item.attempt)
        )

    async def _operator_target(self, imp_uid: str) -> InDoubt:
        """The in-doubt charge (or vbank issue) of a ``ready`` payment, found by imp_uid alone."""
        async with self._uow(readonly=True) as uow:
            unsettled = await uow.attempts.unsettled(imp_uid)
            payment = None
            if unsettled:
                payment = await uow.payments.get(unsettled[0].merchant_id, imp_uid)
        stale_before = self._clock.now() - self._after
        candidates = [
            a
            for a in unsettled
            if a.operation in _OPENING and (a.state is AttemptState.UNKNOWN or a.started_at < stale_before)
        ]
        if payment is None or not candidates:
            raise PaymentNotFound(
                f"{imp_uid}: 결과를 확인 중인(in doubt) 승인 요청이 없습니다. "
                "(no charge in doubt; a pending one is in doubt only after HOMEPORT_RECONCILE_AFTER)"
            )
        if payment.status is not PaymentStatus.READY:
            raise InvalidRequest(
                f"{imp_uid}: 결제대기(ready) 상태가 아닙니다. (status {payment.status.value})"
            )
        return InDoubt(candidates[0], payment)

    # --- the rules -----------------------------------------------------------------------------

    async def _resolve(self, item: InDoubt) -> bool:
        """Ask the PG about one attempt and apply its answer; False when it stays in doubt."""
        connector = await self._connector(item)
        if connector is None:
            log.warning("reconcile.channel_missing", imp_uid=item.attempt.imp_uid, pg_id=item.attempt.pg_id)
            return False
        try:
            found = await connector.inquire(item.attempt.pg_tid or "", item.payment.pay_method or "card")
        except PgError as exc:
            log.warning("reconcile.inquiry_failed", imp_uid=item.attempt.imp_uid, error=exc.message)
            return False
        if isinstance(found, pg.Declined) and not found.pg_code:
            # homeport refused to ask (e.g. a pay_method KCP's inquiry has no pay_type for).
            log.warning("reconcile.cannot_inquire", imp_uid=item.attempt.imp_uid, reason=found.reason)
            return False
        return await self._apply(item.attempt, item.payment, found, connector)

    async def _apply(
        self, attempt: Attempt, payment: Payment, found: pg.Inquiry | pg.Declined, connector: pg.PgConnector
    ) -> bool:
        rules = {
            AttemptOperation.CHARGE: self._opening,
            AttemptOperation.VBANK_ISSUE: self._opening,
            AttemptOperation.CANCEL: self._cancel,
            AttemptOperation.VOID: self._void,
            AttemptOperation.VBANK_REVOKE: self._revoke,
        }
        log.info(
            "reconcile.inquiry",
            imp_uid=attempt.imp_uid,
            operation=attempt.operation.value,
            pg_status=found.status.value if isinstance(found, pg.Inquiry) else f"declined {found.pg_code}",
        )
        if isinstance(found, pg.Declined) and attempt.operation not in _OPENING:
            # The PG does not know a transaction homeport holds as approved: for a person.
            log.error("reconcile.unknown_at_pg", imp_uid=attempt.imp_uid, pg_code=found.pg_code)
            return False
        try:
            return await rules[attempt.operation](attempt, payment, found, connector)
        except _AlreadySettled:
            return False

    async def _opening(
        self, attempt: Attempt, payment: Payment, found: pg.Inquiry | pg.Declined, connector: pg.PgConnector
    ) -> bool:
        """A charge or vbank issue: approved for our amount -> accepted; anything else -> failed."""
        attempt_id = attempt.id or 0
        guard = _still_in_doubt(attempt)
        now = self._clock.now()
        if payment.status is not PaymentStatus.READY:
            # Something else already decided the payment; KCP's word is on the attempt and the log.
            log.error(
                "reconcile.payment_already_settled", imp_uid=payment.imp_uid, status=payment.status.value
            )
            await self._steps.settle(attempt_id, _as_result(found, now))
            return True
        if isinstance(found, pg.Declined):  # KCP knows no such approval
            reason = f"{NOT_APPROVED_AT_PG} ({fail_reason(found)})"
            await self._steps.fail(payment, attempt_id, reason, self._steps.declined(found), also=guard)
            return True
        if found.status is pg.PgStatus.CANCELLED:
            settled = AttemptResult(
                AttemptState.SUCCEEDED, now, pg_tid=found.pg_tid, pg_message="cancelled at the PG"
            )
            await self._steps.fail(
                replace(payment, pg_tid=found.pg_tid), attempt_id, CANCELLED_AT_PG, settled, also=guard
            )
            return True
        if found.status is pg.PgStatus.PARTIALLY_CANCELLED:
            # Cancelled in part outside homeport before homeport ever took it: not guessed at.
            log.error("reconcile.partially_cancelled_charge", imp_uid=payment.imp_uid, pg_tid=found.pg_tid)
            return False
        approved = pg.Approved(
            pg_tid=found.pg_tid, amount=found.amount, approved_at=now, pay_method=payment.pay_method or "card"
        )
        if found.amount != payment.amount:
            # If the void's answer is lost, the void is in doubt and reconciled on a later pass.
            with suppress(PgError):
                await self._steps.void(payment, attempt_id, connector, approved)
            return True
        accepted = replace(payment, pg_tid=found.pg_tid, updated_at=now)
        if payment.pay_method != "vbank":
            # KCP's inquiry gives no approval time in pg.Inquiry: the time it was found stands in.
            accepted = replace(accepted, status=PaymentStatus.PAID, paid_at=now)
        # A virtual account stays ready (issued, awaiting deposit); the inquiry names no account
        # number, so the account is as the payment stored it.
        settled = AttemptResult(AttemptState.SUCCEEDED, now, pg_tid=found.pg_tid)
        await self._steps.apply(accepted, attempt_id, settled, also=guard)
        log.warning(
            "reconcile.accepted", imp_uid=payment.imp_uid, pg_tid=found.pg_tid, status=accepted.status.value
        )
        return True

    async def _cancel(
        self, attempt: Attempt, payment: Payment, found: pg.Inquiry | pg.Declined, connector: pg.PgConnector
    ) -> bool:
        """A merchant's cancel: the PG's balance tells whether it went through."""
        assert isinstance(found, pg.Inquiry)  # declines are handled in _apply
        del connector
        before = payment.amount - payment.cancelled_amount
        now = self._clock.now()
        if found.remaining == before - attempt.amount:
            result = pg.Cancelled(
                pg_tid=found.pg_tid,
                cancelled_amount=attempt.amount,
                remaining=found.remaining,
                cancelled_at=now,
                cancellation_id=f"{found.pg_tid}-reconciled-{attempt.id}",
            )
            await self._cancels.record(
                payment, attempt.id or 0, result, RECONCILED_CANCEL_REASON, also=_still_in_doubt(attempt)
            )
            return True
        if found.remaining == before:
            await self._not_done(attempt, now)
            return True
        log.error(
            "reconcile.cancel_balance_differs", imp_uid=payment.imp_uid, ours=before, pg=found.remaining
        )
        return False

    async def _void(
        self, attempt: Attempt, payment: Payment, found: pg.Inquiry | pg.Declined, connector: pg.PgConnector
    ) -> bool:
        """homeport's own cancel of an approval it would not keep: done -> the payment fails;
        not done -> asked again (the money must go back; a declined void alone would leave it)."""
        assert isinstance(found, pg.Inquiry)  # declines are handled in _apply
        now = self._clock.now()
        if found.status is pg.PgStatus.CANCELLED:
            settled = AttemptResult(AttemptState.SUCCEEDED, now, pg_tid=found.pg_tid, pg_message=VOIDED_AT_PG)
            if payment.status is PaymentStatus.READY:
                failed = replace(payment, pg_tid=found.pg_tid)
                await self._steps.fail(
                    failed, attempt.id or 0, VOIDED_AT_PG, settled, also=_still_in_doubt(attempt)
                )
            else:
                await self._steps.settle(attempt.id or 0, settled)
            return True
        await self._not_done(attempt, now)
        approved = pg.Approved(
            pg_tid=found.pg_tid,
            amount=found.remaining,
            approved_at=now,
            pay_method=payment.pay_method or "card",
        )
        with suppress(PgError):  # the new void is in doubt in its turn
            await self._steps.cancel_approval(payment, connector, approved, REVOID_REASON)
        return True

    async def _revoke(
        self, attempt: Attempt, payment: Payment, found: pg.Inquiry | pg.Declined, connector: pg.PgConnector
    ) -> bool:
        """``DELETE /vbanks``: closed at the PG -> the payment is cancelled as a revoke makes it."""
        assert isinstance(found, pg.Inquiry)  # declines are handled in _apply
        del connector
        now = self._clock.now()
        if found.status is not pg.PgStatus.CANCELLED:
            await self._not_done(attempt, now)
            return True
        settled = AttemptResult(AttemptState.SUCCEEDED, now, pg_tid=found.pg_tid)
        revoked = closed(payment, REVOKE_REASON, at=now, now=now)
        await self._steps.apply(revoked, attempt.id or 0, settled, also=_still_in_doubt(attempt))
        return True

    async def _not_done(self, attempt: Attempt, now: int) -> None:
        """The PG shows the change was not made: the attempt is declined, the payment unchanged."""
        async with self._uow() as uow:
            await _still_in_doubt(attempt)(uow)
            await uow.attempts.settle(
                attempt.id or 0,
                AttemptResult(
                    AttemptState.DECLINED, now, pg_tid=attempt.pg_tid, pg_message="not done at the PG"
                ),
            )

    # --- helpers -------------------------------------------------------------------------------

    async def _connector(self, item: InDoubt) -> pg.PgConnector | None:
        channel = await payment_channel(self._channels, item.payment)
        return self._channels.connector(channel) if channel is not None else None

    async def _payment(self, payment: Payment) -> Payment:
        async with self._uow(readonly=True) as uow:
            stored = await uow.payments.get(payment.merchant_id, payment.imp_uid)
        return stored or payment


def _as_result(found: pg.Inquiry | pg.Declined, now: int) -> AttemptResult:
    """An attempt settled with what the PG says, for a payment that is already decided."""
    if isinstance(found, pg.Declined):
        return AttemptResult(AttemptState.DECLINED, now, pg_code=found.pg_code, pg_message=found.pg_message)
    return AttemptResult(AttemptState.SUCCEEDED, now, pg_tid=found.pg_tid, pg_message=found.status.value)
