"""Opening a registered order's window and approving what the window returns (issue 6).

The money rule (decision 0003, 0005): the window only authenticates; the approval asks KCP
for the amount homeport stored at ``POST /checkout/v1/orders``, never one from the browser,
and KCP refuses an authentication of another amount (8059, kcp.md). The Ret_URL can be
replayed by the buyer's browser: the payment is locked and must be ``ready`` with no charge
attempt, so a second return answers the stored outcome and never approves twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import structlog

from homeport.clock import Clock
from homeport.domain.channels import PgChannels, payment_channel
from homeport.domain.checkout.billing import BillingWindow
from homeport.domain.checkout.windows import CheckoutWindow, browser_url
from homeport.domain.errors import InvalidRequest, MerchantNotFound, PaymentNotFound
from homeport.domain.ids import MERCHANT_CODE
from homeport.domain.merchants.models import ChannelEnvironment, PgChannel
from homeport.domain.payments.attempts import AttemptOperation, attempt_on
from homeport.domain.payments.models import Payment, PaymentChannel, PaymentStatus
from homeport.domain.payments.orders import PaymentSteps, fail_reason
from homeport.domain.uow import UnitOfWorkFactory
from homeport.pg import base as pg

log = structlog.get_logger("homeport.checkout")

#: ``customer_uid_usage`` of a billing-key issuance window (§5.2).
USAGE_ISSUE = "issue"


@dataclass(frozen=True)
class WindowStart:
    """What the page needs to open the PG's window, in the PG's field names (``form``).

    Mobile: POST ``form`` to ``action`` (a full-page transition). PC: include the PG's
    ``host_script`` glue, load ``script_url`` and hand ``form`` to it; ``action`` is None and
    there is no approval key or trace number.
    """

    imp_uid: str
    device: str  # "pc" or "mobile"
    action: str | None
    script_url: str | None
    form: Mapping[str, str]
    approval_key: str = ""
    trace_no: str = ""
    host_script: str | None = None


@dataclass(frozen=True)
class Completion:
    """A window's outcome: the stored payment, whether this call approved it, and its window."""

    payment: Payment
    replayed: bool = False
    window: CheckoutWindow | None = None


async def merchant_id_of(uow_factory: UnitOfWorkFactory, merchant_code: str) -> int:
    """The merchant of an identification code (``imp`` + 8 digits, §7.2), or MerchantNotFound."""
    if not MERCHANT_CODE.match(merchant_code):
        raise MerchantNotFound(
            f"가맹점 식별코드가 올바르지 않습니다: {merchant_code!r} "
            "(IMP.init에는 imp + 숫자 8자리를 넘겨주세요)"
        )
    async with uow_factory(readonly=True) as uow:
        merchant = await uow.merchants.get_by_code(merchant_code)
    if merchant is None:
        raise MerchantNotFound(f"존재하지 않는 가맹점 식별코드입니다: {merchant_code}")
    return merchant.id


def window_options(payment: Payment, window: CheckoutWindow | None) -> pg.WindowOptions:
    """What the window was asked to offer: the stored window's options and the payment's own
    tax-free part and vbank deadline (the Payment holds those, decision 0007)."""
    account = payment.virtual_account
    stored = pg.WindowOptions(tax_free=payment.tax_free, vbank_due=account.due_at if account else None)
    if window is None:  # a payment registered before windows were stored
        return stored
    card = window.card
    return replace(
        stored,
        offered_quotas=card.offered_quotas,
        fixed_quota=card.direct_quota,
        direct_card=card.direct_code,
        cards=card.detail,
        app_card_only=card.app_card_only,
        key_in=card.key_in,
        shop_user_id=window.shop_user_id,
        site_logo=window.site_logo,
        shop_name=window.company,
        language=window.language,
        escrow_cart=tuple(
            pg.CartLine(p.order_number, p.name, p.quantity, p.amount) for p in window.escrow_products
        ),
        phone=window.prefill_phone_number,
    )


def _window_payment(payment: Payment | None, imp_uid: str) -> Payment:
    if payment is None or payment.channel not in (PaymentChannel.PC, PaymentChannel.MOBILE):
        raise PaymentNotFound(f"결제창으로 요청된 결제건이 아닙니다: {imp_uid}")
    return payment


class CheckoutApproval:
    """The window start and the Ret_URL's approval of checkout payments."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, channels: PgChannels, *, sandbox_base_url: str = ""
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._channels = channels
        self._steps = PaymentSteps(uow, clock)
        #: Where homeport reaches the embedded sandbox in-process (its URLs start with it).
        self._sandbox_base_url = sandbox_base_url
        self._billing = BillingWindow(uow, clock, channels)

    async def start_window(
        self,
        merchant_code: str,
        imp_uid: str,
        return_url: str,
        *,
        user_agent: str = "",
        sandbox_url: str | None = None,
    ) -> WindowStart:
        """The window of a ``ready`` payment, for its stored amount and options (kcp.md §10).

        Mobile registers the trade first (§10.2); PC needs no registration (§13), so the
        connector only builds the form. Nothing moves money, so no attempt is written and a
        window may be restarted. ``sandbox_url`` is where browsers reach the embedded sandbox
        (homeport's ``/sandbox``): the URLs of sandbox channels are rewritten to it.
        """
        payment, window = await self._payment(merchant_code, imp_uid)
        if payment.status is not PaymentStatus.READY or payment.pg_tid:
            raise InvalidRequest(
                f"결제대기(ready) 상태의 결제건만 결제창을 열 수 있습니다. ({payment.status.value})"
            )
        channel = await self._channel(payment)
        request = self._trade_request(payment, window, channel, return_url, user_agent)
        connector = self._channels.connector(channel)

        def for_browser(url: str) -> str:
            if channel.environment is not ChannelEnvironment.SANDBOX:
                return url  # real KCP: never rewritten
            return browser_url(url, internal_base=self._sandbox_base_url, public_base=sandbox_url)

        device = window.device if window is not None else payment.channel or PaymentChannel.PC
        if device is PaymentChannel.PC:
            pc = connector.pc_window(request)
            return WindowStart(
                imp_uid=payment.imp_uid,
                device=device.value,
                action=None,
                script_url=for_browser(pc.script_url),
                form=dict(pc.form),
                host_script=pc.host_script,
            )
        registration = await connector.register_trade(request)
        if isinstance(registration, pg.Declined):
            raise InvalidRequest(f"결제창을 열 수 없습니다: {fail_reason(registration)}")
        return WindowStart(
            imp_uid=payment.imp_uid,
            device=device.value,
            action=for_browser(registration.action or registration.pay_url),
            script_url=None,
            form=dict(registration.form),
            approval_key=registration.approval_key,
            trace_no=registration.trace_no,
        )

    @staticmethod
    def _trade_request(
        payment: Payment, window: CheckoutWindow | None, channel: PgChannel, return_url: str, user_agent: str
    ) -> pg.TradeRequest:
        """The window's order: the STORED amount, name and method, and the stored options."""
        billing = payment.customer_uid_usage == USAGE_ISSUE
        return pg.TradeRequest(
            order_id=payment.merchant_uid,
            amount=payment.amount,  # the stored amount: the window shows and KCP registers it
            name=payment.name or payment.merchant_uid,
            pay_method=payment.pay_method or "card",
            return_url=return_url,
            user_agent=user_agent,
            escrow=payment.escrow,
            billing_group_id=channel.batch_group_id if billing else None,
            buyer=pg.Buyer(name=payment.buyer.name, email=payment.buyer.email, tel=payment.buyer.tel),
            options=window_options(payment, window),
        )

    async def complete(self, merchant_code: str, imp_uid: str, body: bytes, content_type: str) -> Completion:
        """Approve the window's posted result for the stored amount; a replay answers the stored
        outcome. The form is read by the payment's connector (the PG knows its charset)."""
        payment, window = await self._payment(merchant_code, imp_uid)
        billing = payment.customer_uid_usage == USAGE_ISSUE
        channel = await self._channel(payment)
        connector = self._channels.connector(channel)
        posted = connector.read_window_return(body, content_type)
        opened = await self._open(
            payment, AttemptOperation.BILLING_KEY if billing else AttemptOperation.CHARGE
        )
        if opened is None:
            async with self._uow(readonly=True) as uow:
                stored = await uow.payments.get(payment.merchant_id, imp_uid)
            return Completion(_window_payment(stored, imp_uid), replayed=True, window=window)
        payment, attempt_id = opened
        if billing:  # a batch key, not a payment: never approved (decision 0008)
            issued = await self._billing.issue(payment, attempt_id, channel, connector, posted)
            return Completion(issued, window=window)
        call = connector.approve(
            posted,
            order_id=payment.merchant_uid,
            # Never an amount from the browser: the one stored when the order was registered.
            amount=payment.amount,
            pay_method=payment.pay_method or "card",
        )
        result = await self._steps.ask(call, payment, attempt_id, fail_if_unavailable=True)
        if isinstance(result, pg.Declined):
            failed = await self._steps.fail(
                payment, attempt_id, fail_reason(result), self._steps.declined(result)
            )
            return Completion(failed, window=window)
        if result.amount != payment.amount:
            return Completion(await self._steps.void(payment, attempt_id, connector, result), window=window)
        return Completion(await self._approved(payment, attempt_id, connector, result), window=window)

    async def _approved(
        self, payment: Payment, attempt_id: int, connector: pg.PgConnector, result: pg.Approved
    ) -> Payment:
        now = self._clock.now()
        account = result.virtual_account
        updated = replace(
            payment,
            pg_tid=result.pg_tid,
            approval_number=result.approval_number,
            card=result.card,
            bank=result.bank,
            emb_pg_provider=result.emb_pg_provider,
            receipt_url=result.receipt_url,
            escrow=payment.escrow or result.escrow,
            updated_at=now,
        )
        if account is not None:
            # A virtual account is issued, not paid: the payment stays ready until the deposit.
            due = account.due_at or (payment.virtual_account.due_at if payment.virtual_account else 0)
            updated = replace(
                updated,
                virtual_account=replace(
                    account, due_at=due, issued_at=account.issued_at or result.approved_at or now
                ),
            )
            log.info("checkout.vbank_issued", imp_uid=payment.imp_uid)
        else:
            updated = replace(updated, status=PaymentStatus.PAID, paid_at=result.approved_at or now)
            if updated.card is not None and updated.card.installment_months == 1:
                updated = replace(updated, card=replace(updated.card, installment_months=0))
            log.info("checkout.paid", imp_uid=payment.imp_uid)
        return await self._steps.accept(payment, updated, attempt_id, connector, result)

    async def _open(self, payment: Payment, operation: AttemptOperation) -> tuple[Payment, int] | None:
        """Under the payment's lock: the pending attempt, or None when already submitted."""
        async with self._uow() as uow:
            locked = await uow.payments.lock(payment.merchant_id, payment.imp_uid)
            if locked is None or locked.status is not PaymentStatus.READY or locked.pg_tid:
                return None
            if await uow.attempts.for_payment(locked.imp_uid):
                return None  # a return already reached the PG: never approve twice
            moves = locked.amount if operation is AttemptOperation.CHARGE else 0
            attempt = attempt_on(locked, operation, amount=moves, started_at=self._clock.now())
            return locked, await uow.attempts.add(attempt)

    async def _payment(self, merchant_code: str, imp_uid: str) -> tuple[Payment, CheckoutWindow | None]:
        """The window payment and its stored window, in one read."""
        merchant_id = await merchant_id_of(self._uow, merchant_code)
        async with self._uow(readonly=True) as uow:
            payment = await uow.payments.get(merchant_id, imp_uid)
            window = await uow.checkout_windows.get(merchant_id, imp_uid)
        return _window_payment(payment, imp_uid), window

    async def _channel(self, payment: Payment) -> PgChannel:
        channel = await payment_channel(self._channels, payment)
        if channel is None:
            raise InvalidRequest(
                f"결제건의 PG 채널({payment.pg_provider}.{payment.pg_id})을 찾을 수 없습니다."
            )
        return channel
