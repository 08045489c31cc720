# SPDX-License-Identifier: Apache-2.0
"""Opening cases: the need to reach one customer for one purpose, with its plan and deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rightparty.domain.case import Case, Priority
from rightparty.domain.clock import Clock
from rightparty.domain.vocabulary import Purpose
from rightparty.usecases.customers import IdFactory, random_id
from rightparty.usecases.plans.catalogue import PlanCatalogue, default_plans
from rightparty.usecases.ports import UnitOfWork

RETRY_SUFFIX = ":retry"


@dataclass(frozen=True, slots=True)
class OpenCase:
    customer_id: str
    purpose: Purpose
    actor: str
    debt_id: str | None = None
    deadline: datetime | None = None
    priority: Priority | None = None
    start_at: datetime | None = None
    plan: str | None = None
    contact_point_ids: tuple[str, ...] | None = None
    """Target the case at these points of the customer only (see `Case.contact_point_ids`)."""


def open_case(
    command: OpenCase,
    uow: UnitOfWork,
    clock: Clock,
    *,
    plans: PlanCatalogue | None = None,
    new_id: IdFactory = random_id,
) -> str:
    """Open a case; its first step is due at `start_at` (default now)."""
    with uow:
        case_id = open_case_in(command, uow, clock.now(), plans=plans, new_id=new_id)
        uow.commit()
    return case_id


def open_case_in(
    command: OpenCase,
    uow: UnitOfWork,
    now: datetime,
    *,
    plans: PlanCatalogue | None = None,
    new_id: IdFactory = random_id,
) -> str:
    """The same, inside a unit of work the caller commits (follow-ups, bulk planning)."""
    plan = (plans or default_plans()).for_purpose(command.purpose)
    customer = uow.customers.get(command.customer_id)  # only ever about a known customer
    for point_id in command.contact_point_ids or ():
        customer.contact_point(point_id)  # only ever the customer's own points
    start = max(now, command.start_at or now)
    case = Case(
        id=new_id(),
        customer_id=command.customer_id,
        purpose=command.purpose,
        plan=command.plan or command.purpose.value,
        priority=command.priority or plan.priority,
        opened_at=now,
        deadline=command.deadline or start + plan.deadline,
        debt_id=command.debt_id,
        next_action_at=start,
        contact_point_ids=command.contact_point_ids,
    )
    uow.cases.add(case)
    payload: dict[str, object] = {
        "customer_id": case.customer_id,
        "purpose": case.purpose.value,
        "plan": case.plan,
        "deadline": case.deadline.isoformat(),
        "debt_id": case.debt_id,
    }
    if case.contact_point_ids is not None:
        payload["contact_point_ids"] = list(case.contact_point_ids)
    uow.audit.record("case.opened", command.actor, case.id, payload, now)
    return case.id


def retry_window(now: datetime) -> datetime:
    """When a case that failed on devices or networks is tried once more."""
    return now + timedelta(days=1)
