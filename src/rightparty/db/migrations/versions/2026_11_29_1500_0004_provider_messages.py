# SPDX-License-Identifier: Apache-2.0
"""Provider messages: every id a provider gave a sent attempt, one row per part, for callbacks.

Attempts already sent are filled in from their comma-separated `provider_message_id`, so a status
callback for a message sent before this revision still finds its attempt.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 15:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PART_COMMENT = "1-based position of this part in the message"


def upgrade() -> None:
    table = op.create_table(
        "provider_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("attempt_id", sa.String(length=36), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False, comment=_PART_COMMENT),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_provider_messages_attempt_id_attempts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_messages")),
    )
    with op.batch_alter_table("provider_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_messages_attempt_id"), ["attempt_id"], unique=False
        )
        batch_op.create_index(
            "ix_provider_messages_lookup", ["provider", "message_id"], unique=False
        )
    sent = op.get_bind().execute(
        sa.text(
            "SELECT id, provider, provider_message_id FROM attempts "
            "WHERE provider IS NOT NULL AND provider_message_id IS NOT NULL"
        )
    )
    rows = [
        {"attempt_id": attempt_id, "provider": provider, "message_id": part_id, "part": index}
        for attempt_id, provider, ids in sent
        for index, part_id in enumerate(filter(None, ids.split(",")), start=1)
    ]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    with op.batch_alter_table("provider_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_provider_messages_lookup")
        batch_op.drop_index(batch_op.f("ix_provider_messages_attempt_id"))
    op.drop_table("provider_messages")
