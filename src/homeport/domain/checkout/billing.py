"""A billing-key window's result: KCP issues a batch key, homeport stores it (decision 0008).

A ``kcp_billing`` window (``customer_uid``, §7.3) authenticates a card for a batch key
(kcp.md §6.1-6.3): the Ret_URL's tokens go to the issuance call (``tran_cd`` 00300001), which
answers a key and the card, no ``tno``, and moves no money. The key is stored exactly as REST
issuance (``POST /subscribe/customers/{customer_uid}``) stores it, through
:meth:`BillingKeyService.key_of`, with the customer fields taken from the payment's buyer.

The window's payment records the outcome (decision 0008): ``paid`` for 0 won with the card and
``customer_uid_usage`` ``issue`` when the key is stored (in the same transaction), ``failed``
with the PG's reason and no key when KCP refuses or the buyer closes the window. The attempt
(``billing_key``) is written before KCP is called, so a replayed Ret_URL never issues twice.
"""

from __future__ import annotations

from dataclasses import replace

import structlog

from homeport.clock import Clock
from homeport.domain.billing_keys.models import BillingKey, CustomerInfo
from homeport.domain.billing_keys.service import BillingKeyService
from homeport.domain.channels import PgChannels
from homeport.domain.errors import InvalidRequest
from homeport.domain.merchants.models import PgChannel
from homeport.domain.payments.attempts import AttemptResult, AttemptState
from homeport.domain.payments.models import Buyer, Payment, PaymentStatus
from homeport.domain.payments.orders import PaymentSteps, fail_reason
from homeport.domain.uow import UnitOfWork, UnitOfWorkFactory
from homeport.pg import base as pg

log = structlog.get_logger("homeport.checkout")

#: ``customer_addr`` is at most 200 characters (iamport-v1.md §4.3); ``buyer_addr`` may hold
#: 256, so a longer address is cut rather than refusing a key the buyer already authenticated.
CUSTOMER_ADDR_MAX = 200


def customer_of(buyer: Buyer) -> CustomerInfo:
    """The ``customer_*`` fields of a window-issued key: the order's ``buyer_*`` (§7.3)."""
    return CustomerInfo(
        name=buyer.name,
        tel=buyer.tel,
        email=buyer.email,
        addr=buyer.addr[:CUSTOMER_ADDR_MAX] if buyer.addr else None,
        postcode=buyer.postcode,
    )


class BillingWindow:
    """Issuance of a billing key from a ``kcp_billing`` window's Ret_URL."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, channels: PgChannels) -> None:
        self._clock = clock
        self._keys = BillingKeyService(uow, clock, channels)
        self._steps = PaymentSteps(uow, clock)

    async def issue(
        self,
        payment: Payment,
        attempt_id: int,
        channel: PgChannel,
        connector: pg.PgConnector,
        result: pg.WindowResult,
    ) -> Payment:
        """Issue the key for the opened ``billing_key`` attempt and record the window's outcome.

        PgUnavailable fails the payment (nothing was issued, the order may be retried);
        PgOutcomeUnknown leaves it ``ready`` with the attempt ``unknown``: a key KCP may have
        issued is never heard of and never used (KCP has no lookup of batch keys, kcp.md §6).
        """
        if not payment.customer_uid:
            raise InvalidRequest("빌링키 발급 결제건에 customer_uid가 없습니다.")
        call = connector.issue_billing_key(result)
        issued = await self._steps.ask(call, payment, attempt_id, fail_if_unavailable=True)
        if isinstance(issued, pg.Declined):
            log.info("checkout.billing_key_declined", imp_uid=payment.imp_uid, pg_code=issued.pg_code)
            return await self._steps.fail(
                payment, attempt_id, fail_reason(issued), self._steps.declined(issued)
            )
        key = self._keys.key_of(payment.customer_uid, channel, issued, customer_of(payment.buyer))
        now = self._clock.now()
        recorded = replace(
            payment,
            status=PaymentStatus.PAID,
            # Nothing is charged (§6.3: no tno): the amount was shown only, the payment is 0 won.
            amount=0,
            paid_at=now,
            updated_at=now,
            card=replace(issued.card, installment_months=0),
        )

        async def store_key(uow: UnitOfWork) -> BillingKey:
            return await uow.billing_keys.save(payment.merchant_id, key)

        settled = AttemptResult(AttemptState.SUCCEEDED, now)
        stored = await self._steps.apply(recorded, attempt_id, settled, also=store_key)
        log.info("checkout.billing_key_issued", imp_uid=payment.imp_uid, pg_id=channel.site_code)
        return stored
