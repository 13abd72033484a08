"""Registering the order a payment window is opened for (decision 0005)."""

from __future__ import annotations

from dataclasses import replace

import structlog

from homeport.clock import Clock
from homeport.domain.channels import PgChannels
from homeport.domain.checkout.approval import USAGE_ISSUE, CheckoutApproval, merchant_id_of
from homeport.domain.checkout.requests import CheckoutRequest, PgSelection
from homeport.domain.checkout.windows import checkout_window
from homeport.domain.errors import BillingNotConfigured, DuplicatePayment, InvalidRequest
from homeport.domain.merchants.models import PgChannel
from homeport.domain.payments.models import Payment, PaymentChannel, PaymentStatus, VirtualAccount
from homeport.domain.payments.orders import PaymentSteps
from homeport.domain.uow import UnitOfWork, UnitOfWorkFactory
from homeport.domain.webhooks.changes import store_change

log = structlog.get_logger("homeport.checkout")

#: Why an abandoned window's payment was failed when the buyer opened a new one.
REPLACED_REASON = "새 결제창 요청으로 대체됨"


async def resolve_channel(channels: PgChannels, merchant_id: int, selection: PgSelection) -> PgChannel:
    """The merchant's KCP channel that ``pg`` selects (§7.3: ``provider`` or ``provider.MID``).

    No site: the default channel (or, for billing, the channel holding billing keys); a site:
    exactly that site, and for billing it must have a billing group (KCP's batch group id).
    """
    if selection.site_cd is None:
        return await channels.channel_for(merchant_id, billing=selection.billing)
    channel = await channels.channel_by_site(merchant_id, "kcp", selection.site_cd)
    if channel is None:
        raise InvalidRequest(
            f"가맹점에 등록되지 않은 KCP 사이트코드입니다: {selection.site_cd} (pg 파라메터)"
        )
    if selection.billing and not channel.batch_group_id:
        raise BillingNotConfigured(
            f"KCP 사이트코드 {selection.site_cd}에는 빌링키 발급용 그룹아이디가 설정되어 있지 않습니다."
        )
    return channel


class CheckoutService:
    """Orders for payment windows: checked, priced by the server, stored ``ready``."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, channels: PgChannels, *, sandbox_base_url: str = ""
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._channels = channels
        self._steps = PaymentSteps(uow, clock)
        #: Opening the window of a registered order and approving its Ret_URL result.
        self.approval = CheckoutApproval(uow, clock, channels, sandbox_base_url=sandbox_base_url)

    async def register(
        self,
        merchant_code: str,
        request: CheckoutRequest,
        *,
        device: PaymentChannel,
        origin: str | None = None,
    ) -> Payment:
        """Store the ``ready`` payment a window of ``merchant_code`` will approve, with its window.

        The window (:class:`CheckoutWindow`: device, ``m_redirect_url``, the page's ``origin``
        and ``request_pay``'s window options) is written in the same transaction.

        The amount is fixed here: approval later uses this stored amount. A pre-registered
        amount (§4.2) refuses any other one before the window opens. An earlier window of the
        same merchant_uid that was never submitted is failed and replaced (buyers reopen
        windows); a merchant_uid that is paid, or whose window reached the PG, is refused.
        """
        merchant_id = await merchant_id_of(self._uow, merchant_code)
        order = request.order()
        if not request.pg.billing:  # a billing window charges nothing: its amount is shown only
            await self._steps.check_prepared(merchant_id, order)
        channel = await resolve_channel(self._channels, merchant_id, request.pg)
        payment = self._steps.new_payment(
            merchant_id,
            order,
            channel,
            customer_uid=request.customer_uid,
            usage=USAGE_ISSUE if request.pg.billing else None,
            pay_method=request.pay_method,
            started_by=device,
            escrow=request.escrow,
            # Kept for the approval, which asks KCP for an account due then (decision 0005).
            virtual_account=VirtualAccount(due_at=request.vbank_due) if request.vbank_due else None,
        )
        window = checkout_window(
            request,
            imp_uid=payment.imp_uid,
            merchant_id=merchant_id,
            device=device,
            origin=origin,
            now=payment.started_at,
        )
        async with self._uow() as uow:
            await self._retire_abandoned(uow, merchant_id, request.merchant_uid)
            await uow.payments.add(payment)  # DuplicatePayment if another window won the race
            await uow.checkout_windows.add(window)
        log.info("checkout.registered", imp_uid=payment.imp_uid, merchant_id=merchant_id, device=device.value)
        return payment

    async def _retire_abandoned(self, uow: UnitOfWork, merchant_id: int, merchant_uid: str) -> None:
        """Fail the live payment of ``merchant_uid`` if it is a window never submitted, else refuse.

        Only a ``ready`` window payment with no attempt at all qualifies: once KCP was asked
        anything (an approval, a virtual account) the payment may hold money and stays.
        """
        found = await uow.payments.find_live(merchant_id, merchant_uid)
        # Locked so an approval starting now cannot slip an attempt in between check and change.
        live = await uow.payments.lock(merchant_id, found.imp_uid) if found else None
        if live is None:
            return
        abandoned = (
            live.status is PaymentStatus.READY
            and live.channel in (PaymentChannel.PC, PaymentChannel.MOBILE)
            and not await uow.attempts.for_payment(live.imp_uid)
        )
        if not abandoned:
            raise DuplicatePayment(merchant_uid)
        now = self._clock.now()
        failed = replace(
            live, status=PaymentStatus.FAILED, fail_reason=REPLACED_REASON, failed_at=now, updated_at=now
        )
        if live.status is not PaymentStatus.READY or not await store_change(uow, live, failed, now=now):
            raise DuplicatePayment(merchant_uid)  # it moved meanwhile: let the buyer retry
        log.info("checkout.replaced", imp_uid=live.imp_uid, merchant_id=merchant_id)
