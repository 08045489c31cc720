# SPDX-License-Identifier: Apache-2.0
"""Around a batch of sends: claiming the attempts before the provider is asked, and recording
every answer after, in the caller's unit of work."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from rightparty.domain.attempt import Attempt, AttemptHistoryEntry, AttemptStatus
from rightparty.domain.messages import DeliveryResult, DeliveryStatus, OutboundMessage
from rightparty.domain.vocabulary import Outcome, OutcomeCategory
from rightparty.usecases.customers import IdFactory
from rightparty.usecases.delivery_callbacks import (
    HeldStatus,
    fold_held_statuses,
    held_statuses_for,
)
from rightparty.usecases.orchestration.closing import ACTOR
from rightparty.usecases.orchestration.outcomes import (
    CaseHistory,
    apply_outcome,
    read_case_history,
)
from rightparty.usecases.plans.catalogue import PlanCatalogue
from rightparty.usecases.ports import UnitOfWork

SentMessage = tuple[OutboundMessage, DeliveryResult]


def claim_queued(messages: Sequence[OutboundMessage], uow: UnitOfWork) -> list[OutboundMessage]:
    """Mark each still-queued attempt `dispatching`; the others are not sent (again) here."""
    claimed: list[OutboundMessage] = []
    attempts = uow.attempts.get_many([message.attempt_id for message in messages])
    for message in messages:
        attempt = attempts[message.attempt_id]
        if attempt.status is AttemptStatus.QUEUED:
            attempt.mark_dispatching()
            uow.attempts.save(attempt)
            claimed.append(message)
    return claimed


def record_sends(
    results: Sequence[SentMessage],
    uow: UnitOfWork,
    now: datetime,
    *,
    plans: PlanCatalogue,
    new_id: IdFactory,
) -> list[Outcome | None]:
    """Each answer recorded on its attempt, with the outcome it settles; the outcome known so
    far of each, in order. An attempt found neither queued nor dispatching keeps what it has."""
    # Read together; the answers below then find them in the unit of work. A send the provider
    # only accepted (its outcome comes later, by callback) touches its attempt alone, so
    # customers and cases are read only for the sends that settle now.
    attempts = uow.attempts.get_many([message.attempt_id for message, _ in results])
    held = held_statuses_for([result for _, result in results], uow)
    settling = [
        attempts[message.attempt_id] for message, result in results if _settles(result, held)
    ]
    uow.customers.get_many({attempt.customer_id for attempt in settling})
    uow.cases.get_many({attempt.case_id for attempt in settling})
    case_history = _case_history_for_refusals(results, attempts, uow)
    return [
        _record_send(
            message.attempt_id,
            result,
            uow,
            now,
            held,
            plans=plans,
            new_id=new_id,
            case_history=case_history,
        )
        for message, result in results
    ]


def _case_history_for_refusals(
    results: Sequence[SentMessage], attempts: Mapping[str, Attempt], uow: UnitOfWork
) -> CaseHistory:
    """The case histories a refusal closes its case with, read for all of them at once before
    any answer is recorded: reading one customer's at each refusal flushed everything held so
    far every time. An attempt of this batch is taken as the unit of work holds it now (its
    outcome recorded by then; `get` finds it there, without a query); the rest, which nothing
    here changes, as stored. A refusal that was not foreseen (a status held from a callback)
    reads its own, as before."""
    refusing = {
        attempts[message.attempt_id].customer_id
        for message, result in results
        if result.outcome is not None and result.outcome.category is OutcomeCategory.REFUSED
    }
    histories = uow.attempts.histories(refusing) if refusing else {}
    read = read_case_history(uow)

    def case_history(customer_id: str, case_id: str) -> list[AttemptHistoryEntry]:
        history = histories.get(customer_id)
        if history is None:
            return read(customer_id, case_id)
        return [
            uow.attempts.get(entry.id).history_entry() if entry.id in attempts else entry
            for entry in history
            if entry.case_id == case_id
        ]

    return case_history


def _settles(result: DeliveryResult, held: Mapping[str, Sequence[HeldStatus]]) -> bool:
    """Whether recording this send settles an outcome now (its own, or a status held for it)."""
    if result.outcome is not None or result.status is not DeliveryStatus.ACCEPTED:
        return True
    return bool(_held_for(result, held))


def _held_for(result: DeliveryResult, held: Mapping[str, Sequence[HeldStatus]]) -> list[HeldStatus]:
    """The statuses held for any part of this send's messages."""
    return [
        status
        for message_id in (result.provider_message_id or "").split(",")
        for status in held.get(message_id, ())
    ]


def _record_send(
    attempt_id: str,
    result: DeliveryResult,
    uow: UnitOfWork,
    now: datetime,
    held: Mapping[str, Sequence[HeldStatus]],
    *,
    plans: PlanCatalogue,
    new_id: IdFactory,
    case_history: CaseHistory,
) -> Outcome | None:
    attempt = uow.attempts.get(attempt_id)
    if attempt.status not in (AttemptStatus.QUEUED, AttemptStatus.DISPATCHING):
        return attempt.outcome
    attempt.mark_sent(result.provider, result.provider_message_id, now)
    uow.attempts.save(attempt)
    uow.audit.record(
        "attempt.sent",
        ACTOR,
        attempt.id,
        {"status": result.status.value, "provider": result.provider},
        now,
    )
    outcome = result.outcome
    if outcome is None and result.status is not DeliveryStatus.ACCEPTED:
        outcome = Outcome.PROVIDER_ERROR
    if outcome is not None:
        apply_outcome(
            attempt, outcome, now, uow, plans=plans, new_id=new_id, case_history=case_history
        )
        return outcome
    # A callback faster than this commit was held; it is the outcome now.
    fold_held_statuses(attempt, _held_for(result, held), uow, plans=plans, new_id=new_id)
    return attempt.outcome
