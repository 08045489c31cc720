# SPDX-License-Identifier: Apache-2.0
"""The audit log's rows: encoded events with their leaf and chain hashes, the append state, and
signed checkpoints (layout of `rightparty.audit.store`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from rightparty.db.tables.base import Base

STATE_ROW_ID = 1


class AuditEntryRow(Base):
    __tablename__ = "audit_entries"

    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_bytes: Mapped[bytes]
    leaf_hash: Mapped[bytes]
    chain_hash: Mapped[bytes]


class AuditStateRow(Base):
    """One row (id 1), created by the migration and locked by every append; `state` is NULL
    until the first entry is written."""

    __tablename__ = "audit_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    state: Mapped[bytes | None]


class AuditCheckpointRow(Base):
    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(BigInteger, index=True)
    issued_at: Mapped[datetime]
    note: Mapped[bytes]
