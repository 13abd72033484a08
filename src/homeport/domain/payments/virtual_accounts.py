"""Virtual accounts issued by API, without a window: ``POST``/``PUT``/``DELETE /vbanks`` (§4.6).

Issuing follows the steps of every payment started by API (:mod:`.orders`): the payment is
stored ``ready`` (``pay_method`` vbank) with a pending ``vbank_issue`` attempt before the PG
is asked. An issued account stays ``ready``, awaiting the buyer's deposit (DESIGN flow 5); a
decline fails the payment. No money moves at issue, but a lost answer may still have opened
an account at KCP that the buyer can pay into, so it is left in doubt like a charge.

Revoking (``DELETE``) closes an account nobody paid into: the PG's full cancel of an
undeposited account. The payment becomes ``cancelled`` with no cancellation entry, because
nothing was paid (``cancel_amount`` 0, empty ``cancel_history``; the contract is silent,
decision 0004). A paid account is refunded with ``POST /payments/cancel`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NoReturn

import structlog

from homeport.clock import Clock
from homeport.domain.billing_keys.service import pg_refused
from homeport.domain.channels import PgChannels, payment_channel
from homeport.domain.errors import InvalidRequest, NotFound, PaymentNotFound
from homeport.domain.errors import VirtualAccountRefused as Refused
from homeport.domain.payments.accounts import closed
from homeport.domain.payments.attempts import AttemptOperation, AttemptResult, AttemptState, attempt_on
from homeport.domain.payments.models import Payment, PaymentStatus, VirtualAccount
from homeport.domain.payments.orders import ChargeOrder, PaymentSteps, fail_reason
from homeport.domain.uow import UnitOfWorkFactory
from homeport.pg import base as pg

log = structlog.get_logger("homeport.payments")

#: ``cancel_reason`` of a revoked account when the merchant gives none.
REVOKE_REASON = "가상계좌 발급 취소"
#: The contract's test expects a refused issue to mention a missing contract (§4.6, NIMP).
ISSUE_FAILED = "가상계좌 발급에 실패하였습니다."
NO_CONTRACT = "해당 은행의 가상계좌 발급 계약이 필요합니다."
#: PG reasons (``Declined.reason``) meaning "this bank issues no virtual accounts here".
_NO_CONTRACT_REASONS = frozenset({"vbank_bank_unavailable"})
#: Longest ``vbank_holder`` the contract allows (§4.6).
HOLDER_LIMIT = 16


@dataclass(frozen=True)
class VirtualAccountOrder:
    """``POST /vbanks``: the order plus the bank (KFTC 3-digit code) and the deposit deadline."""

    order: ChargeOrder
    bank_code: str
    due_at: int
    holder: str | None = None

    def validate(self, now: int) -> None:
        """Refuse what cannot be an account, before anything is stored."""
        self.order.validate()
        check_bank_code("vbank_code", self.bank_code)
        if self.due_at <= now:
            raise InvalidRequest(
                f"vbank_due({self.due_at})는 현재 시각({now}) 이후의 UNIX timestamp(초)여야 합니다."
            )
        if self.holder is not None and len(self.holder) > HOLDER_LIMIT:
            raise InvalidRequest(f"vbank_holder는 {HOLDER_LIMIT}자 이하여야 합니다.")


def check_bank_code(field: str, code: str) -> None:
    """A KFTC bank code is 3 digits (``004`` 국민은행)."""
    if len(code) != 3 or not code.isdigit():
        raise InvalidRequest(f"{field}는 3자리 은행코드여야 합니다. (예: 004 국민은행, 받은 값 {code!r})")


class VirtualAccountService:
    """Issues and revokes virtual accounts on the merchant's default (authenticated) channel."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, channels: PgChannels) -> None:
        self._steps = PaymentSteps(uow, clock)
        self._uow = uow
        self._clock = clock
        self._channels = channels

    async def issue(self, merchant_id: int, request: VirtualAccountOrder) -> Payment:
        """Issue an account; the payment is ``ready`` with its account, or ``failed``.

        A failed payment is returned (stored, findable by merchant_uid); the API reports it.
        """
        request.validate(self._clock.now())
        order = request.order
        # A virtual account is a payment of the merchant's ordinary contract, not the billing one.
        channel = await self._channels.channel_for(merchant_id, billing=False)
        await self._steps.check_prepared(merchant_id, order)
        payment = self._steps.new_payment(merchant_id, order, channel, pay_method="vbank")
        attempt_id = await self._steps.open(payment, AttemptOperation.VBANK_ISSUE)
        ask = pg.VirtualAccountRequest(
            order_id=order.merchant_uid,
            amount=order.amount,
            name=order.name or order.merchant_uid,
            bank_code=request.bank_code,
            due_at=request.due_at,
            holder=request.holder,
            buyer=pg.Buyer(name=order.buyer.name, email=order.buyer.email, tel=order.buyer.tel),
            tax_free=order.tax_free,
        )
        connector = self._channels.connector(channel)
        result = await self._steps.ask(
            connector.issue_virtual_account(ask), payment, attempt_id, fail_if_unavailable=True
        )
        now = self._clock.now()
        if isinstance(result, pg.Declined):
            return await self._steps.fail(
                payment, attempt_id, _issue_failure(result), self._steps.declined(result)
            )
        account = result.virtual_account or VirtualAccount()
        issued = replace(
            payment,
            pg_tid=result.pg_tid,
            emb_pg_provider=result.emb_pg_provider,
            receipt_url=result.receipt_url,
            # KCP names the account itself (its holder wins over vbank_holder); the PG does not
            # stamp the issue time, so homeport's clock does.
            virtual_account=replace(
                account,
                bank_code=account.bank_code or request.bank_code,
                due_at=account.due_at or request.due_at,
                issued_at=account.issued_at or result.approved_at or now,
            ),
            updated_at=now,
        )
        succeeded = AttemptResult(AttemptState.SUCCEEDED, now, pg_tid=result.pg_tid)
        log.info("payment.vbank_issued", imp_uid=payment.imp_uid, merchant_id=merchant_id)
        return await self._steps.apply(issued, attempt_id, succeeded)

    async def refuse_change(self, merchant_id: int, imp_uid: str) -> NoReturn:
        """``PUT /vbanks``: KCP has no operation to change an issued account's amount or due date
        (the contract: only the ``settle`` PG supports it, §4.6). Always refuses, after the same
        checks as a revoke so the merchant learns what is wrong with the payment first."""
        payment = await self._get(merchant_id, imp_uid)
        _require_unpaid_account(payment)
        raise Refused(
            "KCP는 발급된 가상계좌의 금액이나 입금기한을 변경할 수 없습니다. "
            "DELETE /vbanks/{imp_uid}로 발급을 취소한 뒤 POST /vbanks로 새 가상계좌를 발급해주세요. "
            "(KCP cannot change an issued virtual account)"
        )

    def refuse_holder_lookup(self, bank_code: str, bank_num: str) -> NoReturn:
        """``GET /vbanks/holder``: KCP offers no account-holder inquiry (kcp.md has none), so
        every lookup fails. The contract answers a failed lookup with 404 and a missing or
        malformed parameter with 400 (§4.6), so clients that call it (NODE, NODEL, PHP, JAVA)
        get the envelope they already handle rather than a 405 for an unknown method."""
        check_bank_code("bank_code", bank_code)
        if not bank_num:
            raise InvalidRequest("bank_num 파라메터가 누락되었습니다. (계좌번호)")
        raise NotFound(
            "예금주 조회에 실패하였습니다. KCP는 계좌 예금주 조회를 제공하지 않습니다. "
            "(KCP has no account holder inquiry)"
        )

    async def revoke(self, merchant_id: int, imp_uid: str, reason: str | None = None) -> Payment:
        """Close an account nobody paid into; the payment ends ``cancelled``."""
        payment, attempt_id = await self._open_revoke(merchant_id, imp_uid)
        channel = await payment_channel(self._channels, payment)
        if channel is None:
            await self._steps.settle(attempt_id, AttemptResult(AttemptState.UNAVAILABLE, self._clock.now()))
            raise Refused(
                f"가상계좌를 발급한 PG 채널({payment.pg_provider}.{payment.pg_id})을 찾을 수 없어 "
                "발급을 취소할 수 없습니다."
            )
        request = pg.CancelRequest(
            pg_tid=payment.pg_tid or "",
            pay_method="vbank",
            amount=None,
            remaining_before=payment.amount,
            reason=reason or REVOKE_REASON,
            deposited=False,  # an unpaid account is closed, not refunded (pg.base.CancelRequest)
        )
        result = await self._steps.ask(self._channels.connector(channel).cancel(request), payment, attempt_id)
        now = self._clock.now()
        if isinstance(result, pg.Declined):
            await self._steps.settle(attempt_id, self._steps.declined(result))
            raise pg_refused("가상계좌 발급취소에 실패하였습니다.", result)
        log.info("payment.vbank_revoked", imp_uid=imp_uid, merchant_id=merchant_id)
        # DELETE /vbanks is the merchant's API: like an API cancel, not sent by default (§6).
        return await self._steps.apply(
            closed(payment, reason or REVOKE_REASON, at=result.cancelled_at or now, now=now),
            attempt_id,
            AttemptResult(AttemptState.SUCCEEDED, now, pg_tid=result.pg_tid),
            requested=False,
        )

    async def _get(self, merchant_id: int, imp_uid: str) -> Payment:
        async with self._uow(readonly=True) as uow:
            payment = await uow.payments.get(merchant_id, imp_uid)
        if payment is None:
            raise PaymentNotFound
        return payment

    async def _open_revoke(self, merchant_id: int, imp_uid: str) -> tuple[Payment, int]:
        """Check the account under the payment's lock and store the pending attempt with it.

        A revoke in flight (pending or unknown) blocks another: the account's state at the PG
        is not known until it settles.
        """
        async with self._uow() as uow:
            payment = await uow.payments.lock(merchant_id, imp_uid)
            if payment is None:
                raise PaymentNotFound
            _require_unpaid_account(payment)
            if await uow.attempts.unsettled(imp_uid, AttemptOperation.VBANK_REVOKE):
                raise Refused(
                    "이 가상계좌에 처리 중이거나 결과를 확인 중인 발급취소 요청이 있습니다. "
                    "잠시 후 결제 정보를 조회해주세요. (another revoke is in flight)"
                )
            attempt_id = await uow.attempts.add(
                attempt_on(
                    payment,
                    AttemptOperation.VBANK_REVOKE,
                    amount=payment.amount,
                    started_at=self._clock.now(),
                )
            )
        return payment, attempt_id


def _require_unpaid_account(payment: Payment) -> None:
    """§4.6: 400 for "not vbank" and "not ready" (paid, cancelled or failed)."""
    if payment.pay_method != "vbank":
        raise Refused(f"가상계좌 결제건이 아닙니다. (pay_method {payment.pay_method})")
    if payment.status is not PaymentStatus.READY or not payment.pg_tid:
        paid = payment.status is PaymentStatus.PAID
        hint = " 입금된 가상계좌는 POST /payments/cancel로 환불합니다." if paid else ""
        raise Refused(
            f"입금대기(ready) 상태의 가상계좌만 변경하거나 발급취소할 수 있습니다. "
            f"(status {payment.status.value}){hint}"
        )


def _issue_failure(declined: pg.Declined) -> str:
    """The failed payment's reason; a bank without a contract says so as the contract's clients
    expect (``계약이 필요합니다.``, NIMP test/vbank.test.js)."""
    reason = fail_reason(declined)
    if declined.reason in _NO_CONTRACT_REASONS:
        return f"{NO_CONTRACT} ({reason})"
    return reason
