"""``/escrows/logis/{imp_uid}``: registering the delivery of an escrow payment (iamport-v1 §4.5).

Only a ``paid`` payment made with escrow takes a delivery; anything else is 409, as the
contract answers "not registrable". KCP registers a delivery once (``STE1``) and has no
operation to change it (kcp.md §4.2, §8), so a second registration and every modification
are refused (409) without asking KCP. No money moves, but the attempt is still written before
KCP is called, so a lost answer leaves a trace (an ``unknown`` ``escrow`` attempt) and blocks
a second registration until it is settled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn

import structlog

from homeport.clock import Clock
from homeport.domain.billing_keys.service import pg_refused
from homeport.domain.channels import PgChannels, payment_channel
from homeport.domain.errors import (
    EscrowRefused,
    InvalidRequest,
    PaymentNotFound,
)
from homeport.domain.escrows.models import EscrowDelivery
from homeport.domain.payments.attempts import AttemptOperation, AttemptResult, AttemptState, attempt_on
from homeport.domain.payments.models import Payment, PaymentStatus
from homeport.domain.payments.orders import PaymentSteps
from homeport.domain.uow import UnitOfWorkFactory
from homeport.pg import base as pg

log = structlog.get_logger("homeport.escrows")

#: Longest waybill number homeport stores.
INVOICE_LIMIT = 64


@dataclass(frozen=True)
class Shipment:
    """What the merchant sends (``logis``, ``sender``, ``receiver``)."""

    company: str
    invoice: str
    sent_at: int
    sender: pg.EscrowParty = field(default_factory=pg.EscrowParty)
    receiver: pg.EscrowParty = field(default_factory=pg.EscrowParty)

    def validate(self) -> None:
        """Refuse a shipment the PG could not register."""
        if not self.company.strip():
            raise InvalidRequest("logis.company(택배사 코드) 파라메터가 누락되었습니다.")
        if not self.invoice.strip():
            raise InvalidRequest("logis.invoice(송장번호) 파라메터가 누락되었습니다.")
        if len(self.invoice) > INVOICE_LIMIT:
            raise InvalidRequest(f"logis.invoice는 {INVOICE_LIMIT}자 이하여야 합니다.")
        if self.sent_at <= 0:
            raise InvalidRequest("logis.sent_at(발송일시)은 UNIX timestamp(초)여야 합니다.")


class EscrowService:
    """Escrow deliveries of the merchant's payments, through the channel that took them."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, channels: PgChannels) -> None:
        self._uow = uow
        self._clock = clock
        self._channels = channels
        self._steps = PaymentSteps(uow, clock)

    async def register(self, merchant_id: int, imp_uid: str, shipment: Shipment) -> EscrowDelivery:
        """Register the shipment at the PG and keep it; the registered delivery."""
        shipment.validate()
        payment, attempt_id = await self._open(merchant_id, imp_uid)
        channel = await payment_channel(self._channels, payment)
        if channel is None:
            await self._steps.settle(attempt_id, AttemptResult(AttemptState.UNAVAILABLE, self._clock.now()))
            raise EscrowRefused(
                f"결제에 사용된 PG 채널({payment.pg_provider}.{payment.pg_id})을 찾을 수 없어 "
                "배송정보를 등록할 수 없습니다."
            )
        delivery = pg.EscrowDelivery(
            pg_tid=payment.pg_tid or "",
            company=shipment.company.strip().upper(),
            invoice=shipment.invoice.strip(),
            sent_at=shipment.sent_at,
            sender=shipment.sender,
            receiver=shipment.receiver,
        )
        connector = self._channels.connector(channel)
        result = await self._steps.ask(connector.register_escrow_delivery(delivery), payment, attempt_id)
        now = self._clock.now()
        if isinstance(result, pg.Declined):
            await self._steps.settle(attempt_id, self._steps.declined(result))
            raise pg_refused("에스크로 배송정보 등록에 실패하였습니다.", result)
        registered = EscrowDelivery(
            imp_uid=imp_uid,
            company=result.company,
            invoice=result.invoice,
            sent_at=result.sent_at,
            applied_at=result.registered_at or now,  # KCP may not say when: homeport's clock
            sender_name=shipment.sender.name,
            receiver_name=shipment.receiver.name,
        )
        async with self._uow() as uow:
            await uow.escrow_deliveries.add(registered)
            await uow.attempts.settle(
                attempt_id, AttemptResult(AttemptState.SUCCEEDED, now, pg_tid=result.pg_tid)
            )
        log.info("escrow.registered", imp_uid=imp_uid, merchant_id=merchant_id, company=registered.company)
        return registered

    async def refuse_change(self, merchant_id: int, imp_uid: str) -> NoReturn:
        """``PUT``: KCP has no operation to change a registered delivery (kcp.md §4.2, §8)."""
        await self.get(merchant_id, imp_uid)
        raise EscrowRefused(
            "KCP는 등록된 에스크로 배송정보를 수정할 수 없습니다. 변경이 필요하면 KCP 가맹점 관리자"
            "에서 수정해주세요. (KCP cannot modify a registered escrow delivery)"
        )

    async def get(self, merchant_id: int, imp_uid: str) -> EscrowDelivery:
        """The payment's registered delivery; 409 when none is (§4.5)."""
        async with self._uow(readonly=True) as uow:
            payment = await uow.payments.get(merchant_id, imp_uid)
            if payment is None:
                raise PaymentNotFound
            delivery = await uow.escrow_deliveries.get(imp_uid)
        if delivery is None:
            _require_escrow(payment)
            raise EscrowRefused("등록된 에스크로 배송정보가 없습니다.")
        return delivery

    async def _open(self, merchant_id: int, imp_uid: str) -> tuple[Payment, int]:
        """Check the payment under its lock and store the pending attempt with it."""
        async with self._uow() as uow:
            payment = await uow.payments.lock(merchant_id, imp_uid)
            if payment is None:
                raise PaymentNotFound
            _require_escrow(payment)
            if await uow.escrow_deliveries.get(imp_uid) is not None:
                raise EscrowRefused(
                    "이미 에스크로 배송정보가 등록된 결제건입니다. "
                    "KCP는 등록된 배송정보를 수정할 수 없습니다."
                )
            if await uow.attempts.unsettled(imp_uid, AttemptOperation.ESCROW):
                raise EscrowRefused(
                    "이 결제건에 처리 중이거나 결과를 확인 중인 배송정보 등록 요청이 있습니다. "
                    "(another registration is in flight)"
                )
            attempt_id = await uow.attempts.add(
                # A delivery moves no money.
                attempt_on(payment, AttemptOperation.ESCROW, amount=0, started_at=self._clock.now())
            )
        return payment, attempt_id


def _require_escrow(payment: Payment) -> None:
    if not payment.escrow:
        raise EscrowRefused("에스크로 결제건이 아닙니다. (not an escrow payment)")
    if payment.status is not PaymentStatus.PAID or not payment.pg_tid:
        raise EscrowRefused(
            "결제완료(paid) 상태의 에스크로 결제건만 배송정보를 등록할 수 있습니다. "
            f"(status {payment.status.value})"
        )
