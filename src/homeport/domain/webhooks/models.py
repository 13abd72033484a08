"""Webhook events, their deliveries and the merchant's webhook settings.

An *event* is written in the transaction that changes a payment (``changes.store_change``);
whether it is sent is decided then and recorded with it (``decision``). Each destination URL
gets one *delivery*, retried by the outbox worker; every HTTP try is an *attempt*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from homeport.domain.payments.models import PaymentStatus


class EventKind(StrEnum):
    """What happened to a payment, finer than the status the webhook body carries."""

    PAID = "paid"
    """Approved (card, transfer, billing key) or a virtual account fully deposited (§6: sent)."""
    VBANK_ISSUED = "vbank_issued"
    """A virtual account issued, status ``ready`` (§6: sent)."""
    FAILED = "failed"
    """A checkout or API payment failed (§6: **not** sent by default)."""
    SCHEDULE_PAID = "schedule_paid"
    """A scheduled payment was charged (§6: sent)."""
    SCHEDULE_FAILED = "schedule_failed"
    """A scheduled payment's charge failed (§6: sent)."""
    CANCELLED = "cancelled"
    """Cancelled by an operator, not by the merchant's API (§6's console cancel: sent)."""
    API_CANCELLED = "api_cancelled"
    """Cancelled or a virtual account revoked by the merchant's API (§6: sent only when the request
    says ``enable_webhook=true``, or when the merchant subscribes to all of them)."""
    DEPOSIT_CANCELLED = "deposit_cancelled"
    """The bank took a deposit back (KCP op_cd 13): ``paid`` -> ``ready``. homeport's choice (§6
    is silent): sent, the merchant must stop shipping."""
    VBANK_EXPIRED = "vbank_expired"
    """An unpaid virtual account passed its due date: ``ready`` -> ``cancelled``. homeport's
    choice (§6 is silent): sent."""


#: What the contract sends without being asked (§6), plus homeport's two silent-case choices.
DEFAULT_KINDS = frozenset(
    {
        EventKind.PAID,
        EventKind.VBANK_ISSUED,
        EventKind.SCHEDULE_PAID,
        EventKind.SCHEDULE_FAILED,
        EventKind.CANCELLED,
        EventKind.DEPOSIT_CANCELLED,
        EventKind.VBANK_EXPIRED,
    }
)


class WebhookFormat(StrEnum):
    """The body's content type, chosen per merchant as in i'mport's console (§6)."""

    JSON = "json"
    FORM = "form"


class Decision(StrEnum):
    """Whether an event is sent, decided when it is written."""

    SEND = "send"
    NOT_SUBSCRIBED = "not_subscribed"
    """The merchant does not receive this kind (and the request did not ask for it)."""
    NO_ENDPOINT = "no_endpoint"
    """Neither the payment's notice_url nor the merchant's default URL exists."""


class DeliveryState(StrEnum):
    """Where one delivery of an event to one URL stands."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    """Retried until the horizon without a 2xx; a redelivery can still be asked for."""


@dataclass(frozen=True)
class WebhookSettings:
    """A merchant's webhook settings; ``secret`` is clear here and sealed at rest."""

    merchant_id: int
    url: str | None = None
    format: WebhookFormat = WebhookFormat.JSON
    kinds: frozenset[EventKind] = DEFAULT_KINDS
    secret: str | None = None


@dataclass(frozen=True)
class WebhookEvent:
    """One payment change worth telling the merchant about. ``id`` is the ``webhook-id`` header,
    the same on every retry and redelivery (Standard Webhooks: receivers deduplicate on it)."""

    id: str
    merchant_id: int
    imp_uid: str
    merchant_uid: str
    kind: EventKind
    status: PaymentStatus
    created_at: int
    decision: Decision
    cancellation_id: str | None = None
    #: None: not a merchant API request; True/False: the request's ``enable_webhook``.
    requested: bool | None = None


@dataclass(frozen=True)
class Attempt:
    """One HTTP try of a delivery."""

    attempted_at: int
    duration_ms: int
    http_status: int | None = None
    error: str | None = None
    response_body: str | None = None

    @property
    def succeeded(self) -> bool:
        """A 2xx answer (§6 asks for 200; any 2xx is taken as received, as Standard Webhooks)."""
        return self.http_status is not None and 200 <= self.http_status < 300


@dataclass(frozen=True)
class Delivery:
    """An event on its way to one URL."""

    id: int
    event_id: str
    url: str
    format: WebhookFormat
    state: DeliveryState
    attempt_count: int
    next_attempt_at: int
    created_at: int
    claimed_until: int = 0
    finished_at: int = 0
    attempts: tuple[Attempt, ...] = ()


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery leased to one worker, with what sending it needs."""

    delivery: Delivery
    event: WebhookEvent
    secret: str


@dataclass(frozen=True)
class EventRecord:
    """An event with its deliveries and their attempts (``homeport webhook list``)."""

    event: WebhookEvent
    deliveries: tuple[Delivery, ...] = field(default_factory=tuple)
