"""i'mport wire shapes of homeport's domain objects.

Real responses list every key of an object in alphabetical order, absent values as
``null`` and absent timestamps as ``0`` (iamport-v1 §1); clients such as the Java one crash
on missing keys, so every key is always written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from homeport.domain.merchants.models import AccessToken
from homeport.domain.paging import Page
from homeport.domain.payments.models import Payment, PaymentPage

T = TypeVar("T")


def _sorted(data: dict[str, Any]) -> dict[str, Any]:
    return dict(sorted(data.items()))


def payment_to_wire(payment: Payment) -> dict[str, Any]:
    """The i'mport Payment object (§5.2)."""
    card = payment.card
    bank = payment.bank
    vbank = payment.virtual_account
    buyer = payment.buyer
    return _sorted(
        {
            "amount": payment.amount,
            "apply_num": payment.approval_number,
            "bank_code": bank.code if bank else None,
            "bank_name": bank.name if bank else None,
            "buyer_addr": buyer.addr,
            "buyer_email": buyer.email,
            "buyer_name": buyer.name,
            "buyer_postcode": buyer.postcode,
            "buyer_tel": buyer.tel,
            "cancel_amount": payment.cancelled_amount,
            "cancel_history": [
                _sorted(
                    {
                        "amount": c.amount,
                        "cancellation_id": c.cancellation_id,
                        "cancelled_at": c.cancelled_at,
                        "pg_tid": c.pg_tid,
                        "reason": c.reason,
                        "receipt_url": c.receipt_url,
                    }
                )
                for c in payment.cancellations
            ],
            "cancel_reason": payment.cancel_reason,
            "cancel_receipt_urls": [c.receipt_url for c in payment.cancellations if c.receipt_url],
            "cancelled_at": payment.cancelled_at,
            "card_code": card.company_code if card else None,
            "card_issuer_code": card.issuer_code if card else None,
            "card_issuer_name": card.issuer_name if card else None,
            "card_name": card.company_name if card else None,
            "card_number": card.masked_number if card else None,
            "card_publisher_code": card.publisher_code if card else None,
            "card_publisher_name": card.publisher_name if card else None,
            "card_quota": card.installment_months if card else 0,
            "card_type": card.card_type if card else None,
            "cash_receipt_issued": payment.cash_receipt_issued,
            "channel": payment.channel.value if payment.channel else None,
            "currency": payment.currency,
            "custom_data": payment.custom_data,
            "customer_uid": payment.customer_uid,
            "customer_uid_usage": payment.customer_uid_usage,
            # Fixed unlimited virtual accounts are not offered, so there are no deposits to list.
            "deposit_history": [],
            "emb_pg_provider": payment.emb_pg_provider,
            "escrow": payment.escrow,
            "fail_reason": payment.fail_reason,
            "failed_at": payment.failed_at,
            "imp_uid": payment.imp_uid,
            "merchant_uid": payment.merchant_uid,
            "name": payment.name,
            "paid_at": payment.paid_at,
            "pay_method": payment.pay_method,
            "pg_id": payment.pg_id,
            "pg_provider": payment.pg_provider,
            "pg_tid": payment.pg_tid,
            "promotion": None,
            "receipt_url": payment.receipt_url,
            "sandbox": payment.sandbox,
            "started_at": payment.started_at,
            "status": payment.status.value,
            "user_agent": payment.user_agent,
            "vbank_code": vbank.bank_code if vbank else None,
            "vbank_date": vbank.due_at if vbank else 0,
            "vbank_holder": vbank.holder if vbank else None,
            "vbank_issued_at": vbank.issued_at if vbank else 0,
            "vbank_name": vbank.bank_name if vbank else None,
            "vbank_num": vbank.number if vbank else None,
        }
    )


def payments_to_wire(payments: Sequence[Payment]) -> list[dict[str, Any]]:
    """A list of Payment objects."""
    return [payment_to_wire(p) for p in payments]


def paged_to_wire(page: Page[T], item_to_wire: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    """i'mport's paged list ``{total, previous, next, list}`` (§5.1) of any object."""
    return {
        "list": [item_to_wire(item) for item in page.items],
        "next": page.next,
        "previous": page.previous,
        "total": page.total,
    }


def page_to_wire(page: PaymentPage) -> dict[str, Any]:
    """A paged list of Payment objects."""
    return paged_to_wire(page, payment_to_wire)


def token_to_wire(token: AccessToken) -> dict[str, Any]:
    """The getToken response."""
    return {"access_token": token.token, "expired_at": token.expires_at, "now": token.now}


class GetTokenRequest(BaseModel):
    """``POST /users/getToken`` body."""

    model_config = ConfigDict(extra="ignore")

    imp_key: str = Field(min_length=1, max_length=200)
    imp_secret: str = Field(min_length=1, max_length=500)
