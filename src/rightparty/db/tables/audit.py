# SPDX-License-Identifier: Apache-2.0
"""The audit log's rows: encoded events with their leaf hashes, signed checkpoints, tree state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from rightparty.db.tables.base import Base


class AuditEntryRow(Base):
    __tablename__ = "audit_entries"

    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event: Mapped[bytes]
    leaf_hash: Mapped[bytes]
    running_root: Mapped[bytes]


class AuditCheckpointRow(Base):
    __tablename__ = "audit_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes]
    issued_at: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes]


class AuditStateRow(Base):
    """One row: the Merkle frontier, so an append never reads the whole log."""

    __tablename__ = "audit_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[bytes]
