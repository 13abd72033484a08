"""escrow deliveries

Revision ID: 0006
Revises: 0004 (to become 0005 when the schedules migration is merged)
Create Date: 2026-11-23 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
# INTEGRATOR: set to "0005" once 0005 (schedules) is on main.
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "escrow_deliveries",
        sa.Column("imp_uid", sa.String(length=32), nullable=False),
        sa.Column("company", sa.String(length=16), nullable=False),
        sa.Column("invoice", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.BigInteger(), nullable=False),
        sa.Column("applied_at", sa.BigInteger(), nullable=False),
        sa.Column("sender_name", sa.String(length=64), nullable=True),
        sa.Column("receiver_name", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["imp_uid"], ["payments.imp_uid"], name=op.f("fk_escrow_deliveries_imp_uid_payments")
        ),
        sa.PrimaryKeyConstraint("imp_uid", name=op.f("pk_escrow_deliveries")),
    )


def downgrade() -> None:
    op.drop_table("escrow_deliveries")
