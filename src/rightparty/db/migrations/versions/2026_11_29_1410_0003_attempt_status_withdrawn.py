# SPDX-License-Identifier: Apache-2.0
"""Attempt status widens to hold `withdrawn` (an attempt re-decided at send time and not sent).

Downgrading turns withdrawn attempts into `final` ones with no outcome, the closest the old
schema can say, before narrowing the column again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 14:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=sa.VARCHAR(length=8),
            type_=sa.String(length=16),
            existing_nullable=False,
        )


def downgrade() -> None:
    op.execute("UPDATE attempts SET status = 'final' WHERE status = 'withdrawn'")
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=16),
            type_=sa.VARCHAR(length=8),
            existing_nullable=False,
        )
