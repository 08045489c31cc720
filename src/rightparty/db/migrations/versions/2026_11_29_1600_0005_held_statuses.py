# SPDX-License-Identifier: Apache-2.0
"""Held statuses: a provider's final status that arrived before its send was recorded.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "held_statuses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column(
            "providers",
            sa.String(length=255),
            nullable=False,
            comment="comma-separated instance names",
        ),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_statuses")),
    )
    with op.batch_alter_table("held_statuses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_held_statuses_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("held_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_held_statuses_message_id"))
    op.drop_table("held_statuses")
