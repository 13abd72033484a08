"""checkout windows

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkout_windows",
        sa.Column("imp_uid", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=16), nullable=False),
        sa.Column("m_redirect_url", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=300), nullable=True),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imp_uid"], ["payments.imp_uid"], name=op.f("fk_checkout_windows_imp_uid_payments")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_checkout_windows_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("imp_uid", name=op.f("pk_checkout_windows")),
    )


def downgrade() -> None:
    op.drop_table("checkout_windows")
