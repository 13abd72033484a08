"""pg notifications (KCP common notification records) and payments by pg_tid

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pg_notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pg_provider", sa.String(length=32), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("notification_id", sa.String(length=80), nullable=False),
        sa.Column("pg_kind", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("pg_tid", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("pg_total", sa.BigInteger(), nullable=False),
        sa.Column("deposited_total", sa.BigInteger(), nullable=False),
        sa.Column("excess", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("imp_uid", sa.String(length=32), nullable=True),
        sa.Column("depositor", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imp_uid"], ["payments.imp_uid"], name=op.f("fk_pg_notifications_imp_uid_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pg_notifications")),
        sa.UniqueConstraint(
            "pg_provider",
            "site",
            "notification_id",
            name=op.f("uq_pg_notifications_pg_provider_site_notification_id"),
        ),
    )
    op.create_index(
        op.f("ix_pg_notifications_imp_uid_id"), "pg_notifications", ["imp_uid", "id"], unique=False
    )
    op.create_index("ix_payments_pg_tid", "payments", ["pg_tid"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_payments_pg_tid", table_name="payments")
    op.drop_index(op.f("ix_pg_notifications_imp_uid_id"), table_name="pg_notifications")
    op.drop_table("pg_notifications")
