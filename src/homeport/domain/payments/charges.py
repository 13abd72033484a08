"""Server-side card charges: a stored billing key (``again``) or a typed-in card (``onetime``).

The order of events is the money-safety argument (DESIGN invariants):

1. the order is validated and checked against a pre-registered amount (§4.2);
2. one transaction stores the payment (``ready``) and a pending attempt; the partial unique
   index on (merchant, merchant_uid) lets exactly one of any number of concurrent requests
   through, in one process or many, and the others get DuplicatePayment;
3. the PG is called;
4. one transaction applies the answer: ``paid``, or ``failed`` with the PG's reason, and
   settles the attempt. A lost answer (PgOutcomeUnknown) leaves the payment ``ready`` with
   an ``unknown`` attempt: in doubt, for reconciliation, never failed blindly; a request
   that provably never reached the PG (PgUnavailable) fails the payment so the merchant can
   retry the same merchant_uid.

If KCP approves an amount other than the one asked, the approval is cancelled at once
(``void``) and the payment fails: homeport never keeps money it did not agree to take.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import structlog

from homeport.clock import Clock
from homeport.domain.billing_keys.models import BillingKey, CustomerInfo
from homeport.domain.billing_keys.service import BillingKeyService
from homeport.domain.cards import mask_card_number
from homeport.domain.channels import PgChannels
from homeport.domain.errors import (
    AmountMismatch,
    BillingNotConfigured,
    InvalidAmount,
    InvalidRequest,
    PgError,
    PgOutcomeUnknown,
    PgRefused,
    PgUnavailable,
    UnregisteredCustomer,
)
from homeport.domain.ids import new_imp_uid, validate_customer_uid, validate_merchant_uid
from homeport.domain.merchants.models import PgChannel
from homeport.domain.money import INSTALLMENT_MINIMUM, Won
from homeport.domain.payments.attempts import Attempt, AttemptOperation, AttemptResult, AttemptState
from homeport.domain.payments.models import Buyer, CardDetails, Payment, PaymentChannel, PaymentStatus
from homeport.domain.uow import UnitOfWorkFactory
from homeport.pg import base as pg

log = structlog.get_logger("homeport.payments")

#: KCP settles in won only (kcp.md: ``currency`` 410 / WON).
SUPPORTED_CURRENCY = "KRW"
#: ``customer_uid_usage`` values of the Payment object (§5.2).
USAGE_ISSUE = "issue"
USAGE_PAYMENT = "payment"


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


class ChargeService:
    """``/subscribe/payments/again`` and ``/subscribe/payments/onetime``."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        channels: PgChannels,
        billing_keys: BillingKeyService,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._channels = channels
        self._billing_keys = billing_keys

    async def again(self, merchant_id: int, customer_uid: str, order: ChargeOrder) -> Payment:
        """Charge the billing key of ``customer_uid``; the payment is ``paid`` or ``failed``."""
        order.validate()
        validate_customer_uid(customer_uid)
        async with self._uow(readonly=True) as uow:
            key = await uow.billing_keys.get(merchant_id, customer_uid)
        if key is None:
            raise UnregisteredCustomer
        channel = await self._key_channel(merchant_id, key)
        await self._check_prepared(merchant_id, order)
        payment = self._new_payment(
            merchant_id, order, channel, customer_uid=customer_uid, usage=USAGE_PAYMENT
        )
        payment = replace(payment, buyer=with_customer(order.buyer, key.customer))
        attempt_id = await self._open(payment)
        charge = _charge(order, payment.buyer, billing_key=key.billing_key, group_id=key.group_id)
        return await self._charge(payment, attempt_id, channel, charge, masked_number=key.card_number)

    async def onetime(
        self,
        merchant_id: int,
        order: ChargeOrder,
        card: pg.CardInput,
        *,
        customer_uid: str | None = None,
        customer: CustomerInfo | None = None,
    ) -> Payment:
        """Charge a typed-in card; with ``customer_uid`` the card is kept as a billing key first.

        A decline is stored as a failed payment and returned (the API reports it as the
        contract does); a billing-key refusal fails the payment the same way.
        """
        order.validate()
        if customer_uid is not None:
            validate_customer_uid(customer_uid)
        channel = await self._channels.channel_for(merchant_id, billing=True)
        await self._check_prepared(merchant_id, order)
        usage = USAGE_ISSUE if customer_uid else None
        payment = self._new_payment(merchant_id, order, channel, customer_uid=customer_uid, usage=usage)
        attempt_id = await self._open(payment)
        if customer_uid is None:
            charge = _charge(order, payment.buyer, card=card)
            return await self._charge(
                payment, attempt_id, channel, charge, masked_number=mask_card_number(card.number)
            )
        try:
            key = await self._billing_keys.issue(merchant_id, customer_uid, card, customer or CustomerInfo())
        except (PgRefused, PgError) as exc:
            # Nothing was charged: issuing a key moves no money, whatever its outcome.
            state = AttemptState.DECLINED if isinstance(exc, PgRefused) else AttemptState.UNAVAILABLE
            return await self._fail(payment, attempt_id, exc.message, AttemptResult(state, self._clock.now()))
        charge = _charge(order, payment.buyer, billing_key=key.billing_key, group_id=key.group_id)
        return await self._charge(payment, attempt_id, channel, charge, masked_number=key.card_number)

    # --- steps -----------------------------------------------------------------------------

    async def _key_channel(self, merchant_id: int, key: BillingKey) -> PgChannel:
        channel = await self._channels.channel_by_site(merchant_id, key.pg_provider, key.pg_id)
        if channel is None:
            # The key was issued on a channel the merchant no longer has: it cannot be charged.
            raise BillingNotConfigured
        return channel

    async def _check_prepared(self, merchant_id: int, order: ChargeOrder) -> None:
        async with self._uow(readonly=True) as uow:
            prepared = await uow.prepares.get(merchant_id, order.merchant_uid)
        refusal = prepared.refuses(order.amount, order.currency) if prepared else None
        if refusal:
            raise AmountMismatch(refusal)

    def _new_payment(
        self,
        merchant_id: int,
        order: ChargeOrder,
        channel: PgChannel,
        *,
        customer_uid: str | None,
        usage: str | None,
    ) -> Payment:
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
            pay_method="card",
            channel=PaymentChannel.API,
            pg_provider=channel.pg_provider,
            pg_id=channel.site_code,
            sandbox=channel.sandbox,
            buyer=order.buyer,
            custom_data=order.custom_data,
            notice_url=order.notice_url,
            tax_free=order.tax_free,
            customer_uid=customer_uid,
            customer_uid_usage=usage,
        )

    async def _open(self, payment: Payment) -> int:
        """Store the payment and its pending attempt together, before the PG hears of it."""
        attempt = Attempt(
            imp_uid=payment.imp_uid,
            merchant_id=payment.merchant_id,
            operation=AttemptOperation.CHARGE,
            amount=payment.amount,
            pg_provider=payment.pg_provider or "",
            pg_id=payment.pg_id or "",
            started_at=payment.started_at,
        )
        async with self._uow() as uow:
            await uow.payments.add(payment)  # DuplicatePayment for a live merchant_uid
            return await uow.attempts.add(attempt)

    async def _charge(
        self,
        payment: Payment,
        attempt_id: int,
        channel: PgChannel,
        charge: pg.Charge,
        *,
        masked_number: str | None,
    ) -> Payment:
        connector = self._channels.connector(channel)
        try:
            result = await connector.charge(charge)
        except PgUnavailable as exc:
            await self._fail(
                payment, attempt_id, exc.message, AttemptResult(AttemptState.UNAVAILABLE, self._clock.now())
            )
            raise
        except PgOutcomeUnknown:
            await self._settle(attempt_id, AttemptResult(AttemptState.UNKNOWN, self._clock.now()))
            log.warning("payment.in_doubt", imp_uid=payment.imp_uid, merchant_id=payment.merchant_id)
            raise
        now = self._clock.now()
        if isinstance(result, pg.Declined):
            settled = AttemptResult(
                AttemptState.DECLINED, now, pg_code=result.pg_code, pg_message=result.pg_message
            )
            return await self._fail(payment, attempt_id, fail_reason(result), settled)
        if result.amount != payment.amount:
            return await self._void(payment, attempt_id, connector, result)
        card = result.card or CardDetails()
        paid = replace(
            payment,
            status=PaymentStatus.PAID,
            pg_tid=result.pg_tid,
            approval_number=result.approval_number,
            card=replace(
                card,
                masked_number=card.masked_number or masked_number,
                installment_months=charge.installment_months,
            ),
            emb_pg_provider=result.emb_pg_provider,
            receipt_url=result.receipt_url,
            paid_at=result.approved_at or now,
            updated_at=now,
        )
        return await self._apply(
            paid, attempt_id, AttemptResult(AttemptState.SUCCEEDED, now, pg_tid=result.pg_tid)
        )

    async def _void(
        self, payment: Payment, attempt_id: int, connector: pg.PgConnector, approved: pg.Approved
    ) -> Payment:
        """Cancel an approval of another amount than asked (kcp.md: approve with ordr_mony)."""
        now = self._clock.now()
        log.error(
            "payment.amount_differs", imp_uid=payment.imp_uid, asked=payment.amount, approved=approved.amount
        )
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
        async with self._uow() as uow:
            await uow.attempts.settle(
                attempt_id, AttemptResult(AttemptState.SUCCEEDED, now, pg_tid=approved.pg_tid)
            )
            void_id = await uow.attempts.add(void)
        reason = (
            f"PG가 요청금액({payment.amount}원)과 다른 금액({approved.amount}원)을 승인하여 "
            "승인을 취소하였습니다."
        )
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
            await self._settle(void_id, AttemptResult(AttemptState.UNKNOWN, self._clock.now()))
            log.error("payment.void_failed", imp_uid=payment.imp_uid, pg_tid=approved.pg_tid)
            raise PgOutcomeUnknown(
                "PG가 다른 금액을 승인했고 승인 취소를 확인하지 못했습니다. 결제 상태를 확인 중입니다. "
                "(approved amount differs and the void is unconfirmed)"
            )
        failed = replace(payment, pg_tid=approved.pg_tid)
        settled = AttemptResult(AttemptState.SUCCEEDED, self._clock.now(), pg_tid=cancelled.pg_tid)
        return await self._fail(failed, void_id, reason, settled)

    async def _fail(self, payment: Payment, attempt_id: int, reason: str, settled: AttemptResult) -> Payment:
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
        return await self._apply(failed, attempt_id, settled)

    async def _apply(self, payment: Payment, attempt_id: int, settled: AttemptResult) -> Payment:
        """Store the outcome and settle the attempt in one transaction."""
        async with self._uow() as uow:
            if not await uow.payments.replace(payment, expected=PaymentStatus.READY):
                # Only reconciliation may move a payment in flight; its word stands.
                log.error("payment.changed_in_flight", imp_uid=payment.imp_uid)
            await uow.attempts.settle(attempt_id, settled)
            stored = await uow.payments.get(payment.merchant_id, payment.imp_uid)
        return stored or payment

    async def _settle(self, attempt_id: int, settled: AttemptResult) -> None:
        async with self._uow() as uow:
            await uow.attempts.settle(attempt_id, settled)


def with_customer(buyer: Buyer, customer: CustomerInfo) -> Buyer:
    """Missing buyer fields fall back to the billing key's customer fields (§4.4)."""
    return Buyer(
        name=buyer.name or customer.name,
        email=buyer.email or customer.email,
        tel=buyer.tel or customer.tel,
        addr=buyer.addr or customer.addr,
        postcode=buyer.postcode or customer.postcode,
    )


def _charge(
    order: ChargeOrder,
    buyer: Buyer,
    *,
    billing_key: str | None = None,
    group_id: str | None = None,
    card: pg.CardInput | None = None,
) -> pg.Charge:
    # KCP's ordr_idxx is the merchant_uid, as merchants search for it in KCP's admin; it is
    # unique among live payments, so reconciliation can find an in-doubt approval by it.
    return pg.Charge(
        order_id=order.merchant_uid,
        amount=order.amount,
        name=order.name or order.merchant_uid,
        buyer=pg.Buyer(name=buyer.name, email=buyer.email, tel=buyer.tel),
        installment_months=order.installments,
        billing_key=billing_key,
        billing_group_id=group_id,
        card=card,
        customer_ip=order.customer_ip,
    )
