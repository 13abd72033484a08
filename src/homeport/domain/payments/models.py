"""The payment as homeport keeps it.

Statuses use i'mport's vocabulary because merchants' code branches on those exact words.
Timestamps are UNIX seconds, ``0`` meaning "not happened" as in the i'mport contract.
Names here are the domain's own; ``homeport.api.schemas`` maps them to i'mport's field names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from homeport.domain.money import Won
from homeport.domain.paging import Page


class PaymentStatus(StrEnum):
    """Where a payment stands, in i'mport's words."""

    READY = "ready"
    """Registered but not paid: window open or abandoned, or virtual account awaiting deposit."""
    PAID = "paid"
    """Approved by the PG (a partial cancel keeps it paid; see ``cancelled_amount``)."""
    FAILED = "failed"
    """Declined by the PG or refused before approval."""
    CANCELLED = "cancelled"
    """Fully cancelled (refunded)."""


class PaymentChannel(StrEnum):
    """How the payment was started: a PC or mobile window, or a server-to-server API call."""

    PC = "pc"
    MOBILE = "mobile"
    API = "api"


class SortKey(StrEnum):
    """Orderings i'mport's listing endpoints accept (``sorting``); ``-`` means newest first."""

    STARTED_DESC = "-started"
    STARTED = "started"
    PAID_DESC = "-paid"
    PAID = "paid"
    UPDATED_DESC = "-updated"
    UPDATED = "updated"

    @property
    def column(self) -> str:
        """The timestamp the ordering is on: ``started``, ``paid`` or ``updated``."""
        return self.value.lstrip("-")

    @property
    def descending(self) -> bool:
        """Whether the newest comes first."""
        return self.value.startswith("-")


@dataclass(frozen=True)
class Buyer:
    """Who pays, as the merchant described them."""

    name: str | None = None
    email: str | None = None
    tel: str | None = None
    addr: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class CardDetails:
    """What the PG told us about the card; the number is masked by the PG, never clear."""

    company_code: str | None = None
    company_name: str | None = None
    issuer_code: str | None = None
    issuer_name: str | None = None
    publisher_code: str | None = None
    publisher_name: str | None = None
    masked_number: str | None = None
    card_type: int | None = None  # 0 credit, 1 check/debit, None unknown
    installment_months: int = 0  # 0 = lump sum


@dataclass(frozen=True)
class BankDetails:
    """The buyer's bank for a real-time transfer."""

    code: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class VirtualAccount:
    """A virtual account issued for the buyer to deposit into."""

    bank_code: str | None = None
    bank_name: str | None = None
    number: str | None = None
    holder: str | None = None
    due_at: int = 0
    issued_at: int = 0


@dataclass(frozen=True)
class Cancellation:
    """One full or partial cancel, appended and never changed."""

    cancellation_id: str
    amount: Won
    cancelled_at: int
    pg_tid: str | None = None
    reason: str | None = None
    receipt_url: str | None = None


@dataclass(frozen=True)
class Payment:
    """A payment of one merchant, identified by ``imp_uid``."""

    imp_uid: str
    merchant_id: int
    merchant_uid: str
    amount: Won
    status: PaymentStatus
    started_at: int
    updated_at: int
    currency: str = "KRW"
    name: str | None = None
    pay_method: str | None = None
    channel: PaymentChannel | None = None
    pg_provider: str | None = None
    emb_pg_provider: str | None = None
    pg_tid: str | None = None
    pg_id: str | None = None
    sandbox: bool = False
    escrow: bool = False
    approval_number: str | None = None
    card: CardDetails | None = None
    bank: BankDetails | None = None
    virtual_account: VirtualAccount | None = None
    buyer: Buyer = field(default_factory=Buyer)
    custom_data: str | None = None
    user_agent: str | None = None
    notice_url: str | None = None
    paid_at: int = 0
    failed_at: int = 0
    cancelled_at: int = 0
    fail_reason: str | None = None
    cancel_reason: str | None = None
    receipt_url: str | None = None
    tax_free: Won = 0
    cash_receipt_issued: bool = False
    customer_uid: str | None = None
    customer_uid_usage: str | None = None
    cancellations: tuple[Cancellation, ...] = ()

    @property
    def cancelled_amount(self) -> Won:
        """The sum refunded so far, derived from the cancellations (never stored twice)."""
        return sum(c.amount for c in self.cancellations)


#: One page of payments (``/payments/findAll``, ``/payments/status``).
PaymentPage = Page[Payment]


@dataclass(frozen=True)
class TimeRange:
    """``since <= t <= until`` on the timestamp that matches a status (see ``status_timestamp``)."""

    since: int
    until: int


def status_timestamp(status: PaymentStatus | None) -> str:
    """The timestamp a status listing filters on, as the contract defines it.

    ``/payments/status/{status}`` compares ``from``/``to`` against started_at for ready,
    paid_at for paid, cancelled_at for cancelled and failed_at for failed; ``all`` uses
    started_at.
    """
    return (
        {
            PaymentStatus.PAID: "paid",
            PaymentStatus.CANCELLED: "cancelled",
            PaymentStatus.FAILED: "failed",
        }.get(status, "started")
        if status
        else "started"
    )
