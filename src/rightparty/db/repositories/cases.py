# SPDX-License-Identifier: Apache-2.0
"""Cases, attempts and decisions over SQLAlchemy sessions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from rightparty.db.protection import FieldProtection
from rightparty.db.tables import AttemptRow, CaseRow, CustomerRow, DecisionRow
from rightparty.db.tables.cases import HeldStatusRow, ProviderMessageRow
from rightparty.domain.attempt import Attempt, AttemptHistoryEntry, AttemptStatus
from rightparty.domain.case import Case, CaseStatus, Priority
from rightparty.domain.errors import CaseNotFound, RightpartyError
from rightparty.domain.vocabulary import Channel, Outcome, OutcomeCategory, Purpose
from rightparty.usecases.ports import DecisionEntry

_OPEN_STATUSES = (CaseStatus.OPEN.value, CaseStatus.WAITING.value)
_CASES: Table = CaseRow.__table__  # type: ignore[assignment]
_ATTEMPTS: Table = AttemptRow.__table__  # type: ignore[assignment]
_DECISIONS: Table = DecisionRow.__table__  # type: ignore[assignment]
_PROVIDER_MESSAGES: Table = ProviderMessageRow.__table__  # type: ignore[assignment]


class AttemptNotFound(RightpartyError):
    code = "ATTEMPT_NOT_FOUND"

    def __init__(self, attempt_id: str) -> None:
        super().__init__(f"no attempt {attempt_id}")
        self.attempt_id = attempt_id


class SqlCaseRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        # The session's identity map holds rows weakly: once `get` has turned a row into a
        # `Case`, the row is collected and `save` would read it again. Held here for the unit
        # of work, a step reads each case once.
        self._rows: dict[str, CaseRow] = {}

    def add(self, case: Case) -> None:
        # Rows have no ORM relationships, so the flush order is ours to keep: a case exists
        # before the attempts and decisions that refer to it.
        self._session.add(CaseRow(**_case_columns(case)))
        self._session.flush()

    def add_many(self, cases: Sequence[Case]) -> None:
        """`add` in bulk: one executemany."""
        if cases:
            self._session.flush()
            self._session.execute(insert(_CASES), [_case_columns(case) for case in cases])

    def save(self, case: Case) -> None:
        row = self._row(case.id)
        for name, value in _case_columns(case).items():
            setattr(row, name, value)

    def get(self, case_id: str) -> Case:
        return _case_from_row(self._row(case_id))

    def get_many(self, case_ids: Collection[str]) -> dict[str, Case]:
        """`get` for many at once, in one query."""
        wanted = [case_id for case_id in case_ids if case_id not in self._rows]
        if wanted:
            rows = self._session.scalars(select(CaseRow).where(CaseRow.id.in_(wanted)))
            self._rows.update((row.id, row) for row in rows)
        return {case_id: _case_from_row(self._row(case_id)) for case_id in case_ids}

    def _row(self, case_id: str) -> CaseRow:
        row = self._rows.get(case_id) or self._session.get(CaseRow, case_id)
        if row is None:
            raise CaseNotFound(case_id)
        self._rows[case_id] = row
        return row

    def due(self, until: datetime, limit: int) -> list[Case]:
        query = (
            select(CaseRow)
            .where(CaseRow.status.in_(_OPEN_STATUSES), CaseRow.next_action_at <= until)
            .order_by(CaseRow.next_action_at, CaseRow.id)
            .limit(limit)
        )
        rows = list(self._session.scalars(query))
        self._rows.update((row.id, row) for row in rows)
        return [_case_from_row(row) for row in rows]

    def next_action_at(self) -> datetime | None:
        return self._session.scalar(
            select(func.min(CaseRow.next_action_at)).where(CaseRow.status.in_(_OPEN_STATUSES))
        )

    def open_ids_for_refs(self, external_ref_prefix: str) -> list[str]:
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


def _case_from_row(row: CaseRow) -> Case:
    return Case(
        id=row.id,
        customer_id=row.customer_id,
        purpose=Purpose(row.purpose),
        plan=row.plan,
        priority=Priority(row.priority),
        opened_at=row.opened_at,
        deadline=row.deadline,
        debt_id=row.debt_id,
        status=CaseStatus(row.status),
        step_index=row.step_index,
        next_action_at=row.next_action_at,
        unreachable_reason=(
            OutcomeCategory(row.unreachable_reason) if row.unreachable_reason else None
        ),
        closed_at=row.closed_at,
        contact_point_ids=(
            tuple(row.contact_point_ids) if row.contact_point_ids is not None else None
        ),
    )


class SqlAttemptRepository:
    """The reference code is kept encrypted (for re-rendering after a crash) and blind-indexed
    (for the customer's "did this really come from my bank?" check)."""

    def __init__(self, session: Session, protection: FieldProtection) -> None:
        self._session = session
        self._protection = protection
        self._rows: dict[str, AttemptRow] = {}  # held for the unit of work, as cases are

    def add(self, attempt: Attempt) -> None:
        row = AttemptRow(
            **_attempt_columns(attempt),
            reference_code_bidx=self._protection.index("reference_code", attempt.reference_code),
            reference_code_ct=self._protection.encrypt(
                attempt.customer_id, "attempts", "reference_code", attempt.reference_code
            ),
        )
        self._session.add(row)
        if attempt.provider_message_id:
            self._session.flush()
            self._add_parts(attempt)

    def add_many(self, attempts: Sequence[Attempt]) -> None:
        """`add` in bulk: one executemany, after whatever the session holds pending (the
        cases they belong to); a key already stored fails the whole call."""
        if not attempts:
            return
        index, encrypt = self._protection.index, self._protection.encrypt
        rows = [
            {
                **_attempt_columns(attempt),
                "reference_code_bidx": index("reference_code", attempt.reference_code),
                "reference_code_ct": encrypt(
                    attempt.customer_id, "attempts", "reference_code", attempt.reference_code
                ),
            }
            for attempt in attempts
        ]
        self._session.flush()
        self._session.execute(insert(_ATTEMPTS), rows)
        parts = [part for attempt in attempts for part in _part_columns(attempt)]
        if parts:
            self._session.execute(insert(_PROVIDER_MESSAGES), parts)

    def save(self, attempt: Attempt) -> None:
        row = self._row(attempt.id)
        # An attempt is sent once (`mark_sent`), so its parts are written when its provider id
        # first appears; a later save of the same attempt writes none again.
        newly_sent = row.provider_message_id is None and attempt.provider_message_id is not None
        for name, value in _attempt_columns(attempt).items():
            setattr(row, name, value)
        if newly_sent:
            self._add_parts(attempt)

    def _add_parts(self, attempt: Attempt) -> None:
        for columns in _part_columns(attempt):
            self._session.add(ProviderMessageRow(**columns))

    def by_provider_message_id(self, provider: str, message_id: str) -> Attempt | None:
        """Any part's id finds the attempt; should a provider ever reuse an id, the attempt sent
        last is the one a callback can be about."""
        query = (
            select(AttemptRow)
            .join(ProviderMessageRow, ProviderMessageRow.attempt_id == AttemptRow.id)
            .where(ProviderMessageRow.provider == provider)
            .where(ProviderMessageRow.message_id == message_id)
            .order_by(ProviderMessageRow.id.desc())
            .limit(1)
        )
        row = self._session.scalar(query)
        return self._from_row(row) if row is not None else None

    def record_part_outcome(
        self, provider: str, message_id: str, outcome: Outcome
    ) -> list[Outcome | None]:
        self._session.flush()
        part = self._session.scalar(
            select(ProviderMessageRow)
            .where(ProviderMessageRow.provider == provider)
            .where(ProviderMessageRow.message_id == message_id)
            .order_by(ProviderMessageRow.id.desc())
            .limit(1)
        )
        if part is None:
            return []
        part.outcome = outcome.value
        self._session.flush()
        outcomes = self._session.scalars(
            select(ProviderMessageRow.outcome)
            .where(ProviderMessageRow.attempt_id == part.attempt_id)
            .order_by(ProviderMessageRow.part)
        )
        return [Outcome(value) if value else None for value in outcomes]

    def get(self, attempt_id: str) -> Attempt:
        return self._from_row(self._row(attempt_id))

    def hold_status(
        self, message_id: str, providers: Sequence[str], outcome: Outcome, at: datetime
    ) -> None:
        self._session.add(
            HeldStatusRow(
                message_id=message_id, providers=",".join(providers), outcome=outcome.value, at=at
            )
        )

    def forget_held_statuses(self, before: datetime) -> int:
        """Drop statuses held since before `before`; how many there were."""
        rows = list(self._session.scalars(select(HeldStatusRow).where(HeldStatusRow.at < before)))
        for row in rows:
            self._session.delete(row)
        return len(rows)

    def take_held_statuses(
        self, provider: str, message_ids: Sequence[str]
    ) -> list[tuple[str, Outcome, datetime]]:
        """Statuses held for these ids of `provider`, oldest first; taken, so applied once."""
        rows = [
            row
            for row in self._session.scalars(
                select(HeldStatusRow)
                .where(HeldStatusRow.message_id.in_(list(message_ids)))
                .order_by(HeldStatusRow.id)
            )
            if provider in row.providers.split(",")
        ]
        for row in rows:
            self._session.delete(row)
        return [(row.message_id, Outcome(row.outcome), row.at) for row in rows]

    def get_many(self, attempt_ids: Collection[str]) -> dict[str, Attempt]:
        """`get` for many at once, in one query."""
        wanted = [attempt_id for attempt_id in attempt_ids if attempt_id not in self._rows]
        if wanted:
            rows = self._session.scalars(select(AttemptRow).where(AttemptRow.id.in_(wanted)))
            self._rows.update((row.id, row) for row in rows)
        return {attempt_id: self._from_row(self._row(attempt_id)) for attempt_id in attempt_ids}

    def _row(self, attempt_id: str) -> AttemptRow:
        row = self._rows.get(attempt_id) or self._session.get(AttemptRow, attempt_id)
        if row is None:
            raise AttemptNotFound(attempt_id)
        self._rows[attempt_id] = row
        return row

    def by_idempotency_key(self, key: str) -> Attempt | None:
        row = self._session.scalar(select(AttemptRow).where(AttemptRow.idempotency_key == key))
        return self._from_row(row) if row is not None else None

    def for_customer(self, customer_id: str) -> list[Attempt]:
        query = (
            select(AttemptRow)
            .where(AttemptRow.customer_id == customer_id)
            .order_by(AttemptRow.created_at, AttemptRow.id)
        )
        return [self._from_row(row) for row in self._session.scalars(query)]

    def history(self, customer_id: str) -> list[AttemptHistoryEntry]:
        return self.histories([customer_id])[customer_id]

    def histories(self, customer_ids: Collection[str]) -> dict[str, list[AttemptHistoryEntry]]:
        """`history` of many customers in one query; a customer with none gets an empty list."""
        query = (
            select(
                AttemptRow.customer_id,
                AttemptRow.id,
                AttemptRow.case_id,
                AttemptRow.contact_point_id,
                AttemptRow.channel,
                AttemptRow.purpose,
                AttemptRow.idempotency_key,
                AttemptRow.created_at,
                AttemptRow.debt_id,
                AttemptRow.outcome,
                AttemptRow.sent_at,
                AttemptRow.status,
            )
            .where(AttemptRow.customer_id.in_(list(customer_ids)))
            .order_by(AttemptRow.created_at, AttemptRow.id)
        )
        found: dict[str, list[AttemptHistoryEntry]] = {key: [] for key in customer_ids}
        for row in self._session.execute(query):
            found[row.customer_id].append(
                AttemptHistoryEntry(
                    id=row.id,
                    case_id=row.case_id,
                    contact_point_id=row.contact_point_id,
                    channel=Channel(row.channel),
                    purpose=Purpose(row.purpose),
                    idempotency_key=row.idempotency_key,
                    created_at=row.created_at,
                    debt_id=row.debt_id,
                    outcome=Outcome(row.outcome) if row.outcome else None,
                    sent_at=row.sent_at,
                    withdrawn=row.status == AttemptStatus.WITHDRAWN.value,
                )
            )
        return found

    def by_reference_code(self, code: str) -> list[Attempt]:
        """Attempts whose code matches, confirmed by decryption (blind indexes collide)."""
        query = select(AttemptRow).where(
            AttemptRow.reference_code_bidx == self._protection.index("reference_code", code)
        )
        found = [self._from_row(row) for row in self._session.scalars(query)]
        return [attempt for attempt in found if attempt.reference_code == code]

    def _from_row(self, row: AttemptRow) -> Attempt:
        return Attempt(
            id=row.id,
            case_id=row.case_id,
            customer_id=row.customer_id,
            contact_point_id=row.contact_point_id,
            channel=Channel(row.channel),
            purpose=Purpose(row.purpose),
            idempotency_key=row.idempotency_key,
            reference_code=self._protection.decrypt(
                row.customer_id, "attempts", "reference_code", row.reference_code_ct
            ),
            created_at=row.created_at,
            debt_id=row.debt_id,
            status=AttemptStatus(row.status),
            provider=row.provider,
            provider_message_id=row.provider_message_id,
            sent_at=row.sent_at,
            outcome=Outcome(row.outcome) if row.outcome else None,
            finalised_at=row.finalised_at,
        )


def _attempt_columns(attempt: Attempt) -> dict[str, Any]:
    return {
        "id": attempt.id,
        "case_id": attempt.case_id,
        "customer_id": attempt.customer_id,
        "contact_point_id": attempt.contact_point_id,
        "channel": attempt.channel.value,
        "purpose": attempt.purpose.value,
        "debt_id": attempt.debt_id,
        "idempotency_key": attempt.idempotency_key,
        "status": attempt.status.value,
        "provider": attempt.provider,
        "provider_message_id": attempt.provider_message_id,
        "outcome": attempt.outcome.value if attempt.outcome else None,
        "created_at": attempt.created_at,
        "sent_at": attempt.sent_at,
        "finalised_at": attempt.finalised_at,
    }


def _part_columns(attempt: Attempt) -> list[dict[str, Any]]:
    """One row per id in the attempt's comma-separated `provider_message_id` (see channels)."""
    if attempt.provider is None or not attempt.provider_message_id:
        return []
    ids = [part for part in attempt.provider_message_id.split(",") if part]
    return [
        {"attempt_id": attempt.id, "provider": attempt.provider, "message_id": part, "part": index}
        for index, part in enumerate(ids, start=1)
    ]


class SqlDecisionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, case_id: str, attempt_id: str | None, document: dict[str, Any], at: datetime
    ) -> None:
        self._session.add(
            DecisionRow(
                case_id=case_id,
                attempt_id=attempt_id,
                allowed=bool(document.get("allowed")),
                evaluated_at=at,
                document=document,
            )
        )

    def add_many(self, decisions: Sequence[DecisionEntry]) -> None:
        """`add` in bulk: one executemany, after the attempts they refer to."""
        if not decisions:
            return
        rows = [
            {
                "case_id": entry.case_id,
                "attempt_id": entry.attempt_id,
                "allowed": bool(entry.document.get("allowed")),
                "evaluated_at": entry.at,
                "document": entry.document,
            }
            for entry in decisions
        ]
        self._session.flush()
        self._session.execute(insert(_DECISIONS), rows)
