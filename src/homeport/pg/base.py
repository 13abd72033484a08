"""The one narrow protocol between homeport and a PG, with its typed requests and results.

Everything PG-specific (KCP's field names, codes, signing, hosts) lives behind
:class:`PgConnector`, in ``homeport.pg.kcp``. Callers see three kinds of outcome:

- a result value: :class:`Approved`, :class:`BillingKeyIssued`, :class:`Cancelled`,
  :class:`EscrowRegistered`, ...;
- a :class:`Declined` value: the PG said no (card refused, amount mismatch, over-cancel...),
  with our stable ``reason`` and the PG's own code and message;
- one of two exceptions from ``homeport.domain.errors``: ``PgUnavailable`` (provably not
  processed, safe to retry) or ``PgOutcomeUnknown`` (sent but no readable answer: never
  charge again; settle by :meth:`PgConnector.inquire` or a cancel).

Amounts are whole won. Times are UNIX seconds. Bank codes are the KFTC 3-digit codes i'mport
uses (``004`` 국민, ``088`` 신한...); escrow carriers are i'mport's codes (``CJGLS``...).
Payment methods use homeport's vocabulary,
which is i'mport's ``pay_method`` (``card``, ``trans``, ``vbank``, ``phone``, ``point``,
``cultureland``, ``smartculture``, ``happymoney``, ``booknlife``, ``kakaopay``, ``naverpay``,
``payco``, ``samsung``, ``applepay``, ``lpay``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from homeport.domain.money import Won
from homeport.domain.payments.models import BankDetails, CardDetails, VirtualAccount


@dataclass(frozen=True)
class Buyer:
    """Who pays, as passed on to the PG."""

    name: str | None = None
    email: str | None = None
    tel: str | None = None


@dataclass(frozen=True)
class Declined:
    """The PG refused. ``reason`` is homeport's stable code; the rest is for people."""

    reason: str
    message: str
    message_en: str
    hint: str
    pg_code: str
    pg_message: str


@dataclass(frozen=True)
class CartLine:
    """One line of an escrow cart shown in the window; ``amount`` is the line's total."""

    order_number: str
    name: str
    quantity: int
    amount: Won


@dataclass(frozen=True)
class WindowOptions:
    """How the merchant asked the window to look and what it may offer (``request_pay``).

    Card companies are i'mport's card codes (``361`` BC..., ``*`` for every card); the
    connector turns them into its PG's codes and drops the ones it does not know.
    """

    #: Installment months the window may offer; None lets the PG offer its default.
    offered_quotas: tuple[int, ...] | None = None
    #: One installment plan fixed by the merchant (0 or 1: lump sum).
    fixed_quota: int | None = None
    #: Open this card company directly.
    direct_card: str | None = None
    #: (card code or ``*``, enabled): cards the window lists or hides, in the merchant's order.
    cards: tuple[tuple[str, bool], ...] = ()
    app_card_only: bool = False
    key_in: bool = False
    #: The merchant's id for the buyer (needed by gift certificates).
    shop_user_id: str | None = None
    site_logo: str | None = None
    shop_name: str | None = None
    language: str = "ko"
    escrow_cart: tuple[CartLine, ...] = ()
    tax_free: Won = 0
    #: The virtual account's deposit deadline (UNIX seconds).
    vbank_due: int | None = None
    #: The buyer's phone number, filled in for phone payments.
    phone: str | None = None


@dataclass(frozen=True)
class TradeRequest:
    """A window's order: registered before a mobile window (KCP requires it), or the PC form."""

    order_id: str
    amount: Won
    name: str
    pay_method: str
    return_url: str
    user_agent: str = ""
    escrow: bool = False
    billing_group_id: str | None = None  # for a billing-key window
    buyer: Buyer = field(default_factory=Buyer)
    options: WindowOptions = field(default_factory=WindowOptions)


@dataclass(frozen=True)
class TradeRegistration:
    """What the window needs: the approval key, the trace number and the window URL.

    ``form`` is the order form a page POSTs to ``action`` to open the window, in the PG's own
    field names (built by the connector so checkout code never spells them). ``action`` is
    ``pay_url`` unless the PG routes the form elsewhere (KCP's UTF-8 filter).
    """

    approval_key: str
    trace_no: str
    pay_url: str
    form: Mapping[str, str] = field(default_factory=dict)
    action: str = ""


@dataclass(frozen=True)
class PcWindow:
    """A PC window: the PG's script a page loads, and the order form it hands to that script.

    ``host_script`` names the connector's template (in ``homeport.pg.TEMPLATE_DIRS``) that a
    page includes before the script: the PG's browser glue, defining ``homeportOpenWindow(form)``
    and calling the page's ``homeportWindowDone(form)`` with the PG's result copied in.
    """

    script_url: str
    form: Mapping[str, str]
    host_script: str


@dataclass(frozen=True)
class WindowResult:
    """Everything a PG window posted back to homeport's return URL, passed on unread.

    Only the connector knows the PG's field names (for KCP: ``res_cd``, ``enc_data``,
    ``enc_info``, ``tran_cd``), so checkout code hands the whole form over and stays
    PG-neutral. A window that reports a failure (the buyer closed it) approves to Declined.
    """

    fields: Mapping[str, str]

    def __repr__(self) -> str:
        return f"WindowResult(<{len(self.fields)} fields>)"


@dataclass(frozen=True)
class Approved:
    """A payment the PG approved (for a virtual account: issued, awaiting deposit)."""

    pg_tid: str
    amount: Won
    approved_at: int
    pay_method: str
    approval_number: str | None = None
    card: CardDetails | None = None
    bank: BankDetails | None = None
    virtual_account: VirtualAccount | None = None
    emb_pg_provider: str | None = None
    receipt_url: str | None = None
    partial_cancel_allowed: bool = True
    escrow: bool = False


@dataclass(frozen=True)
class CardInput:
    """A card typed in by the buyer or the merchant (key-in). Never stored, never logged."""

    number: str
    expiry: str  # YYYY-MM, as i'mport sends it
    birth: str | None = None  # YYMMDD or a 10-digit business number
    password_2digit: str | None = None

    def __repr__(self) -> str:
        return "CardInput(<redacted>)"


@dataclass(frozen=True)
class BillingKeyIssued:
    """A billing key (KCP batch key). The key is a secret: store it sealed."""

    billing_key: str = field(repr=False)
    group_id: str
    card: CardDetails


@dataclass(frozen=True)
class Charge:
    """A server-side card charge: with a billing key, or with a card typed in (key-in)."""

    order_id: str
    amount: Won
    name: str
    buyer: Buyer = field(default_factory=Buyer)
    installment_months: int = 0
    billing_key: str | None = field(default=None, repr=False)
    billing_group_id: str | None = None
    card: CardInput | None = None
    customer_ip: str = ""


@dataclass(frozen=True)
class VirtualAccountRequest:
    """A virtual account issued by API, without a window (i'mport ``POST /vbanks``, iamport-v1.md §4.6).

    ``bank_code`` is the KFTC 3-digit code of the bank to open it at (i'mport's
    ``vbank_code``), ``due_at`` the deposit deadline in UNIX seconds (``vbank_due``).
    ``holder`` is the account name the merchant asks for (``vbank_holder``): PGs that name the
    account themselves ignore it (KCP does), so the name to show is the result's
    ``virtual_account.holder``. ``tax_free`` is the tax-free part of ``amount``.

    The result is an :class:`Approved` with ``pay_method`` ``vbank`` and ``virtual_account``
    filled, awaiting deposit (the deposit arrives as a :class:`PgNotification`). An unpaid
    account is revoked with :meth:`PgConnector.cancel`: a full cancel with ``deposited`` False.
    """

    order_id: str
    amount: Won
    name: str
    bank_code: str
    due_at: int
    holder: str | None = None
    buyer: Buyer = field(default_factory=Buyer)
    tax_free: Won = 0
    escrow: bool = False


@dataclass(frozen=True)
class RefundAccount:
    """Where a virtual-account or transfer refund goes."""

    bank_code: str
    account: str
    holder: str
    tel: str | None = None


@dataclass(frozen=True)
class CancelRequest:
    """A full (``amount`` None) or partial cancel of an approved payment.

    A virtual account not paid yet (``deposited`` False) is revoked by a full cancel: the
    account is closed and takes no deposit. A paid one (``deposited`` True) is refunded to
    ``refund``.
    """

    pg_tid: str
    pay_method: str
    amount: Won | None
    remaining_before: Won
    reason: str = ""
    refund: RefundAccount | None = None
    deposited: bool = False  # a virtual account that was paid is refunded, not cancelled


@dataclass(frozen=True)
class Cancelled:
    """A cancel the PG accepted."""

    pg_tid: str
    cancelled_amount: Won
    remaining: Won
    cancelled_at: int
    cancellation_id: str


@dataclass(frozen=True)
class EscrowParty:
    """Who sends or receives an escrow shipment (i'mport's ``sender``/``receiver``, §4.5).

    Personal data: only the name shows in ``repr``.
    """

    name: str | None = None
    tel: str | None = field(default=None, repr=False)
    address: str | None = field(default=None, repr=False)
    postcode: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class EscrowDelivery:
    """The shipment of an escrow payment's goods (i'mport ``POST /escrows/logis``, iamport-v1.md §4.5).

    ``company`` is i'mport's carrier code (``CJGLS``, ``HANJIN``, ``EPOST``, ... ``ETC``; an
    unknown code counts as ``ETC``), ``invoice`` the waybill number, ``sent_at`` when the goods
    left (UNIX seconds). A PG takes what it knows of the parties; KCP takes none of them.
    """

    pg_tid: str
    company: str
    invoice: str
    sent_at: int
    sender: EscrowParty = field(default_factory=EscrowParty)
    receiver: EscrowParty = field(default_factory=EscrowParty)


@dataclass(frozen=True)
class EscrowRegistered:
    """A shipment the PG registered for an escrow payment (i'mport's EscrowLogis)."""

    pg_tid: str
    company: str  # the carrier code as registered (unknown codes become ``ETC``)
    invoice: str
    sent_at: int
    #: When the PG registered it; 0 when the PG did not say (the caller stamps its own clock).
    registered_at: int = 0


class PgStatus(StrEnum):
    """Where the PG says a transaction stands."""

    APPROVED = "approved"
    PARTIALLY_CANCELLED = "partially_cancelled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Inquiry:
    """The PG's view of a transaction."""

    pg_tid: str
    status: PgStatus
    amount: Won
    remaining: Won
    order_id: str | None = None


class NotificationKind(StrEnum):
    """What a PG notification reports."""

    DEPOSIT = "deposit"
    DEPOSIT_CANCELLED = "deposit_cancelled"
    OTHER = "other"


@dataclass(frozen=True)
class PgNotification:
    """A parsed PG notification (KCP's common notification)."""

    kind: NotificationKind
    notification_id: str
    pg_tid: str
    order_id: str
    amount: Won = 0
    total_deposited: Won = 0
    account: str | None = None
    depositor: str | None = None
    occurred_at: int = 0
    raw_kind: str = ""
    #: The body the PG expects back once the notification is processed.
    acknowledgement: str = ""
    acknowledgement_content_type: str = "text/html"
    #: The PG merchant id it concerns (KCP's site code), i.e. a payment's ``pg_id``.
    site: str = ""


ChargeResult = Approved | Declined


class PgConnector(Protocol):
    """One PG channel. Implementations raise only PgUnavailable and PgOutcomeUnknown."""

    async def register_trade(self, request: TradeRequest) -> TradeRegistration | Declined:
        """Register a trade so a (mobile) window can be opened."""
        ...

    async def approve(
        self, result: WindowResult, *, order_id: str, amount: Won, pay_method: str
    ) -> ChargeResult:
        """Approve what the buyer authenticated, for the amount homeport stored."""
        ...

    def pc_window(self, request: TradeRequest) -> PcWindow:
        """The PC window's script and order form (no registration: nothing is sent)."""
        ...

    async def issue_billing_key(self, result: WindowResult) -> BillingKeyIssued | Declined:
        """Turn a billing-key window's result into a billing key."""
        ...

    async def issue_billing_key_keyin(
        self, card: CardInput, *, group_id: str | None = None
    ) -> BillingKeyIssued | Declined:
        """Issue a billing key from a card typed in (no window)."""
        ...

    async def charge(self, charge: Charge) -> ChargeResult:
        """Charge a billing key or a typed-in card."""
        ...

    async def cancel(self, request: CancelRequest) -> Cancelled | Declined:
        """Cancel all or part of an approved payment."""
        ...

    async def inquire(self, pg_tid: str, pay_method: str) -> Inquiry | Declined:
        """Ask the PG where a transaction stands."""
        ...

    async def delete_billing_key(self, billing_key: str, *, group_id: str | None = None) -> Declined | None:
        """Delete a billing key at the PG."""
        ...

    async def issue_virtual_account(self, request: VirtualAccountRequest) -> ChargeResult:
        """Issue a virtual account without a window: Approved (``vbank``, awaiting deposit)."""
        ...

    async def register_escrow_delivery(self, delivery: EscrowDelivery) -> EscrowRegistered | Declined:
        """Register the shipment of an escrow payment; a payment without escrow is Declined."""
        ...

    def parse_notification(self, body: bytes, content_type: str) -> PgNotification:
        """Read a PG notification (raises InvalidRequest if it is not one)."""
        ...

    def read_window_return(self, body: bytes, content_type: str) -> WindowResult:
        """The form a window posted to the return URL, decoded in the PG's charset (raises
        InvalidRequest if it is not a form)."""
        ...
