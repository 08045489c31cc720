# SPDX-License-Identifier: Apache-2.0
"""Targeted cases and superseded contact points, for the notice of a contact change.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 14:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TARGETS_COMMENT = (
    "targeted case: ids of the customer's points it may use; NULL: any in regular use"
)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "contact_point_ids",
                sa.JSON(none_as_null=True),
                nullable=True,
                comment=_TARGETS_COMMENT,
            )
        )
    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.drop_column("superseded_at")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("contact_point_ids")
