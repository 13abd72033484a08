"""the schedule worker's lease on payment_schedules (decision 0012)

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-23 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
# Issue 7: the integrator chains 0009 (webhooks) -> 0010 -> 0011 (reconcile) when merging.
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot add a NOT NULL column without rebuilding the table.
    with op.batch_alter_table("payment_schedules") as batch:
        batch.add_column(sa.Column("claimed_until", sa.BigInteger(), server_default="0", nullable=False))
        batch.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_schedules") as batch:
        batch.drop_column("claimed_by")
        batch.drop_column("claimed_until")
