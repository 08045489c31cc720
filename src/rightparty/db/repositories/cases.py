# SPDX-License-Identifier: Apache-2.0
"""Cases and decisions over SQLAlchemy sessions; attempts are in `attempts`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, func, select
from sqlalchemy.orm import Session

from rightparty.db.bulk_insert import BulkInsert, BulkUpdate
from rightparty.db.id_lists import in_ids
from rightparty.db.repositories.attempts import AttemptNotFound, SqlAttemptRepository
from rightparty.db.repositories.held_updates import (
    FlushHeld,
    HeldUpdates,
    refuse_fixed_changes,
)
from rightparty.db.tables import CaseRow, CustomerRow, DecisionDocumentRow, DecisionRow
from rightparty.domain.case import Case, CaseStatus, Priority
from rightparty.domain.errors import CaseNotFound
from rightparty.domain.vocabulary import OutcomeCategory, Purpose
from rightparty.usecases.ports import DecisionEntry

__all__ = [
    "AttemptNotFound",  # kept importable from here, where they lived
    "SqlAttemptRepository",
    "SqlCaseRepository",
    "SqlDecisionRepository",
]

_OPEN_STATUSES = (CaseStatus.OPEN.value, CaseStatus.WAITING.value)
_CASES: Table = CaseRow.__table__  # type: ignore[assignment]
_DECISIONS: Table = DecisionRow.__table__  # type: ignore[assignment]
_CASES_BY_ID = select(_CASES).where(in_ids(_CASES.c.id))
_DUE = (
    select(_CASES)
    .where(
        _CASES.c.status.in_(_OPEN_STATUSES),
        _CASES.c.next_action_at <= bindparam("until"),
    )
    .order_by(_CASES.c.next_action_at, _CASES.c.id)
    .limit(bindparam("limit"))
)
_NEXT_ACTION_AT = select(func.min(_CASES.c.next_action_at)).where(
    _CASES.c.status.in_(_OPEN_STATUSES)
)
_CASE_COLUMNS = tuple(column.name for column in _CASES.c)
_INSERT_CASES = BulkInsert(_CASES, _CASE_COLUMNS)
_CASE_STATE = ("status", "step_index", "next_action_at", "unreachable_reason", "closed_at")
"""What a stored case may change. The rest (its customer, purpose, plan, priority, opening,
deadline, debt and targets) is fixed when it is opened; leaving it out of the UPDATE spares
SQLite rewriting the index entries of columns that keep their values."""
_CASE_FIXED = tuple(name for name in _CASE_COLUMNS if name not in (*_CASE_STATE, "id"))
_UPDATE_CASE = BulkUpdate(_CASES, _CASE_STATE)

_DOCUMENTS: Table = DecisionDocumentRow.__table__  # type: ignore[assignment]
# A document goes in as the text its JSON type would write (`json.dumps`), made once per
# distinct document of a batch, and only when no decision stored it before.
_INSERT_DOCUMENTS = BulkInsert(
    _DOCUMENTS, ("digest", "document"), final=("document",), skip_existing=True
)
_INSERT_DECISIONS = BulkInsert(
    _DECISIONS, ("case_id", "attempt_id", "allowed", "evaluated_at", "document_digest")
)


class SqlCaseRepository:
    def __init__(self, session: Session, flush_held: FlushHeld | None = None) -> None:
        self._session = session
        # Plain rows, not ORM entities: what this unit of work last read or wrote of each case,
        # so a step reads each case once and `save` writes only a case that changed, and
        # together with the others (`flush`).
        self._rows: dict[str, dict[str, Any]] = {}
        self._held = HeldUpdates(session)
        self._new: list[dict[str, Any]] = []
        self._flush_held = self.flush if flush_held is None else flush_held

    def add(self, case: Case) -> None:
        self.add_many([case])

    def add_many(self, cases: Sequence[Case]) -> None:
        """New cases, held like updates and inserted together by `flush`, which the unit of work
        runs before anything that could refer to them or read them (attempts, decisions, a due
        query) and before it commits; a repeated id fails then."""
        for case in cases:
            row = _case_columns(case)
            self._new.append(row)
            self._rows[case.id] = row

    def save(self, case: Case) -> None:
        """Write the case back when it differs from what this unit of work holds of it."""
        values = _case_columns(case)
        stored = self._row(case.id)
        if stored == values:
            return
        refuse_fixed_changes("case", stored, values, _CASE_FIXED)
        self._held.hold(case.id, _UPDATE_CASE, values)
        self._rows[case.id] = values

    def flush(self) -> None:
        """Insert the cases `add` holds, then write the changes `save` holds."""
        if self._new:
            new, self._new = self._new, []
            rows = [tuple(row[name] for name in _CASE_COLUMNS) for row in new]
            _INSERT_CASES.execute(self._session.connection(), rows)
        self._held.flush()

    def get(self, case_id: str) -> Case:
        return _case_from_row(self._row(case_id))

    def get_many(self, case_ids: Collection[str]) -> dict[str, Case]:
        """`get` for many at once, in one query."""
        wanted = [case_id for case_id in case_ids if case_id not in self._rows]
        if wanted:
            self._hold(self._session.execute(_CASES_BY_ID, {"ids": wanted}))
        return {case_id: _case_from_row(self._row(case_id)) for case_id in case_ids}

    def _row(self, case_id: str) -> dict[str, Any]:
        if case_id not in self._rows:
            self._hold(self._session.execute(_CASES_BY_ID, {"ids": [case_id]}))
        row = self._rows.get(case_id)
        if row is None:
            raise CaseNotFound(case_id)
        return row

    def _hold(self, rows: Iterable[Row[Any]]) -> list[dict[str, Any]]:
        held = [dict(row._mapping) for row in rows]
        self._rows.update((row["id"], row) for row in held)
        return held

    def due(self, until: datetime, limit: int) -> list[Case]:
        self._flush_held()
        rows = self._session.execute(_DUE, {"until": until, "limit": limit})
        return [_case_from_row(row) for row in self._hold(rows)]

    def next_action_at(self) -> datetime | None:
        self._flush_held()
        upcoming: datetime | None = self._session.scalar(_NEXT_ACTION_AT)
        return upcoming

    def open_ids_for_refs(self, external_ref_prefix: str) -> list[str]:
        self._flush_held()
        query = (
            select(CaseRow.id)
            .join(CustomerRow, CustomerRow.id == CaseRow.customer_id)
            .where(
                CaseRow.status.in_(_OPEN_STATUSES),
                CustomerRow.external_ref.startswith(external_ref_prefix, autoescape=True),
            )
            .order_by(CaseRow.id)
        )
        return list(self._session.scalars(query))


def _case_columns(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "customer_id": case.customer_id,
        "purpose": case.purpose.value,
        "plan": case.plan,
        "priority": int(case.priority),
        "debt_id": case.debt_id,
        "status": case.status.value,
        "step_index": case.step_index,
        "opened_at": case.opened_at,
        "deadline": case.deadline,
        "next_action_at": case.next_action_at,
        "unreachable_reason": case.unreachable_reason.value if case.unreachable_reason else None,
        "closed_at": case.closed_at,
        "contact_point_ids": (
            list(case.contact_point_ids) if case.contact_point_ids is not None else None
        ),
    }


def _case_from_row(row: dict[str, Any]) -> Case:
    reason, targets = row["unreachable_reason"], row["contact_point_ids"]
    return Case(
        id=row["id"],
        customer_id=row["customer_id"],
        purpose=Purpose(row["purpose"]),
        plan=row["plan"],
        priority=Priority(row["priority"]),
        opened_at=row["opened_at"],
        deadline=row["deadline"],
        debt_id=row["debt_id"],
        status=CaseStatus(row["status"]),
        step_index=row["step_index"],
        next_action_at=row["next_action_at"],
        unreachable_reason=OutcomeCategory(reason) if reason else None,
        closed_at=row["closed_at"],
        contact_point_ids=tuple(targets) if targets is not None else None,
    )


class SqlDecisionRepository:
    """Decisions are only ever appended, and nothing reads them back in the unit of work that
    made them: `add` holds each one and the unit of work writes them together (`flush`) before
    it commits."""

    def __init__(self, session: Session, flush_held: FlushHeld | None = None) -> None:
        self._session = session
        self._pending: list[DecisionEntry] = []
        self._flush_held = self.flush if flush_held is None else flush_held

    def add(
        self, case_id: str, attempt_id: str | None, document: dict[str, Any], at: datetime
    ) -> None:
        self._pending.append(DecisionEntry(case_id, attempt_id, document, at))

    def flush(self) -> None:
        """Write the decisions `add` holds, in the order they were added."""
        pending, self._pending = self._pending, []
        self._write(pending)

    def add_many(self, decisions: Sequence[DecisionEntry]) -> None:
        """`add` in bulk, written at once: after everything held (the cases and attempts they
        refer to, the decisions `add` holds)."""
        self._flush_held()
        self._write(decisions)

    def _write(self, decisions: Sequence[DecisionEntry]) -> None:
        """The batch's distinct documents (those not stored yet), then its decisions, each
        with one executemany. Entries that share a document object (most attempts share one of
        a few decisions) serialise and digest it once (`_stored_text`)."""
        if not decisions:
            return
        documents: dict[str, str] = {}
        rows = []
        for entry in decisions:
            document = entry.document
            digest, text = _stored_text(document)
            documents[digest] = text
            rows.append(
                (entry.case_id, entry.attempt_id, bool(document.get("allowed")), entry.at, digest)
            )
        connection = self._session.connection()
        # In digest order: concurrent writers of the same documents lock them in one order.
        _INSERT_DOCUMENTS.execute(connection, sorted(documents.items()))
        _INSERT_DECISIONS.execute(connection, rows)


_TEXTS_KEPT = 4096
_texts: dict[int, tuple[dict[str, Any], str, str]] = {}
"""By `id()` of a document: the document itself, its digest and its stored text. Holding the
document keeps its id from being reused while the entry lasts."""


def _stored_text(document: dict[str, Any]) -> tuple[str, str]:
    """The digest and stored text of a decision document, made once for a document object the
    worker hands over again and again (its memo keeps each distinct decision's document)."""
    kept = _texts.get(id(document))
    if kept is not None and kept[0] is document:
        return kept[1], kept[2]
    text = json.dumps(document)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if len(_texts) >= _TEXTS_KEPT:
        _texts.clear()
    _texts[id(document)] = (document, digest, text)
    return digest, text
