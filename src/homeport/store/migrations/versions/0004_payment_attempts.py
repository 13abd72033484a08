"""payment attempts and one live payment per merchant_uid

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_LIVE = sa.text("status <> 'failed'")


def upgrade() -> None:
    op.create_table(
        "payment_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("imp_uid", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("pg_provider", sa.String(length=32), nullable=False),
        sa.Column("pg_id", sa.String(length=80), nullable=False),
        sa.Column("pg_tid", sa.String(length=64), nullable=True),
        sa.Column("pg_code", sa.String(length=16), nullable=True),
        sa.Column("pg_message", sa.Text(), nullable=True),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imp_uid"], ["payments.imp_uid"], name=op.f("fk_payment_attempts_imp_uid_payments")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_payment_attempts_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_attempts")),
    )
    op.create_index(op.f("ix_payment_attempts_imp_uid"), "payment_attempts", ["imp_uid"], unique=False)
    op.create_index(
        op.f("ix_payment_attempts_state_started_at"),
        "payment_attempts",
        ["state", "started_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_payments_merchant_id_customer_uid_started_at"),
        "payments",
        ["merchant_id", "customer_uid", "started_at"],
        unique=False,
    )
    op.create_index(
        "ux_payments_live_merchant_uid",
        "payments",
        ["merchant_id", "merchant_uid"],
        unique=True,
        sqlite_where=_LIVE,
        postgresql_where=_LIVE,
    )


def downgrade() -> None:
    op.drop_index("ux_payments_live_merchant_uid", table_name="payments")
    op.drop_index(op.f("ix_payments_merchant_id_customer_uid_started_at"), table_name="payments")
    op.drop_index(op.f("ix_payment_attempts_state_started_at"), table_name="payment_attempts")
    op.drop_index(op.f("ix_payment_attempts_imp_uid"), table_name="payment_attempts")
    op.drop_table("payment_attempts")
