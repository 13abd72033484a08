"""payment schedules

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:44:26.162125
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_schedules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("merchant_uid", sa.String(length=40), nullable=False),
        sa.Column("customer_uid", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("schedule_at", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_free", sa.BigInteger(), nullable=False),
        sa.Column("vat_amount", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("buyer_name", sa.String(length=64), nullable=True),
        sa.Column("buyer_email", sa.String(length=128), nullable=True),
        sa.Column("buyer_tel", sa.String(length=32), nullable=True),
        sa.Column("buyer_addr", sa.String(length=256), nullable=True),
        sa.Column("buyer_postcode", sa.String(length=16), nullable=True),
        sa.Column("custom_data", sa.Text(), nullable=True),
        sa.Column("notice_url", sa.Text(), nullable=True),
        sa.Column("card_quota", sa.Integer(), nullable=False),
        sa.Column("interest_free_by_merchant", sa.Boolean(), nullable=True),
        sa.Column("use_card_point", sa.Boolean(), nullable=True),
        sa.Column("product_type", sa.String(length=16), nullable=True),
        sa.Column("product_count", sa.Integer(), nullable=True),
        sa.Column("cash_receipt_type", sa.String(length=16), nullable=True),
        sa.Column("browser_ip", sa.String(length=64), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("bypass", sa.Text(), nullable=True),
        sa.Column("promotion_id", sa.String(length=100), nullable=True),
        sa.Column("pg_provider", sa.String(length=32), nullable=False),
        sa.Column("pg_id", sa.String(length=80), nullable=False),
        sa.Column("imp_uid", sa.String(length=32), nullable=True),
        sa.Column("payment_status", sa.String(length=16), nullable=True),
        sa.Column("fail_reason", sa.Text(), nullable=True),
        sa.Column("executed_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_payment_schedules_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_schedules")),
        sa.UniqueConstraint(
            "merchant_id", "merchant_uid", name=op.f("uq_payment_schedules_merchant_id_merchant_uid")
        ),
    )
    with op.batch_alter_table("payment_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_schedules_merchant_id_customer_uid_schedule_at"),
            ["merchant_id", "customer_uid", "schedule_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_payment_schedules_merchant_id_schedule_at"),
            ["merchant_id", "schedule_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_payment_schedules_status_schedule_at"), ["status", "schedule_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_schedules_status_schedule_at"))
        batch_op.drop_index(batch_op.f("ix_payment_schedules_merchant_id_schedule_at"))
        batch_op.drop_index(batch_op.f("ix_payment_schedules_merchant_id_customer_uid_schedule_at"))

    op.drop_table("payment_schedules")
