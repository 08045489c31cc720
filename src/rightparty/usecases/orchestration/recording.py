# SPDX-License-Identifier: Apache-2.0
"""Recording many decided attempts in one transaction (DESIGN.md §5: work runs in chunks).

Each proposed attempt arrives with the policy engine's decision on it. An allowed one becomes a
queued attempt (reference code encrypted and blind-indexed by the repository) with its decision
and an `attempt.recorded` audit entry; a blocked one keeps its decision and a `decision.blocked`
entry, exactly as the case worker records them one at a time. The customers' data keys are
read and their nonce blocks reserved together (`prepare_customers`), rows go in with one
executemany per table and the audit entries are appended in one batch at commit, so a chunk
costs a handful of statements instead of several per attempt. Each distinct decision of a chunk
becomes its document, serialised for the decision rows and the audit payloads, only once. The
chunk is all or nothing: an idempotency key that is already stored fails the whole chunk, which
then writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rightparty.audit.events import CanonicalJson
from rightparty.domain.attempt import Attempt
from rightparty.domain.case import Case
from rightparty.domain.clock import Clock
from rightparty.domain.customer import Customer
from rightparty.policy.decision import Decision
from rightparty.usecases.customers import IdFactory, random_id
from rightparty.usecases.orchestration.closing import ACTOR
from rightparty.usecases.orchestration.reference_codes import new_reference_code
from rightparty.usecases.ports import DecisionEntry, UnitOfWork


@dataclass(frozen=True, slots=True)
class DecidedAttempt:
    """A proposed attempt on one of the customer's points, with the decision taken on it."""

    case: Case
    customer: Customer
    contact_point_id: str
    decision: Decision


@dataclass(frozen=True, slots=True)
class RecordedBatch:
    """`attempts` are the allowed ones, queued, in the order they were given."""

    attempts: tuple[Attempt, ...]
    blocked: int


def attempt_key(case: Case, contact_point_id: str) -> str:
    """The idempotency key of an attempt: one per case, plan step and contact point."""
    return f"{case.id}:{case.step_index}:{contact_point_id}"


def record_attempts(
    batch: Sequence[DecidedAttempt],
    uow: UnitOfWork,
    clock: Clock,
    *,
    new_id: IdFactory = random_id,
    new_code: Callable[[], str] = new_reference_code,
) -> RecordedBatch:
    """Record the whole batch in one transaction, or nothing."""
    with uow:
        recorded = record_decided(batch, uow, clock.now(), new_id=new_id, new_code=new_code)
        uow.commit()
    return recorded


def record_decided(
    batch: Sequence[DecidedAttempt],
    uow: UnitOfWork,
    now: datetime,
    *,
    new_id: IdFactory = random_id,
    new_code: Callable[[], str] = new_reference_code,
) -> RecordedBatch:
    """`record_attempts` inside a unit of work the caller has open and commits."""
    attempts: list[Attempt] = []
    decisions: list[DecisionEntry] = []
    documents: DocumentMemo = {}
    record = uow.audit.record
    for item in batch:
        case, customer, decision = item.case, item.customer, item.decision
        if case.customer_id != customer.id:
            message = f"case {case.id} belongs to another customer than {customer.id}"
            raise ValueError(message)
        document, canonical = decision_document(decision, documents)
        if not decision.allowed:
            decisions.append(DecisionEntry(case.id, None, document, now))
            record(
                "decision.blocked",
                ACTOR,
                case.id,
                {"contact_point_id": item.contact_point_id, "decision": canonical},
                now,
            )
            continue
        attempt = _attempt(item, now, new_id(), new_code())
        attempts.append(attempt)
        decisions.append(DecisionEntry(case.id, attempt.id, document, now))
        record(
            "attempt.recorded",
            ACTOR,
            attempt.id,
            {
                "case_id": case.id,
                "customer_id": customer.id,
                "contact_point_id": attempt.contact_point_id,
                # `_value_`: the member's own attribute, several times cheaper than `value`
                "channel": attempt.channel._value_,
                "purpose": attempt.purpose._value_,
                "decision": canonical,
            },
            now,
        )
    uow.prepare_customers([attempt.customer_id for attempt in attempts])
    uow.attempts.add_many(attempts)
    uow.decisions.add_many(decisions)
    return RecordedBatch(tuple(attempts), blocked=len(batch) - len(attempts))


DecisionDocument = tuple[dict[str, object], CanonicalJson]
"""A decision's §8.3 document, and its canonical form for audit payloads."""
DocumentMemo = dict[Decision, DecisionDocument]


def decision_document(decision: Decision, seen: DocumentMemo) -> DecisionDocument:
    """The decision's §8.3 document and its canonical form for audit payloads, made once per
    distinct decision of the batch: most attempts of a chunk share one (same packs, same
    results), and its JSON dominated the cost of recording them. Equal decisions have equal
    documents, so the audit digests are those of `decision.to_json()` for every attempt."""
    made = seen.get(decision)
    if made is None:
        document = decision.to_json()
        made = seen[decision] = (document, CanonicalJson(document))
    return made


def _attempt(item: DecidedAttempt, now: datetime, attempt_id: str, code: str) -> Attempt:
    point = item.customer.contact_point(item.contact_point_id)
    return Attempt(
        id=attempt_id,
        case_id=item.case.id,
        customer_id=item.customer.id,
        contact_point_id=point.id,
        channel=point.channel,
        purpose=item.case.purpose,
        idempotency_key=attempt_key(item.case, point.id),
        reference_code=code,
        created_at=now,
        debt_id=item.case.debt_id,
    )
