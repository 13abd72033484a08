"""NHN KCP as a :class:`homeport.pg.base.PgConnector`: one short method per flow.

The methods build KCP's requests (:mod:`.wire`), send them (:mod:`.client`), and turn the
answers into homeport's values (:mod:`.methods`, :mod:`.codes`). They raise only
``PgUnavailable`` and ``PgOutcomeUnknown``; every "no" is a returned :class:`Declined`.
``parse_notification`` raises ``InvalidRequest`` for anything that is not a KCP notification.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import structlog

from homeport.domain.errors import ConfigurationError, InvalidRequest, PgOutcomeUnknown
from homeport.domain.merchants.models import PgChannel
from homeport.domain.money import Won
from homeport.pg.base import (
    BillingKeyIssued,
    Buyer,
    Cancelled,
    CancelRequest,
    CardInput,
    Charge,
    ChargeResult,
    Declined,
    EscrowDelivery,
    EscrowRegistered,
    Inquiry,
    NotificationKind,
    PcWindow,
    PgNotification,
    PgStatus,
    TradeRegistration,
    TradeRequest,
    VirtualAccountRequest,
    WindowResult,
)
from homeport.pg.kcp import codes, methods, windows, wire
from homeport.pg.kcp.client import KcpClient, KcpTimeouts
from homeport.pg.kcp.credentials import KcpCredentials
from homeport.pg.kcp.environments import base_url_for, needs_pair_check, pc_script_url

log = structlog.get_logger("homeport.pg.kcp")

#: ``op_cd`` of a TX00 notification when the bank took a wrong deposit back (kcp.md §9.4).
_OP_DEPOSIT_CANCELLED = "13"
_STATUSES = {
    "STSR": PgStatus.APPROVED,
    "STPC": PgStatus.PARTIALLY_CANCELLED,
    "STSC": PgStatus.CANCELLED,
}


class KcpConnector:
    """One KCP site (``site_cd``) at one base URL (stage, production or the sandbox)."""

    def __init__(
        self,
        credentials: KcpCredentials,
        *,
        site_cd: str,
        base_url: str,
        http: httpx.AsyncClient,
        group_id: str | None = None,
        timeouts: KcpTimeouts | None = None,
    ) -> None:
        if not site_cd:
            raise ConfigurationError("a KCP channel needs a site code (site_cd)")
        self._credentials = credentials
        self._site = wire.Site(site_cd=site_cd, cert_info=credentials.cert_info)
        self._group_id = group_id
        self._client = KcpClient(http, base_url, site_cd=site_cd, timeouts=timeouts)

    @classmethod
    def from_files(
        cls,
        *,
        site_cd: str,
        certificate_path: Path,
        private_key_path: Path,
        key_password: str,
        base_url: str,
        http: httpx.AsyncClient,
        group_id: str | None = None,
        timeouts: KcpTimeouts | None = None,
    ) -> KcpConnector:
        """A connector whose credentials are read from a certificate and a key file."""
        credentials = KcpCredentials.from_files(certificate_path, private_key_path, key_password)
        return cls(
            credentials,
            site_cd=site_cd,
            base_url=base_url,
            http=http,
            group_id=group_id,
            timeouts=timeouts,
        )

    def __repr__(self) -> str:
        return f"KcpConnector(site_cd={self.site_cd!r}, base_url={self._client.base_url!r})"

    @property
    def site_cd(self) -> str:
        """The KCP site code."""
        return self._site.site_cd

    # --- windows -------------------------------------------------------------------------

    async def register_trade(self, request: TradeRequest) -> TradeRegistration | Declined:
        """Mobile trade registration (kcp.md §6.2, §10.2); answers ``Code``/``Message``."""
        if request.billing_group_id is not None:
            register = methods.BILLING.register
        else:
            found = methods.method(request.pay_method)
            if found is None:
                return codes.local_decline("unsupported_pay_method", request.pay_method)
            register = found.register
        body = wire.register_request(
            self._site,
            order_id=request.order_id,
            amount=request.amount,
            name=request.name,
            pay_method=register,
            return_url=request.return_url,
            escrow=request.escrow,
            user_agent=request.user_agent,
        )
        answer = await self._client.post(wire.REGISTER_PATH, body, moves_money=False)
        refused = _refusal(answer)
        if refused is not None:
            return refused
        registration = wire.read_registration(answer)
        if registration is None:
            raise PgOutcomeUnknown("KCP registered the trade without approvalKey/PayUrl")
        return TradeRegistration(
            approval_key=registration.approval_key,
            trace_no=registration.trace_no,
            pay_url=registration.pay_url,
            form=windows.mobile_form(
                self.site_cd,
                request,
                approval_key=registration.approval_key,
                trace_no=registration.trace_no,
                pay_url=registration.pay_url,
            ),
            action=windows.encoding_filter_url(registration.pay_url),
        )

    def pc_window(self, request: TradeRequest) -> PcWindow:
        """KCP's PC window script for this environment and its order form (kcp.md §1, §10.1).

        The PC window needs no trade registration (§13), so nothing is sent to KCP here.
        """
        return PcWindow(
            script_url=pc_script_url(self._client.base_url),
            form=windows.pc_form(self.site_cd, request),
            host_script="kcp/pc_host.html",
        )

    async def approve(
        self, result: WindowResult, *, order_id: str, amount: Won, pay_method: str
    ) -> ChargeResult:
        """Approve a window's authentication for the amount homeport stored (``ordr_mony``)."""
        pay_type = methods.pay_type_of(pay_method)
        if pay_type is None:
            return codes.local_decline("unsupported_pay_method", pay_method)
        window = _window_return(result, wire.TRAN_PAYMENT)
        if isinstance(window, Declined):
            return window
        body = wire.approval_request(
            self._site,
            enc_data=window.enc_data,
            enc_info=window.enc_info,
            amount=amount,
            order_id=order_id,
            pay_type=pay_type,
        )
        answer = await self._client.post(wire.PAYMENT_PATH, body, moves_money=True)
        return self._approved(answer, amount=amount, pay_method=pay_method)

    # --- billing keys --------------------------------------------------------------------

    async def issue_billing_key(self, result: WindowResult) -> BillingKeyIssued | Declined:
        """Turn a billing-key window's result into a batch key (``tran_cd`` 00300001, §6.3)."""
        window = _window_return(result, wire.TRAN_BATCH_KEY)
        if isinstance(window, Declined):
            return window
        if not self._group_id:
            # A key bound to no group could never be charged (KCP 5209); say so now.
            return codes.local_decline("billing_group_missing")
        body = wire.batch_key_request(self._site, enc_data=window.enc_data, enc_info=window.enc_info)
        answer = await self._client.post(wire.PAYMENT_PATH, body, moves_money=True)
        issued = self._billing_key(answer, self._group_id)
        masked = _returned_card_mask(result)
        if isinstance(issued, Declined) or issued.card.masked_number or not masked:
            return issued
        # The issuance answer has no card number (§6.3); the window returns it masked to the
        # Ret_URL as card_mask_no when the form asked batch_cardno_return_yn (§6.1-6.2).
        return replace(issued, card=replace(issued.card, masked_number=masked))

    async def issue_billing_key_keyin(
        self, card: CardInput, *, group_id: str | None = None
    ) -> BillingKeyIssued | Declined:
        """Batch key from a typed-in card (legacy ``card_tx_type`` 12100000: unverified for REST)."""
        group = group_id or self._group_id
        if not group:
            return codes.local_decline("billing_group_missing")
        expiry = wire.card_expiry_yymm(card.expiry)
        if expiry is None:
            return codes.local_decline("invalid_card_expiry")
        body = wire.keyin_batch_key_request(
            self._site,
            card_no=card.number,
            expiry_yymm=expiry,
            birth=card.birth,
            password_2digit=card.password_2digit,
            group_id=group,
        )
        answer = await self._client.post(wire.HUB_PATH, body, moves_money=True)
        return self._billing_key(answer, group)

    async def charge(self, charge: Charge) -> ChargeResult:
        """Charge a batch key (``11511000``) or a typed-in card (``11121000``) on the hub."""
        buyer = _kcp_buyer(charge.buyer)
        order: dict[str, Any] = {
            "order_id": charge.order_id,
            "amount": charge.amount,
            "name": charge.name,
            "installment_months": charge.installment_months,
            "buyer": buyer,
            "customer_ip": charge.customer_ip,
        }
        if charge.billing_key:
            group = charge.billing_group_id or self._group_id
            if not group:
                return codes.local_decline("billing_group_missing")
            body = wire.batch_pay_request(self._site, batch_key=charge.billing_key, group_id=group, **order)
        elif charge.card is not None:
            expiry = wire.card_expiry_yymm(charge.card.expiry)
            if expiry is None:
                return codes.local_decline("invalid_card_expiry")
            body = wire.keyin_pay_request(
                self._site,
                card_no=charge.card.number,
                expiry_yymm=expiry,
                birth=charge.card.birth,
                password_2digit=charge.card.password_2digit,
                **order,
            )
        else:
            return codes.local_decline("invalid_request", "a charge needs a billing key or a card")
        answer = await self._client.post(wire.HUB_PATH, body, moves_money=True)
        return self._approved(answer, amount=charge.amount, pay_method="card")

    async def delete_billing_key(self, billing_key: str, *, group_id: str | None = None) -> Declined | None:
        """Delete a batch key at KCP (kcp.md §6.6); None when KCP deleted it."""
        group = group_id or self._group_id
        if not group:
            return codes.local_decline("billing_group_missing")
        body = wire.batch_delete_request(self._site, batch_key=billing_key, group_id=group)
        answer = await self._client.post(wire.HUB_PATH, body, moves_money=False)
        return _refusal(answer)

    # --- virtual accounts by API -----------------------------------------------------------

    async def issue_virtual_account(self, request: VirtualAccountRequest) -> ChargeResult:
        """A virtual account on the hub (``VCNT``, ``va_txtype`` 41100000, kcp.md §7): KCP answers
        ``V000`` with ``tno``, ``account``, ``bankname``, ``bankcode`` and ``depositor``.

        KCP names the account itself (``depositor``; ``한국사이버결제`` on stage, kcp.md §9.5), so
        ``request.holder`` is not sent; ``va_name`` carries the buyer's name (the holder's when
        no buyer name is given). An unpaid account is revoked by :meth:`cancel` (``STSC``).
        """
        if request.escrow:
            # kcp.md §7 names no escrow field for this call (escrow is a window option, §8):
            # sending one KCP may ignore would leave an escrow order that is not one at KCP.
            return codes.local_decline("escrow_not_supported")
        bank = methods.kcp_bank_from_imp(request.bank_code, vbank=True)
        if bank is None:
            return codes.local_decline("invalid_vbank_bank", request.bank_code)
        if request.amount <= 0 or request.due_at <= 0:
            return codes.local_decline("invalid_request", "a virtual account needs an amount and a deadline")
        if not 0 <= request.tax_free <= request.amount:
            return codes.local_decline("invalid_request", f"tax_free {request.tax_free} of {request.amount}")
        body = wire.vbank_issue_request(
            self._site,
            order_id=request.order_id,
            amount=request.amount,
            name=request.name,
            bank_digits=bank,
            va_date=methods.unix_to_kcp_time(request.due_at),
            payer_name=request.buyer.name or request.holder or "",
            buyer=_kcp_buyer(request.buyer),
            tax=methods.tax_fields(request.amount, request.tax_free) if request.tax_free else None,
        )
        answer = await self._client.post(wire.HUB_PATH, body, moves_money=True)
        refused = _refusal(answer)
        if refused is not None:
            return refused
        tno = wire.text(answer, "tno")
        if not tno or not wire.text(answer, "account"):
            # Issued at KCP, but the buyer cannot be told where to pay: settle by inquiry/cancel.
            raise PgOutcomeUnknown("KCP issued a virtual account without its tno or account number")
        issued = methods.issued_virtual_account(
            answer, tno=tno, amount=request.amount, bank_digits=bank, due_at=request.due_at
        )
        answered = wire.first_amount(answer, "amount", "va_mny")
        if answered is not None and answered != request.amount:
            log.warning("pg.amount_differs", site_cd=self.site_cd, asked=request.amount, answered=answered)
            issued = replace(issued, amount=answered)
        return issued

    # --- after the payment ---------------------------------------------------------------

    async def register_escrow_delivery(self, delivery: EscrowDelivery) -> EscrowRegistered | Declined:
        """Escrow delivery registration: ``mod_type`` ``STE1`` with ``deli_numb`` (the waybill) and
        ``deli_corp`` (the courier's name, see :data:`methods.COURIERS`), signed
        ``site_cd^tno^STE1`` on ``/gw/mod/v1/cancel`` (kcp.md §4.2, §8; REST unverified [L]).

        KCP refuses it for a payment made without escrow. kcp.md describes no way to change a
        registered delivery (no ``mod_type`` for it), nor fields for the sender, the receiver or
        the shipping time: those stay homeport's.
        """
        waybill = delivery.invoice.strip()
        if not waybill or not delivery.pg_tid:
            return codes.local_decline("invalid_request", "an escrow delivery needs pg_tid and an invoice")
        mod_type = wire.MOD_ESCROW_DELIVERY
        sign_data = self._credentials.sign(wire.cancel_sign_string(self.site_cd, delivery.pg_tid, mod_type))
        body = wire.escrow_delivery_request(
            self._site,
            sign_data=sign_data,
            tno=delivery.pg_tid,
            waybill=waybill,
            courier=methods.deli_corp(delivery.company),
        )
        answer = await self._client.post(wire.CANCEL_PATH, body, moves_money=False)
        refused = _refusal(answer)
        if refused is not None:
            return refused
        return EscrowRegistered(
            pg_tid=wire.text(answer, "tno") or delivery.pg_tid,
            company=methods.courier_code(delivery.company),
            invoice=waybill,
            sent_at=delivery.sent_at,
            registered_at=methods.kcp_time_to_unix(wire.text(answer, "canc_time")) or 0,
        )

    async def cancel(self, request: CancelRequest) -> Cancelled | Declined:
        """Full (``STSC``), partial (``STPC``) or vbank refund (``STHD``/``STPD``), kcp.md §4.

        A virtual account not paid yet (``deposited`` False) is revoked with ``STSC`` like a
        card: kcp.md §4.2 lists "vbank before deposit" under ``STSC`` [L] (``STE5`` is the
        escrow variant, not sent here). A partial cancel of an unpaid account makes no sense
        and KCP refuses it (``STPC`` is for card and transfer).
        """
        remaining = request.remaining_before
        amount = remaining if request.amount is None else request.amount
        if amount <= 0:
            return codes.local_decline("invalid_request", "the cancel amount must be at least 1 won")
        if amount > remaining:
            return codes.local_decline("cancel_exceeds_balance", f"{amount} > {remaining}")
        partial = amount < remaining
        refund: wire.RefundTo | None = None
        if request.deposited and request.pay_method == "vbank":
            if request.refund is None:
                return codes.local_decline("refund_account_required")
            bank = methods.kcp_bank_from_imp(request.refund.bank_code)
            if bank is None:
                return codes.local_decline("invalid_refund_bank", request.refund.bank_code)
            refund = wire.RefundTo(bank, request.refund.account, request.refund.holder)
            mod_type = wire.MOD_PARTIAL_REFUND if partial else wire.MOD_REFUND
        else:
            mod_type = wire.MOD_PARTIAL_CANCEL if partial else wire.MOD_CANCEL
        sign_data = self._credentials.sign(wire.cancel_sign_string(self.site_cd, request.pg_tid, mod_type))
        body = wire.cancel_request(
            self._site,
            sign_data=sign_data,
            tno=request.pg_tid,
            mod_type=mod_type,
            reason=request.reason,
            amount=amount if partial else None,
            remaining_before=remaining if partial else None,
            refund=refund,
        )
        answer = await self._client.post(wire.CANCEL_PATH, body, moves_money=True)
        refused = _refusal(answer)
        if refused is not None:
            return refused
        return _cancelled(wire.read_cancel(answer), request, mod_type, asked=amount)

    async def inquire(self, pg_tid: str, pay_method: str) -> Inquiry | Declined:
        """Where KCP says ``pg_tid`` stands (``/std/inquery``, signed ``site_cd^tno^pay_type``)."""
        pay_type = methods.pay_type_of(pay_method)
        if pay_type is None:
            return codes.local_decline("unsupported_pay_method", pay_method)
        sign_data = self._credentials.sign(wire.inquiry_sign_string(self.site_cd, pg_tid, pay_type))
        body = wire.inquiry_request(self._site, sign_data=sign_data, tno=pg_tid, pay_type=pay_type)
        answer = await self._client.post(wire.INQUIRY_PATH, body, moves_money=False)
        refused = _refusal(answer)
        if refused is not None:
            return refused
        found = wire.read_inquiry(answer)
        if found.amount is None:
            raise PgOutcomeUnknown("KCP's inquiry answer has no amount")
        remaining = found.remaining if found.remaining is not None else found.amount
        status = _STATUSES.get(found.status) or _status_from_amounts(found.amount, remaining)
        return Inquiry(
            pg_tid=found.tno or pg_tid,
            status=status,
            amount=found.amount,
            remaining=remaining,
            order_id=found.order_no or None,
        )

    def read_window_return(self, body: bytes, content_type: str) -> WindowResult:
        """The Ret_URL's form: EUC-KR unless the order form asked ``encoding_trans=UTF-8``
        (kcp.md §10.2), so it is decoded by its charset like a notification."""
        return WindowResult(wire.decode_form(body, content_type))

    def parse_notification(self, body: bytes, content_type: str) -> PgNotification:
        """A KCP common notification for this site (form-urlencoded, EUC-KR or UTF-8, kcp.md §9)."""
        notification = read_common_notification(body, content_type)
        if notification.site != self.site_cd:
            raise InvalidRequest(f"the notification is for site {notification.site}, not {self.site_cd}")
        return notification

    # --- reading answers -----------------------------------------------------------------

    def _approved(self, answer: dict[str, Any], *, amount: Won, pay_method: str) -> ChargeResult:
        refused = _refusal(answer)
        if refused is not None:
            return refused
        tno = wire.text(answer, "tno")
        if not tno:
            # KCP said yes but gave no transaction number: nothing can be cancelled or looked up.
            raise PgOutcomeUnknown("KCP approved without a transaction number (tno)")
        charged = wire.first_amount(answer, "amount", "card_mny")
        if charged is not None and charged != amount:
            log.warning("pg.amount_differs", site_cd=self.site_cd, asked=amount, answered=charged)
        return methods.approved_from(
            answer, tno=tno, amount=charged if charged is not None else amount, pay_method=pay_method
        )

    def _billing_key(self, answer: dict[str, Any], group_id: str) -> BillingKeyIssued | Declined:
        refused = _refusal(answer)
        if refused is not None:
            return refused
        batch_key = wire.read_batch_key(answer)
        if not batch_key:
            raise PgOutcomeUnknown("KCP answered the batch-key issuance without a batch_key")
        return BillingKeyIssued(billing_key=batch_key, group_id=group_id, card=methods.card_details(answer))


def _kcp_buyer(buyer: Buyer) -> wire.Buyer:
    """The buyer as KCP's ``buyr_*`` fields ("" for what is unknown)."""
    return wire.Buyer(buyer.name or "", buyer.email or "", buyer.tel or "")


def _window_return(result: WindowResult, tran_cd: str) -> wire.WindowReturn | Declined:
    """The window's tokens, or the Declined it reported (3001: the buyer closed it).

    A window that failed is not sent to KCP; nor is one of the wrong kind (a billing-key
    window's tokens to a payment approval) or one without its tokens.
    """
    window = wire.read_window_return(result.fields)
    if window.result.code and not window.result.ok:
        return codes.declined(window.result.code, window.result.message, window.result.message_en)
    if window.tran_cd and window.tran_cd != tran_cd:
        return codes.local_decline("invalid_window_result", f"tran_cd {window.tran_cd}")
    if not window.enc_data or not window.enc_info:
        return codes.local_decline("invalid_window_result", "no enc_data/enc_info")
    return window


def _returned_card_mask(result: WindowResult) -> str:
    """The window's ``card_mask_no`` without separators: ``1234-4567-****-8910`` (``Y``) becomes
    ``12344567****8910``; ``L`` returns the last four digits only (kcp.md §6.1). Anything with a
    run of more than eight digits is not a masked number and is dropped rather than stored."""
    kept = "".join(c for c in wire.text(result.fields, "card_mask_no") if c.isdigit() or c == "*")
    if "*" in kept:
        return kept if max(len(run) for run in kept.split("*")) <= 8 else ""
    return kept if len(kept) <= 4 else ""


def _refusal(answer: dict[str, Any]) -> Declined | None:
    """The Declined for a non-success answer, None for ``0000``/``V000``."""
    result = wire.read_result(answer)
    if result.ok:
        return None
    return codes.declined(result.code, result.message, result.message_en)


def _status_from_amounts(amount: int, remaining: int) -> PgStatus:
    if remaining <= 0:
        return PgStatus.CANCELLED
    if remaining < amount:
        return PgStatus.PARTIALLY_CANCELLED
    return PgStatus.APPROVED


def _cancelled(answer: wire.CancelAnswer, request: CancelRequest, mod_type: str, *, asked: Won) -> Cancelled:
    """homeport's Cancelled: KCP's amounts when it sent them, else what was asked."""
    cancelled = answer.cancelled if answer.cancelled is not None else asked
    remaining = answer.remaining if answer.remaining is not None else request.remaining_before - cancelled
    tno = answer.tno or request.pg_tid
    cancellation_id = answer.sequence_no or f"{tno}-{mod_type}-{answer.cancelled_at or remaining}"
    return Cancelled(
        pg_tid=tno,
        cancelled_amount=cancelled,
        remaining=remaining,
        cancelled_at=methods.kcp_time_to_unix(answer.cancelled_at) or 0,
        cancellation_id=cancellation_id,
    )


def connector_for_channel(
    channel: PgChannel, *, http: httpx.AsyncClient, sandbox_base_url: str
) -> KcpConnector:
    """The connector of a merchant's KCP channel; refuses unusable credentials at start-up.

    The base URL follows the channel's environment; for stage and production the private
    key must belong to the certificate (:meth:`KcpCredentials.check_pair`).
    """
    base_url = base_url_for(channel.environment, sandbox_base_url=sandbox_base_url)
    credentials = channel_credentials(channel)
    return KcpConnector(
        credentials,
        site_cd=channel.site_code,
        base_url=base_url,
        http=http,
        group_id=channel.batch_group_id,
    )


def _check_lengths(fields: wire.DepositFields) -> None:
    """Refuse values longer than KCP documents (kcp.md §9.3-9.4, §12), so what is stored fits.

    Slack on ``site_cd`` (5) and ``tno`` (14), which KCP never sends longer anyway.
    """
    for name, value, limit in (
        ("site_cd", fields.site_cd, 10),
        ("tno", fields.tno, 20),
        ("order_no", fields.order_no, 40),
        ("op_cd", fields.op_cd, 2),
        ("noti_id", fields.noti_id, 20),
    ):
        if len(value) > limit:
            raise InvalidRequest(
                f"{name} of a KCP notification is at most {limit} characters, got {len(value)}"
            )


def read_common_notification(body: bytes, content_type: str) -> PgNotification:
    """A KCP common notification of any site (kcp.md §9); InvalidRequest if it is not one.

    homeport's notification endpoint reads it before it knows the site (one URL serves every
    merchant, as KCP registers one URL per site), so this needs no connector.
    """
    fields = wire.read_notification(wire.decode_form(body, content_type))
    _check_lengths(fields)
    if fields.tx_cd == "TX00":
        cancelled = fields.op_cd == _OP_DEPOSIT_CANCELLED
        kind = NotificationKind.DEPOSIT_CANCELLED if cancelled else NotificationKind.DEPOSIT
    else:
        kind = NotificationKind.OTHER
    # noti_id is unique per notification (§9.4); without one, what identifies this event.
    notification_id = fields.noti_id or ":".join(
        (fields.tno, fields.tx_cd, fields.tx_tm, fields.op_cd, str(fields.amount))
    )
    return PgNotification(
        kind=kind,
        notification_id=notification_id,
        pg_tid=fields.tno,
        order_id=fields.order_no,
        amount=fields.amount,
        total_deposited=fields.total,
        account=fields.account or None,
        depositor=fields.remitter[:30] or None,  # ipgm_name is <=30, remitter <=14 (§9.4)
        occurred_at=methods.kcp_time_to_unix(fields.deposited_at) or 0,
        raw_kind=f"{fields.tx_cd}/{fields.op_cd}" if fields.op_cd else fields.tx_cd,
        acknowledgement=wire.NOTIFICATION_ACK,
        acknowledgement_content_type=wire.NOTIFICATION_ACK_TYPE,
        site=fields.site_cd,
    )


def channel_credentials(channel: PgChannel) -> KcpCredentials:
    """A channel's credentials, checked: for stage and production the key must belong to
    the certificate, so a wrong pair stops homeport at start, not at the first cancel."""
    if channel.pg_provider != "kcp":
        raise ConfigurationError(f"channel {channel.id} is for {channel.pg_provider!r}, not KCP")
    if not channel.certificate_path or not channel.private_key_path:
        raise ConfigurationError(
            f"KCP channel {channel.site_code} ({channel.environment}) needs a certificate file and "
            "a private key file"
        )
    credentials = KcpCredentials.from_files(
        Path(channel.certificate_path), Path(channel.private_key_path), channel.private_key_password
    )
    if needs_pair_check(channel.environment):
        credentials.check_pair()
    return credentials
