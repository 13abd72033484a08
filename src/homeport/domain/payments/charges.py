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

from dataclasses import replace

import structlog

from homeport.clock import Clock
from homeport.domain.billing_keys.models import BillingKey, CustomerInfo
from homeport.domain.billing_keys.service import BillingKeyService
from homeport.domain.cards import mask_card_number
from homeport.domain.channels import PgChannels
from homeport.domain.errors import (
    BillingNotConfigured,
    PgError,
    PgRefused,
    UnregisteredCustomer,
)
from homeport.domain.ids import validate_customer_uid
from homeport.domain.merchants.models import ChannelEnvironment, PgChannel
from homeport.domain.payments.attempts import AttemptResult, AttemptState
from homeport.domain.payments.models import Buyer, CardDetails, Payment, PaymentStatus
from homeport.domain.payments.orders import ChargeOrder, PaymentSteps, fail_reason
from homeport.domain.uow import UnitOfWorkFactory
from homeport.domain.webhooks.changes import store_change
from homeport.pg import base as pg

log = structlog.get_logger("homeport.payments")

#: ``customer_uid_usage`` values of the Payment object (§5.2).
USAGE_ISSUE = "issue"
USAGE_PAYMENT = "payment"
USAGE_SCHEDULED = "payment.scheduled"


class ChargeService:
    """``/subscribe/payments/again`` and ``/subscribe/payments/onetime``."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        channels: PgChannels,
        billing_keys: BillingKeyService,
    ) -> None:
        self._steps = PaymentSteps(uow, clock)
        self._uow = uow
        self._clock = clock
        self._channels = channels
        self._billing_keys = billing_keys

    async def again(
        self, merchant_id: int, customer_uid: str, order: ChargeOrder, *, usage: str = USAGE_PAYMENT
    ) -> Payment:
        """Charge the billing key of ``customer_uid``; the payment is ``paid`` or ``failed``."""
        order.validate()
        validate_customer_uid(customer_uid)
        async with self._uow(readonly=True) as uow:
            key = await uow.billing_keys.get(merchant_id, customer_uid)
        if key is None:
            raise UnregisteredCustomer
        channel = await self._key_channel(merchant_id, key)
        await self._steps.check_prepared(merchant_id, order)
        payment = self._steps.new_payment(merchant_id, order, channel, customer_uid=customer_uid, usage=usage)
        payment = replace(payment, buyer=with_customer(order.buyer, key.customer))
        attempt_id = await self._steps.open(payment)
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
        await self._steps.check_prepared(merchant_id, order)
        usage = USAGE_ISSUE if customer_uid else None
        payment = self._steps.new_payment(merchant_id, order, channel, customer_uid=customer_uid, usage=usage)
        attempt_id = await self._steps.open(payment)
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
            settled = AttemptResult(state, self._clock.now())
            return await self._steps.fail(payment, attempt_id, exc.message, settled)
        charge = _charge(order, payment.buyer, billing_key=key.billing_key, group_id=key.group_id)
        return await self._charge(payment, attempt_id, channel, charge, masked_number=key.card_number)

    async def refuse(
        self,
        merchant_id: int,
        customer_uid: str,
        order: ChargeOrder,
        *,
        pg_provider: str,
        pg_id: str,
        usage: str,
        reason: str,
    ) -> Payment:
        """Store a ``failed`` payment for a charge refused before any PG was asked (the
        billing key deleted, its channel gone): a scheduled charge that could not run still
        gets an imp_uid and a failed webhook, as i'mport sends for a failed schedule (§4.4).

        No attempt is written: the PG never heard of this payment (decision 0012).
        """
        # A channel gone (BillingNotConfigured) still names the payment's pg_provider/pg_id;
        # it cannot say whether it was a test one, so the payment says "real" (sandbox false).
        channel = await self._channels.channel_by_site(merchant_id, pg_provider, pg_id) or PgChannel(
            id=0,
            merchant_id=merchant_id,
            pg_provider=pg_provider,
            site_code=pg_id,
            environment=ChannelEnvironment.PRODUCTION,
            is_default=False,
        )
        ready = self._steps.new_payment(merchant_id, order, channel, customer_uid=customer_uid, usage=usage)
        now = ready.started_at
        failed = replace(ready, status=PaymentStatus.FAILED, fail_reason=reason, failed_at=now)
        async with self._uow() as uow:
            await uow.payments.add(ready)  # DuplicatePayment for a live merchant_uid
            # Stored ready then failed in one transaction, so the change is a status change.
            await store_change(uow, ready, failed, now=now)
        log.info("payment.refused", imp_uid=failed.imp_uid, merchant_id=merchant_id, reason=reason)
        return failed

    # --- steps -----------------------------------------------------------------------------

    async def _key_channel(self, merchant_id: int, key: BillingKey) -> PgChannel:
        channel = await self._channels.channel_by_site(merchant_id, key.pg_provider, key.pg_id)
        if channel is None:
            # The key was issued on a channel the merchant no longer has: it cannot be charged.
            raise BillingNotConfigured
        return channel

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
        result = await self._steps.ask(
            connector.charge(charge), payment, attempt_id, fail_if_unavailable=True
        )
        now = self._clock.now()
        if isinstance(result, pg.Declined):
            return await self._steps.fail(
                payment, attempt_id, fail_reason(result), self._steps.declined(result)
            )
        if result.amount != payment.amount:
            return await self._steps.void(payment, attempt_id, connector, result)
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
        return await self._steps.accept(payment, paid, attempt_id, connector, result)


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
