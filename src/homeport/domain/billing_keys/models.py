"""A stored billing key and the customer details kept with it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CustomerInfo:
    """Who the card belongs to, as the merchant described them (all optional)."""

    name: str | None = None
    tel: str | None = None
    email: str | None = None
    addr: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class BillingKey:
    """A billing key of one merchant's customer_uid. ``billing_key`` is secret: sealed at rest.

    The card is described only by what is safe to show: its company and a masked number.
    """

    customer_uid: str
    billing_key: str = field(repr=False)
    group_id: str
    pg_provider: str
    pg_id: str
    sandbox: bool
    card_code: str | None
    card_name: str | None
    card_number: str | None  # masked
    card_type: int | None  # 0 credit, 1 check/debit, None unknown
    customer: CustomerInfo
    inserted: int
    updated: int
    deleted_at: int | None = None
