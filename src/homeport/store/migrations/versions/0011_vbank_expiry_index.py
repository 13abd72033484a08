"""payments by status and virtual-account deadline (virtual-account expiry, decision 0013)

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-23 22:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0011"
# The integrator chains 0009 -> 0010 -> 0011 when merging issue 7's branches.
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_payments_status_vbank_due_at", "payments", ["status", "vbank_due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_payments_status_vbank_due_at", table_name="payments")
