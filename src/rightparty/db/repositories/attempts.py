# SPDX-License-Identifier: Apache-2.0
"""Attempts over SQLAlchemy sessions: queued, sent and finalised, with their provider messages."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, delete, select
from sqlalchemy.orm import Session

from rightparty.db.bulk_insert import BulkInsert, BulkUpdate
from rightparty.db.id_lists import in_ids
from rightparty.db.protection import FieldProtection
from rightparty.db.repositories.held_updates import (
    FlushHeld,
    HeldUpdates,
    refuse_fixed_changes,
)
from rightparty.db.tables import AttemptRow
from rightparty.db.tables.cases import HeldStatusRow, ProviderMessageRow
from rightparty.domain.attempt import Attempt, AttemptHistoryEntry, AttemptStatus
from rightparty.domain.errors import RightpartyError
from rightparty.domain.vocabulary import Channel, Outcome, Purpose

_ATTEMPTS: Table = AttemptRow.__table__  # type: ignore[assignment]
_PROVIDER_MESSAGES: Table = ProviderMessageRow.__table__  # type: ignore[assignment]
_ATTEMPT_COLUMNS = (
    "id",
    "case_id",
    "customer_id",
    "contact_point_id",
    "channel",
    "purpose",
    "debt_id",
    "idempotency_key",
    "status",
    "provider",
    "provider_message_id",
    "outcome",
    "created_at",
    "sent_at",
    "finalised_at",
)
_ATTEMPTS_BY_ID = select(_ATTEMPTS).where(in_ids(_ATTEMPTS.c.id))
_ATTEMPT_STATE = ("status", "provider", "provider_message_id", "outcome", "sent_at", "finalised_at")
"""What a stored attempt may change; the rest (its case, customer, point, channel, purpose, debt,
key, creation and reference code) is fixed when it is recorded, and leaving it out of the
UPDATE spares SQLite rewriting three index entries per save."""
_ATTEMPT_FIXED = tuple(name for name in _ATTEMPT_COLUMNS if name not in (*_ATTEMPT_STATE, "id"))
_UPDATE_ATTEMPT = BulkUpdate(_ATTEMPTS, _ATTEMPT_STATE)
_INSERT_ATTEMPTS = BulkInsert(
    _ATTEMPTS, (*_ATTEMPT_COLUMNS, "reference_code_bidx", "reference_code_ct")
)
# Built once: a round reads its customers' histories and the statuses held for its sends.
_HISTORIES_OF = (
    select(
        _ATTEMPTS.c.customer_id,
        _ATTEMPTS.c.id,
        _ATTEMPTS.c.case_id,
        _ATTEMPTS.c.contact_point_id,
        _ATTEMPTS.c.channel,
        _ATTEMPTS.c.purpose,
        _ATTEMPTS.c.idempotency_key,
        _ATTEMPTS.c.created_at,
        _ATTEMPTS.c.debt_id,
        _ATTEMPTS.c.outcome,
        _ATTEMPTS.c.sent_at,
        _ATTEMPTS.c.status,
    )
    .where(in_ids(_ATTEMPTS.c.customer_id))
    .order_by(_ATTEMPTS.c.created_at, _ATTEMPTS.c.id)
)
_HELD: Table = HeldStatusRow.__table__  # type: ignore[assignment]
_HELD_FOR = (
    select(_HELD.c.id, _HELD.c.message_id, _HELD.c.providers, _HELD.c.outcome, _HELD.c.at)
    .where(in_ids(_HELD.c.message_id))
    .order_by(_HELD.c.id)
)
_DELETE_HELD = delete(_HELD).where(in_ids(_HELD.c.id))
_PART_COLUMNS = ("attempt_id", "provider", "message_id", "part")
_INSERT_PARTS = BulkInsert(_PROVIDER_MESSAGES, _PART_COLUMNS)


class AttemptNotFound(RightpartyError):
    code = "ATTEMPT_NOT_FOUND"

    def __init__(self, attempt_id: str) -> None:
        super().__init__(f"no attempt {attempt_id}")
        self.attempt_id = attempt_id


class SqlAttemptRepository:
    """The reference code is kept encrypted (for re-rendering after a crash) and blind-indexed
    (for the customer's "did this really come from my bank?" check)."""

    def __init__(
        self,
        session: Session,
        protection: FieldProtection,
        flush_held: FlushHeld | None = None,
    ) -> None:
        self._session = session
        self._protection = protection
        # Plain rows, not ORM entities: what this unit of work last read or wrote of each
        # attempt, so `save` writes an attempt only when it changed.
        self._rows: dict[str, dict[str, Any]] = {}
        # New attempts and changes `save` made, written together by `flush` (one executemany
        # each, as the ORM would): before any read of the table here, and by the unit of work
        # before it commits. The provider messages of attempts just sent wait with them.
        self._held = HeldUpdates(session)
        self._new: list[tuple[Any, ...]] = []
        self._pending_parts: list[tuple[str, str, str, int]] = []
        self._flush_held = self.flush if flush_held is None else flush_held

    def add(self, attempt: Attempt) -> None:
        self.add_many([attempt])

    def add_many(self, attempts: Sequence[Attempt]) -> None:
        """New attempts, their reference codes encrypted and indexed now, held and inserted
        together by `flush`: the unit of work runs it before any query that could read them,
        before anything that refers to them is written (decisions, after the cases they belong
        to) and before it commits. A worker records one attempt per step, and a statement per
        attempt cost more than the rest of its recording. A key already stored fails the flush,
        and with it the unit of work."""
        index, encrypt = self._protection.index, self._protection.encrypt
        for attempt in attempts:
            code = attempt.reference_code
            values = _attempt_values(attempt)
            code_index = index("reference_code", code)
            code_ct = encrypt(attempt.customer_id, "attempts", "reference_code", code)
            self._new.append((*values, code_index, code_ct))
            row = dict(zip(_ATTEMPT_COLUMNS, values, strict=True))
            row["reference_code_bidx"], row["reference_code_ct"] = code_index, code_ct
            self._rows[attempt.id] = row
            self._add_parts(attempt)

    def save(self, attempt: Attempt) -> None:
        row = self._row(attempt.id)
        values = _attempt_columns(attempt)
        if all(row[name] == value for name, value in values.items()):
            return
        refuse_fixed_changes("attempt", row, values, _ATTEMPT_FIXED)
        # An attempt is sent once (`mark_sent`), so its parts are written when its provider id
        # first appears; a later save of the same attempt writes none again.
        newly_sent = row["provider_message_id"] is None and attempt.provider_message_id
        self._held.hold(attempt.id, _UPDATE_ATTEMPT, values)
        row.update(values)
        if newly_sent:
            self._add_parts(attempt)

    def flush(self) -> None:
        """Insert the attempts `add` holds, then write the changes `save` holds."""
        if self._new:
            new, self._new = self._new, []
            _INSERT_ATTEMPTS.execute(self._session.connection(), new)
        self._held.flush()
        if self._pending_parts:
            _INSERT_PARTS.execute(self._session.connection(), self._pending_parts)
            self._pending_parts = []

    def _add_parts(self, attempt: Attempt) -> None:
        self._pending_parts.extend(_parts_of(attempt))

    def by_provider_message_id(self, provider: str, message_id: str) -> Attempt | None:
        """Any part's id finds the attempt; should a provider ever reuse an id, the attempt sent
        last is the one a callback can be about."""
        self._flush_held()
        query = (
            select(_ATTEMPTS)
            .join(ProviderMessageRow, ProviderMessageRow.attempt_id == _ATTEMPTS.c.id)
            .where(ProviderMessageRow.provider == provider)
            .where(ProviderMessageRow.message_id == message_id)
            .order_by(ProviderMessageRow.id.desc())
            .limit(1)
        )
        row = self._session.execute(query).first()
        return self._from_row(self._hold([row])[0]) if row is not None else None

    def record_part_outcome(
        self, provider: str, message_id: str, outcome: Outcome
    ) -> list[Outcome | None]:
        self._flush_held()
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
            for row in self._session.execute(_HELD_FOR, {"ids": list(message_ids)})
            if provider in row.providers.split(",")
        ]
        if rows:
            self._session.execute(_DELETE_HELD, {"ids": [row.id for row in rows]})
        return [(row.message_id, Outcome(row.outcome), row.at) for row in rows]

    def get_many(self, attempt_ids: Collection[str]) -> dict[str, Attempt]:
        """`get` for many at once, in one query."""
        wanted = [attempt_id for attempt_id in attempt_ids if attempt_id not in self._rows]
        if wanted:
            self._hold(self._session.execute(_ATTEMPTS_BY_ID, {"ids": wanted}))
        return {attempt_id: self._from_row(self._row(attempt_id)) for attempt_id in attempt_ids}

    def _row(self, attempt_id: str) -> dict[str, Any]:
        if attempt_id not in self._rows:
            self._hold(self._session.execute(_ATTEMPTS_BY_ID, {"ids": [attempt_id]}))
        row = self._rows.get(attempt_id)
        if row is None:
            raise AttemptNotFound(attempt_id)
        return row

    def _hold(self, rows: Iterable[Row[Any]]) -> list[dict[str, Any]]:
        held = [dict(row._mapping) for row in rows]
        self._rows.update((row["id"], row) for row in held)
        return held

    def by_idempotency_key(self, key: str) -> Attempt | None:
        self._flush_held()
        query = select(_ATTEMPTS).where(_ATTEMPTS.c.idempotency_key == key)
        held = self._hold(self._session.execute(query))
        return self._from_row(held[0]) if held else None

    def for_customer(self, customer_id: str) -> list[Attempt]:
        self._flush_held()
        query = (
            select(_ATTEMPTS)
            .where(_ATTEMPTS.c.customer_id == customer_id)
            .order_by(_ATTEMPTS.c.created_at, _ATTEMPTS.c.id)
        )
        return [self._from_row(row) for row in self._hold(self._session.execute(query))]

    def history(self, customer_id: str) -> list[AttemptHistoryEntry]:
        return self.histories([customer_id])[customer_id]

    def histories(self, customer_ids: Collection[str]) -> dict[str, list[AttemptHistoryEntry]]:
        """`history` of many customers in one query; a customer with none gets an empty list."""
        self._flush_held()
        found: dict[str, list[AttemptHistoryEntry]] = {key: [] for key in customer_ids}
        for row in self._session.execute(_HISTORIES_OF, {"ids": list(customer_ids)}):
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
        self._flush_held()
        query = select(_ATTEMPTS).where(
            _ATTEMPTS.c.reference_code_bidx == self._protection.index("reference_code", code)
        )
        found = [self._from_row(row) for row in self._hold(self._session.execute(query))]
        return [attempt for attempt in found if attempt.reference_code == code]

    def _from_row(self, row: dict[str, Any]) -> Attempt:
        outcome = row["outcome"]
        return Attempt(
            id=row["id"],
            case_id=row["case_id"],
            customer_id=row["customer_id"],
            contact_point_id=row["contact_point_id"],
            channel=Channel(row["channel"]),
            purpose=Purpose(row["purpose"]),
            idempotency_key=row["idempotency_key"],
            reference_code=self._protection.decrypt(
                row["customer_id"], "attempts", "reference_code", row["reference_code_ct"]
            ),
            created_at=row["created_at"],
            debt_id=row["debt_id"],
            status=AttemptStatus(row["status"]),
            provider=row["provider"],
            provider_message_id=row["provider_message_id"],
            sent_at=row["sent_at"],
            outcome=Outcome(outcome) if outcome else None,
            finalised_at=row["finalised_at"],
        )


def _attempt_columns(attempt: Attempt) -> dict[str, Any]:
    return dict(zip(_ATTEMPT_COLUMNS, _attempt_values(attempt), strict=True))


def _attempt_values(attempt: Attempt) -> tuple[Any, ...]:
    """The values of `_ATTEMPT_COLUMNS`, in that order (`_value_`, the member's own attribute, is
    several times cheaper to read than the `value` property, and every attempt is written)."""
    outcome = attempt.outcome
    return (
        attempt.id,
        attempt.case_id,
        attempt.customer_id,
        attempt.contact_point_id,
        attempt.channel._value_,
        attempt.purpose._value_,
        attempt.debt_id,
        attempt.idempotency_key,
        attempt.status._value_,
        attempt.provider,
        attempt.provider_message_id,
        outcome._value_ if outcome else None,
        attempt.created_at,
        attempt.sent_at,
        attempt.finalised_at,
    )


def _parts_of(attempt: Attempt) -> list[tuple[str, str, str, int]]:
    """One row (`_PART_COLUMNS`) per id in the attempt's comma-separated `provider_message_id`
    (see channels)."""
    provider = attempt.provider
    if provider is None or not attempt.provider_message_id:
        return []
    ids = [part for part in attempt.provider_message_id.split(",") if part]
    return [(attempt.id, provider, part, index) for index, part in enumerate(ids, start=1)]
