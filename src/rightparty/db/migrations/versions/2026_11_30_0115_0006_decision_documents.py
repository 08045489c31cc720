# SPDX-License-Identifier: Apache-2.0
"""Decision documents stored once: `decisions.document` becomes a digest of a
`decision_documents` row.

Most attempts of a run are allowed for the same reasons, so nearly every decision repeated one of
a handful of 1-2 KB documents: the decisions table was the largest of a database. Existing
documents move as they are stored (their exact text), each under the SHA-256 of that text.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 01:15:00+00:00
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PAGE = 1000


def upgrade() -> None:
    op.create_table(
        "decision_documents",
        sa.Column(
            "digest",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 of the stored JSON text, in hex",
        ),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_decision_documents")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_digest", sa.String(length=64), nullable=True))
    _move_documents(op.get_bind())
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.alter_column("document_digest", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_decisions_document_digest_decision_documents"),
            "decision_documents",
            ["document_digest"],
            ["digest"],
        )
        batch_op.drop_column("document")


def _move_documents(connection: sa.Connection) -> None:
    """Each decision's document into `decision_documents` (once per distinct text), a page of
    decisions at a time, and its digest into the decision."""
    stored: set[str] = set()
    after = 0
    while True:
        page = connection.execute(
            sa.text(
                "SELECT id, CAST(document AS TEXT) FROM decisions WHERE id > :after "
                "ORDER BY id LIMIT :page"
            ),
            {"after": after, "page": _PAGE},
        ).all()
        if not page:
            return
        digests = []
        new = []
        for decision_id, text in page:
            digest = hashlib.sha256(text.encode()).hexdigest()
            digests.append({"decision_id": decision_id, "digest": digest})
            if digest not in stored:
                stored.add(digest)
                new.append({"digest": digest, "document": text})
        if new:
            connection.execute(_insert_documents(connection), new)
        connection.execute(
            sa.text("UPDATE decisions SET document_digest = :digest WHERE id = :decision_id"),
            digests,
        )
        after = page[-1][0]


def _insert_documents(connection: sa.Connection) -> sa.TextClause:
    """The text as stored: PostgreSQL is told it is JSON, SQLite keeps text as it is."""
    if connection.dialect.name == "postgresql":
        return sa.text(
            "INSERT INTO decision_documents (digest, document) "
            "VALUES (:digest, CAST(:document AS JSON))"
        )
    return sa.text("INSERT INTO decision_documents (digest, document) VALUES (:digest, :document)")


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document", sa.JSON(), nullable=True))
    op.execute(
        "UPDATE decisions SET document = (SELECT document FROM decision_documents "
        "WHERE decision_documents.digest = decisions.document_digest)"
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.alter_column("document", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_constraint(
            batch_op.f("fk_decisions_document_digest_decision_documents"), type_="foreignkey"
        )
        batch_op.drop_column("document_digest")
    op.drop_table("decision_documents")
