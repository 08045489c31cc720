# SPDX-License-Identifier: Apache-2.0
"""The run summary of DESIGN.md §8.4, computed from what was stored, never from memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rightparty.db.tables import (
    AttemptRow,
    CaseRow,
    ContactPointRow,
    DecisionDocumentRow,
    DecisionRow,
)
from rightparty.domain.vocabulary import Outcome, OutcomeCategory

_CHUNK = 500


@dataclass
class RunSummary:
    customers: int
    cases: int
    attempts: int
    reached: int
    unreachable: dict[str, int]
    blocked: dict[str, int]
    third_party_contacts: int
    audit_verified: bool
    by_channel: dict[str, dict[str, int]]
    cases_by_status: dict[str, int] = field(default_factory=dict)
    cases_by_purpose: dict[str, dict[str, int]] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)

    def contract(self) -> dict[str, Any]:
        """Exactly the §8.4 keys."""
        return {
            "customers": self.customers,
            "cases": self.cases,
            "attempts": self.attempts,
            "reached": self.reached,
            "unreachable": self.unreachable,
            "blocked": self.blocked,
            "third_party_contacts": self.third_party_contacts,
            "audit_verified": self.audit_verified,
            "by_channel": self.by_channel,
        }


def summarise(session: Session, customer_ids: Sequence[str], *, audit_verified: bool) -> RunSummary:
    """Counts over every case of the given customers (a run's own, follow-ups included), so
    earlier data in the database does not blur the figures. `reached` counts cases that reached
    their customer; withdrawn attempts are not attempts (they reached no one)."""
    cases = list(
        _rows(
            session,
            select(CaseRow.id, CaseRow.status, CaseRow.purpose, CaseRow.unreachable_reason),
            CaseRow.customer_id,
            customer_ids,
        )
    )
    attempts = list(
        _rows(
            session,
            select(
                AttemptRow.channel,
                AttemptRow.outcome,
                AttemptRow.customer_id,
                ContactPointRow.customer_id,
                AttemptRow.contact_point_id,
                AttemptRow.sent_at,
                AttemptRow.finalised_at,
                AttemptRow.status,
            ).join(ContactPointRow, ContactPointRow.id == AttemptRow.contact_point_id),
            AttemptRow.customer_id,
            customer_ids,
        )
    )
    decisions = list(
        _rows(
            session,
            select(DecisionDocumentRow.document)
            .join(DecisionRow, DecisionRow.document_digest == DecisionDocumentRow.digest)
            .join(CaseRow, CaseRow.id == DecisionRow.case_id)
            .where(DecisionRow.allowed.is_(False)),
            CaseRow.customer_id,
            customer_ids,
        )
    )
    withdrawn = sum(1 for row in attempts if row[7] == "withdrawn")
    attempts = [row for row in attempts if row[7] != "withdrawn"]
    status = Counter(row[1] for row in cases)
    by_purpose: dict[str, Counter[str]] = {}
    for _id, case_status, purpose, _reason in cases:
        by_purpose.setdefault(purpose, Counter())[case_status] += 1
    return RunSummary(
        customers=len(customer_ids),
        cases=len(cases),
        attempts=len(attempts),
        reached=status.get("reached", 0),
        unreachable=_unreachable(cases),
        blocked=_blocked(document for (document,) in decisions),
        third_party_contacts=_third_party_contacts(attempts),
        audit_verified=audit_verified,
        by_channel=_by_channel(attempts),
        cases_by_status=dict(sorted(status.items())),
        cases_by_purpose={key: dict(value) for key, value in sorted(by_purpose.items())},
        outcomes=dict(
            Counter(row[1] or "pending" for row in attempts).most_common()
            + [("withdrawn", withdrawn)] * bool(withdrawn)
        ),
    )


_NOT_ME = frozenset({Outcome.WRONG_NUMBER.value, Outcome.ANSWERED_THIRD_PARTY.value})


def _third_party_contacts(attempts: Sequence[Any]) -> int:
    """Attempts that addressed someone other than the customer knowingly: a point that is not the
    customer's own, or a point sent to after an earlier attempt there had come back "not me".
    (A first "not me" is how a wrong number is discovered; it is counted as `info_inaccurate`.)"""
    strangers = sum(1 for row in attempts if row[2] != row[3])
    known_wrong: dict[str, Any] = {}
    for row in attempts:
        if row[1] in _NOT_ME and row[6] is not None:
            point = row[4]
            known_wrong[point] = min(known_wrong.get(point, row[6]), row[6])
    after_known = sum(
        1
        for row in attempts
        if row[4] in known_wrong and row[5] is not None and row[5] > known_wrong[row[4]]
    )
    return strangers + after_known


def _rows(session: Session, query: Any, column: Any, ids: Sequence[str]) -> Iterator[Any]:  # noqa: ANN401 - a SQLAlchemy Select of any shape
    for start in range(0, len(ids), _CHUNK):
        yield from session.execute(query.where(column.in_(ids[start : start + _CHUNK])))


def _unreachable(cases: Iterable[Any]) -> dict[str, int]:
    counts = {category.value: 0 for category in OutcomeCategory if category.value != "reached"}
    for _id, status, _purpose, reason in cases:
        if status == "unreachable" and reason:
            counts[reason] += 1
    return counts


def _blocked(documents: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for document in documents:
        counts.update({reason["code"] for reason in document.get("reasons", [])})
    return dict(sorted(counts.items()))


def _by_channel(attempts: Iterable[Any]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for attempt in attempts:
        channel, outcome = attempt[0], attempt[1]
        row = table.setdefault(channel, {"attempts": 0, "reached": 0})
        row["attempts"] += 1
        if outcome is not None and Outcome(outcome).reached:
            row["reached"] += 1
    return dict(sorted(table.items()))
