# SPDX-License-Identifier: Apache-2.0
"""Folding an attempt's outcome into the attempt, the contact point's health and the case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rightparty.domain.attempt import Attempt, AttemptHistoryEntry
from rightparty.domain.restriction import OptOut
from rightparty.domain.vocabulary import OptOutScope, Outcome, OutcomeCategory
from rightparty.usecases.customers import IdFactory
from rightparty.usecases.orchestration.closing import ACTOR, close_unreachable
from rightparty.usecases.plans.catalogue import PlanCatalogue
from rightparty.usecases.ports import UnitOfWork

CaseHistory = Callable[[str, str], list[AttemptHistoryEntry]]
"""The attempts of a case as the unit of work has them now: (customer id, case id) in."""


def read_case_history(uow: UnitOfWork) -> CaseHistory:
    """A `CaseHistory` that reads the customer's history (flushing what the unit of work holds)."""

    def case_history(customer_id: str, case_id: str) -> list[AttemptHistoryEntry]:
        return [entry for entry in uow.attempts.history(customer_id) if entry.case_id == case_id]

    return case_history


def apply_outcome(
    attempt: Attempt,
    outcome: Outcome,
    at: datetime,
    uow: UnitOfWork,
    *,
    plans: PlanCatalogue,
    new_id: IdFactory,
    case_history: CaseHistory | None = None,
) -> None:
    """Final outcome in; the contact point learns from it; the case closes or moves on now.

    A refusal closes the case after a look at its attempts: through `case_history` when the
    caller has read them already, else from the unit of work."""
    attempt.finalise(outcome, at)
    uow.attempts.save(attempt)
    customer = uow.customers.get(attempt.customer_id)
    point = customer.contact_point(attempt.contact_point_id)
    status_before = point.status
    point.record_outcome(outcome, at)
    if outcome is Outcome.OPTED_OUT:
        customer.restrictions.append(
            OptOut(scope=OptOutScope.CONTACT_POINT, contact_point_id=point.id, at=at)
        )
    uow.customers.save(customer)
    uow.audit.record(
        "attempt.outcome",
        ACTOR,
        attempt.id,
        {
            "outcome": outcome.value,
            "category": outcome.category.value,
            "contact_point_status": [status_before.value, point.status.value],
        },
        at,
    )
    case = uow.cases.get(attempt.case_id)
    if case.status.closed:
        return
    if outcome.reached:
        case.mark_reached(at)
        uow.cases.save(case)
        uow.audit.record("case.reached", ACTOR, case.id, {"attempt_id": attempt.id}, at)
        return
    if outcome.category is OutcomeCategory.REFUSED:
        case_attempts = (case_history or read_case_history(uow))(customer.id, case.id)
        close_unreachable(case, customer, case_attempts, uow, at, plans=plans, new_id=new_id)
        return
    case.wait_until(at)
    uow.cases.save(case)


def settle_unknown_fate(
    attempt: Attempt,
    uow: UnitOfWork,
    at: datetime,
    *,
    plans: PlanCatalogue,
    new_id: IdFactory,
) -> Outcome:
    """A crash cut a send short and the provider would not recognise the key if asked again:
    the message may or may not have gone out, and asking again may send it twice. So it is
    never asked again. The attempt is final as `timeout` (it counts toward every cap as the
    message it may have been) and its case moves on; the contact point's health is left alone,
    since nothing is known about the point."""
    attempt.finalise(Outcome.TIMEOUT, at)
    uow.attempts.save(attempt)
    uow.audit.record(
        "attempt.fate_unknown",
        ACTOR,
        attempt.id,
        {"outcome": Outcome.TIMEOUT.value, "cause": "dispatch_interrupted"},
        at,
    )
    case = uow.cases.get(attempt.case_id)
    if not case.status.closed:
        case.wait_until(at)
        uow.cases.save(case)
    del plans, new_id  # the same signature as `apply_outcome`; nothing here opens a case
    return Outcome.TIMEOUT
