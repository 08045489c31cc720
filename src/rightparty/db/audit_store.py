# SPDX-License-Identifier: Apache-2.0
"""The audit log's storage port over SQL, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from rightparty.audit.checkpoint import SignedCheckpoint
from rightparty.audit.store import AuditEntry, LogState
from rightparty.db.bulk_insert import BulkInsert
from rightparty.db.tables import AuditCheckpointRow, AuditEntryRow, AuditStateRow
from rightparty.db.tables.audit import STATE_ROW_ID

_STATE: Table = AuditStateRow.__table__  # type: ignore[assignment]
# The one state row, locked until the transaction ends (PostgreSQL; SQLite has one writer).
_LOCK_STATE = select(_STATE.c.state).where(_STATE.c.id == STATE_ROW_ID).with_for_update()
_UPDATE_STATE = update(_STATE).where(_STATE.c.id == STATE_ROW_ID).values(state=bindparam("state"))
_INSERT_STATE = insert(_STATE).values(id=STATE_ROW_ID, state=bindparam("state"))
_INSERT_ENTRIES = BulkInsert(
    AuditEntryRow.__table__,  # type: ignore[arg-type]
    ("index", "event_bytes", "leaf_hash", "chain_hash"),
)


class SqlAuditStore:
    """`load_state` locks the single state row, so appends from concurrent transactions queue up
    behind each other on PostgreSQL (SQLite serialises writers already)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        # Whether the state row exists, as `load_state` found it (None: not read yet).
        self._state_row_exists: bool | None = None

    def size(self) -> int:
        highest = self._session.scalar(select(func.max(AuditEntryRow.index)))
        return 0 if highest is None else highest + 1

    def read(self, start: int, stop: int) -> Sequence[AuditEntry]:
        rows = self._session.execute(
            select(
                AuditEntryRow.index,
                AuditEntryRow.event_bytes,
                AuditEntryRow.leaf_hash,
                AuditEntryRow.chain_hash,
            )
            .where(AuditEntryRow.index >= start, AuditEntryRow.index < stop)
            .order_by(AuditEntryRow.index)
        )
        return [AuditEntry(row[0], bytes(row[1]), bytes(row[2]), bytes(row[3])) for row in rows]

    def read_leaf_hashes(self, start: int, stop: int) -> Sequence[bytes]:
        rows = self._session.scalars(
            select(AuditEntryRow.leaf_hash)
            .where(AuditEntryRow.index >= start, AuditEntryRow.index < stop)
            .order_by(AuditEntryRow.index)
        )
        return [bytes(value) for value in rows]

    def load_state(self) -> LogState | None:
        row = self._session.execute(_LOCK_STATE).first()
        self._state_row_exists = row is not None
        if row is None or row.state is None:
            return None
        return LogState.decode(bytes(row.state))

    def append(self, entries: Sequence[AuditEntry], state: LogState) -> None:
        if entries:
            _INSERT_ENTRIES.execute(
                self._session.connection(),
                [
                    (entry.index, entry.event_bytes, entry.leaf_hash, entry.chain_hash)
                    for entry in entries
                ],
            )
        if self._state_row_exists is None:  # appended without `load_state` first
            self._state_row_exists = self._session.execute(_LOCK_STATE).first() is not None
        statement = _UPDATE_STATE if self._state_row_exists else _INSERT_STATE
        self._session.execute(statement, {"state": state.encode()})
        self._state_row_exists = True
        self._session.flush()

    def add_checkpoint(self, checkpoint: SignedCheckpoint) -> None:
        self._session.add(
            AuditCheckpointRow(
                size=checkpoint.checkpoint.size,
                issued_at=checkpoint.checkpoint.issued_at,
                note=checkpoint.encode(),
            )
        )
        self._session.flush()

    def checkpoints(self) -> Sequence[SignedCheckpoint]:
        rows = self._session.scalars(
            select(AuditCheckpointRow.note).order_by(
                AuditCheckpointRow.size, AuditCheckpointRow.issued_at, AuditCheckpointRow.id
            )
        )
        return [SignedCheckpoint.decode(bytes(note)) for note in rows]

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        note = self._session.scalar(
            select(AuditCheckpointRow.note)
            .order_by(
                AuditCheckpointRow.size.desc(),
                AuditCheckpointRow.issued_at.desc(),
                AuditCheckpointRow.id.desc(),
            )
            .limit(1)
        )
        return None if note is None else SignedCheckpoint.decode(bytes(note))
