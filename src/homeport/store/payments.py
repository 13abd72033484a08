"""SQL repository for payments and their cancellations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from homeport.domain.errors import DuplicatePayment
from homeport.domain.paging import PageRequest
from homeport.domain.payments.models import (
    BankDetails,
    Buyer,
    Cancellation,
    CardDetails,
    Payment,
    PaymentChannel,
    PaymentStatus,
    SortKey,
    TimeRange,
    VirtualAccount,
    status_timestamp,
)
from homeport.store.tables import payment_cancellations, payments

_TIMESTAMP_COLUMNS = {
    "started": payments.c.started_at,
    "paid": payments.c.paid_at,
    "cancelled": payments.c.cancelled_at,
    "failed": payments.c.failed_at,
    "updated": payments.c.updated_at,
}


def buyer_columns(buyer: Buyer) -> dict[str, Any]:
    """The ``buyer_*`` columns (payments, and schedules that will become payments)."""
    return {
        "buyer_name": buyer.name,
        "buyer_email": buyer.email,
        "buyer_tel": buyer.tel,
        "buyer_addr": buyer.addr,
        "buyer_postcode": buyer.postcode,
    }


def buyer_from_row(row: RowMapping) -> Buyer:
    """The buyer of a row with ``buyer_*`` columns."""
    return Buyer(
        name=row["buyer_name"],
        email=row["buyer_email"],
        tel=row["buyer_tel"],
        addr=row["buyer_addr"],
        postcode=row["buyer_postcode"],
    )


def payment_row(payment: Payment) -> dict[str, Any]:
    """The payments-table row for a payment (cancellations live in their own table)."""
    card = payment.card or CardDetails()
    bank = payment.bank or BankDetails()
    vbank = payment.virtual_account or VirtualAccount()
    return {
        "imp_uid": payment.imp_uid,
        "merchant_id": payment.merchant_id,
        "merchant_uid": payment.merchant_uid,
        "status": payment.status.value,
        "amount": payment.amount,
        "currency": payment.currency,
        "tax_free": payment.tax_free,
        "name": payment.name,
        "pay_method": payment.pay_method,
        "channel": payment.channel.value if payment.channel else None,
        "pg_provider": payment.pg_provider,
        "emb_pg_provider": payment.emb_pg_provider,
        "pg_tid": payment.pg_tid,
        "pg_id": payment.pg_id,
        "sandbox": payment.sandbox,
        "escrow": payment.escrow,
        "approval_number": payment.approval_number,
        "card_company_code": card.company_code,
        "card_company_name": card.company_name,
        "card_issuer_code": card.issuer_code,
        "card_issuer_name": card.issuer_name,
        "card_publisher_code": card.publisher_code,
        "card_publisher_name": card.publisher_name,
        "card_masked_number": card.masked_number,
        "card_type": card.card_type,
        "card_installment_months": card.installment_months,
        "bank_code": bank.code,
        "bank_name": bank.name,
        "vbank_code": vbank.bank_code,
        "vbank_name": vbank.bank_name,
        "vbank_number": vbank.number,
        "vbank_holder": vbank.holder,
        "vbank_due_at": vbank.due_at,
        "vbank_issued_at": vbank.issued_at,
        **buyer_columns(payment.buyer),
        "custom_data": payment.custom_data,
        "user_agent": payment.user_agent,
        "notice_url": payment.notice_url,
        "started_at": payment.started_at,
        "paid_at": payment.paid_at,
        "failed_at": payment.failed_at,
        "cancelled_at": payment.cancelled_at,
        "updated_at": payment.updated_at,
        "fail_reason": payment.fail_reason,
        "cancel_reason": payment.cancel_reason,
        "receipt_url": payment.receipt_url,
        "cash_receipt_issued": payment.cash_receipt_issued,
        "customer_uid": payment.customer_uid,
        "customer_uid_usage": payment.customer_uid_usage,
    }


def _payment(row: RowMapping, cancellations: Sequence[Cancellation]) -> Payment:
    card_fields = (
        row["card_company_code"],
        row["card_company_name"],
        row["card_masked_number"],
        row["card_issuer_code"],
        row["card_publisher_code"],
    )
    card = (
        CardDetails(
            company_code=row["card_company_code"],
            company_name=row["card_company_name"],
            issuer_code=row["card_issuer_code"],
            issuer_name=row["card_issuer_name"],
            publisher_code=row["card_publisher_code"],
            publisher_name=row["card_publisher_name"],
            masked_number=row["card_masked_number"],
            card_type=row["card_type"],
            installment_months=row["card_installment_months"],
        )
        if any(card_fields) or row["card_installment_months"]
        else None
    )
    bank = BankDetails(row["bank_code"], row["bank_name"]) if row["bank_code"] or row["bank_name"] else None
    vbank = (
        VirtualAccount(
            bank_code=row["vbank_code"],
            bank_name=row["vbank_name"],
            number=row["vbank_number"],
            holder=row["vbank_holder"],
            due_at=row["vbank_due_at"],
            issued_at=row["vbank_issued_at"],
        )
        # A due date alone is a window's vbank_due kept for its approval (decision 0005).
        if row["vbank_number"] or row["vbank_code"] or row["vbank_due_at"]
        else None
    )
    return Payment(
        imp_uid=row["imp_uid"],
        merchant_id=row["merchant_id"],
        merchant_uid=row["merchant_uid"],
        amount=row["amount"],
        status=PaymentStatus(row["status"]),
        started_at=row["started_at"],
        updated_at=row["updated_at"],
        currency=row["currency"],
        name=row["name"],
        pay_method=row["pay_method"],
        channel=PaymentChannel(row["channel"]) if row["channel"] else None,
        pg_provider=row["pg_provider"],
        emb_pg_provider=row["emb_pg_provider"],
        pg_tid=row["pg_tid"],
        pg_id=row["pg_id"],
        sandbox=row["sandbox"],
        escrow=row["escrow"],
        approval_number=row["approval_number"],
        card=card,
        bank=bank,
        virtual_account=vbank,
        buyer=buyer_from_row(row),
        custom_data=row["custom_data"],
        user_agent=row["user_agent"],
        notice_url=row["notice_url"],
        paid_at=row["paid_at"],
        failed_at=row["failed_at"],
        cancelled_at=row["cancelled_at"],
        fail_reason=row["fail_reason"],
        cancel_reason=row["cancel_reason"],
        receipt_url=row["receipt_url"],
        tax_free=row["tax_free"],
        cash_receipt_issued=row["cash_receipt_issued"],
        customer_uid=row["customer_uid"],
        customer_uid_usage=row["customer_uid_usage"],
        cancellations=tuple(cancellations),
    )


class SqlPaymentRepository:
    """Implements ``homeport.domain.payments.repository.PaymentRepository``."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, payment: Payment) -> None:
        try:
            # A savepoint, so the unique-index violation can be told apart and reported.
            async with self._conn.begin_nested():
                await self._conn.execute(insert(payments).values(**payment_row(payment)))
        except IntegrityError as exc:
            if "merchant_uid" in str(exc.orig):
                raise DuplicatePayment(payment.merchant_uid) from None
            raise
        for cancellation in payment.cancellations:
            await self.add_cancellation(payment.imp_uid, cancellation)

    async def add_cancellation(self, imp_uid: str, cancellation: Cancellation) -> None:
        await self._conn.execute(
            insert(payment_cancellations).values(
                imp_uid=imp_uid,
                cancellation_id=cancellation.cancellation_id,
                amount=cancellation.amount,
                cancelled_at=cancellation.cancelled_at,
                pg_tid=cancellation.pg_tid,
                reason=cancellation.reason,
                receipt_url=cancellation.receipt_url,
            )
        )

    async def replace(self, payment: Payment, *, expected: PaymentStatus) -> bool:
        row = payment_row(payment)
        for fixed in ("imp_uid", "merchant_id", "merchant_uid", "started_at"):
            del row[fixed]
        result = await self._conn.execute(
            update(payments)
            .where(payments.c.imp_uid == payment.imp_uid, payments.c.status == expected.value)
            .values(**row)
        )
        return result.rowcount == 1

    async def lock(self, merchant_id: int, imp_uid: str) -> Payment | None:
        query = select(payments).where(payments.c.merchant_id == merchant_id, payments.c.imp_uid == imp_uid)
        # SQLite write transactions already hold the single write lock (BEGIN IMMEDIATE).
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        found = await self._load(query)
        return found[0] if found else None

    async def find_live(self, merchant_id: int, merchant_uid: str) -> Payment | None:
        found = await self._load(
            select(payments).where(
                payments.c.merchant_id == merchant_id,
                payments.c.merchant_uid == merchant_uid,
                payments.c.status != PaymentStatus.FAILED.value,
            )
        )
        return found[0] if found else None

    async def get(self, merchant_id: int, imp_uid: str) -> Payment | None:
        found = await self._load(
            select(payments).where(payments.c.merchant_id == merchant_id, payments.c.imp_uid == imp_uid)
        )
        return found[0] if found else None

    async def get_many(self, merchant_id: int, imp_uids: Sequence[str]) -> list[Payment]:
        if not imp_uids:
            return []
        return await self._load(
            select(payments).where(
                payments.c.merchant_id == merchant_id, payments.c.imp_uid.in_(list(imp_uids))
            )
        )

    async def search(
        self,
        merchant_id: int,
        *,
        merchant_uid: str | None,
        status: PaymentStatus | None,
        time_range: TimeRange | None,
        sorting: SortKey,
        page: PageRequest,
        customer_uid: str | None = None,
    ) -> tuple[int, list[Payment]]:
        conditions: list[ColumnElement[bool]] = [payments.c.merchant_id == merchant_id]
        if merchant_uid is not None:
            conditions.append(payments.c.merchant_uid == merchant_uid)
        if customer_uid is not None:
            conditions.append(payments.c.customer_uid == customer_uid)
        if status is not None:
            conditions.append(payments.c.status == status.value)
        if time_range is not None:
            column = _TIMESTAMP_COLUMNS[status_timestamp(status)]
            conditions.append(column.between(time_range.since, time_range.until))
        total = await self._conn.scalar(select(func.count()).select_from(payments).where(*conditions))
        order = _TIMESTAMP_COLUMNS[sorting.column]
        # Ties (same second) are broken first by liveness, then by imp_uid for stable paging.
        # Of the payments sharing a merchant_uid, the one that is not failed is always the
        # newest (it blocks new ones while it lives), so a retry paid in the same second as its
        # declined predecessor still comes first in "-started" order (``find`` returns it).
        live = case((payments.c.status != PaymentStatus.FAILED.value, 1), else_=0)
        ordering = (
            (order.desc(), live.desc(), payments.c.imp_uid.desc())
            if sorting.descending
            else (order, live, payments.c.imp_uid)
        )
        rows = await self._load(
            select(payments).where(*conditions).order_by(*ordering).offset(page.offset).limit(page.limit)
        )
        return int(total or 0), rows

    async def expired_virtual_accounts(self, *, due_before: int, limit: int) -> list[Payment]:
        # (status, vbank_due_at) index: ix_payments_status_vbank_due_at (migration 0011).
        return await self._load(
            select(payments)
            .where(
                payments.c.status == PaymentStatus.READY.value,
                payments.c.pay_method == "vbank",
                payments.c.vbank_due_at > 0,
                payments.c.vbank_due_at < due_before,
                payments.c.pg_tid.is_not(None),
            )
            .order_by(payments.c.vbank_due_at, payments.c.imp_uid)
            .limit(limit)
        )

    async def _load(self, query: Select[Any]) -> list[Payment]:
        rows = list((await self._conn.execute(query)).mappings())
        if not rows:
            return []
        history: dict[str, list[Cancellation]] = defaultdict(list)
        result = await self._conn.execute(
            select(payment_cancellations)
            .where(payment_cancellations.c.imp_uid.in_([r["imp_uid"] for r in rows]))
            .order_by(payment_cancellations.c.cancelled_at, payment_cancellations.c.id)
        )
        for c in result.mappings():
            history[c["imp_uid"]].append(
                Cancellation(
                    cancellation_id=c["cancellation_id"],
                    amount=c["amount"],
                    cancelled_at=c["cancelled_at"],
                    pg_tid=c["pg_tid"],
                    reason=c["reason"],
                    receipt_url=c["receipt_url"],
                )
            )
        return [_payment(r, history[r["imp_uid"]]) for r in rows]
