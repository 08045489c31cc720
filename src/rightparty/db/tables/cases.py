# SPDX-License-Identifier: Apache-2.0
"""Cases, their attempts, and every decision the policy engine took for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from rightparty.db.tables.base import Base

ID = String(36)


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_due", "status", "next_action_at"),
        # What an attempt's foreign key names: a case together with its customer.
        Index("uq_cases_id_customer_id", "id", "customer_id", unique=True),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    plan: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int]
    debt_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    step_index: Mapped[int]
    opened_at: Mapped[datetime]
    deadline: Mapped[datetime]
    next_action_at: Mapped[datetime | None]
    unreachable_reason: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]
    contact_point_ids: Mapped[list[str] | None] = mapped_column(
        JSON(none_as_null=True),
        comment="targeted case: ids of the customer's points it may use; NULL: any in regular use",
    )


class AttemptRow(Base):
    """One attempt to reach a customer. The database itself refuses an attempt on a case or a
    contact point of anyone but the attempt's customer: its keys name the case and the point
    each together with that customer (the customer's existence follows from the case's key)."""

    __tablename__ = "attempts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["case_id", "customer_id"],
            ["cases.id", "cases.customer_id"],
            name="fk_attempts_case_of_customer",
        ),
        ForeignKeyConstraint(
            ["contact_point_id", "customer_id"],
            ["contact_points.id", "contact_points.customer_id"],
            name="fk_attempts_point_of_customer",
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ID, index=True)
    customer_id: Mapped[str] = mapped_column(ID, index=True)
    contact_point_id: Mapped[str] = mapped_column(ID)
    channel: Mapped[str] = mapped_column(String(8))
    purpose: Mapped[str] = mapped_column(String(32))
    debt_id: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    reference_code_bidx: Mapped[int] = mapped_column(BigInteger, index=True)
    reference_code_ct: Mapped[bytes]
    status: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str | None] = mapped_column(String(32))
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    finalised_at: Mapped[datetime | None]


class DecisionDocumentRow(Base):
    """One distinct decision document (DESIGN.md §8.3), stored once however many decisions it is
    the answer of: most attempts of a run share a handful of documents."""

    __tablename__ = "decision_documents"

    digest: Mapped[str] = mapped_column(
        String(64), primary_key=True, comment="SHA-256 of the stored JSON text, in hex"
    )
    document: Mapped[dict[str, Any]]


class DecisionRow(Base):
    """The policy engine's full answer for one proposed attempt: its document is the
    `decision_documents` row its digest names."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    attempt_id: Mapped[str | None] = mapped_column(ForeignKey("attempts.id"))
    allowed: Mapped[bool]
    evaluated_at: Mapped[datetime]
    document_digest: Mapped[str] = mapped_column(
        String(64), ForeignKey("decision_documents.digest")
    )


class ProviderMessageRow(Base):
    """One message a provider accepted for an attempt: the only part, or one part of a split SMS.

    Status callbacks name a single part's id, while the attempt's `provider_message_id` lists every
    part's id separated by commas; this table finds the attempt from any of them, and keeps each
    part's final outcome until the whole message's outcome is known.
    """

    __tablename__ = "provider_messages"
    __table_args__ = (Index("ix_provider_messages_lookup", "provider", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("attempts.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[str] = mapped_column(String(128))
    part: Mapped[int] = mapped_column(comment="1-based position of this part in the message")
    outcome: Mapped[str | None] = mapped_column(String(32))


class HeldStatusRow(Base):
    """A provider's final status for a message id no attempt was recorded with yet.

    Providers call back fast: a "delivered" may arrive while the dispatcher is still sending the
    rest of its batch, before it commits the message ids. The status waits here and is applied
    the moment the send is recorded; it is never lost and never applied twice.
    """

    __tablename__ = "held_statuses"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(128), index=True)
    providers: Mapped[str] = mapped_column(String(255), comment="comma-separated instance names")
    outcome: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
