# SPDX-License-Identifier: Apache-2.0
"""Closing a case that could not reach its customer: diagnose why, then follow up without ever
turning to anyone else (DESIGN.md §6)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rightparty.domain.attempt import AttemptHistoryEntry
from rightparty.domain.case import Case, unreachable_reason
from rightparty.domain.customer import Customer
from rightparty.domain.vocabulary import Channel, OutcomeCategory, Purpose
from rightparty.usecases.customers import IdFactory
from rightparty.usecases.orchestration.cases import (
    RETRY_SUFFIX,
    OpenCase,
    open_case_in,
    retry_window,
)
from rightparty.usecases.plans.catalogue import PlanCatalogue
from rightparty.usecases.ports import UnitOfWork

ACTOR = "system:orchestrator"


def diagnose(
    case_attempts: Sequence[AttemptHistoryEntry], customer: Customer, plan_channels: set[Channel]
) -> OutcomeCategory:
    """The §6 category that explains an unreachable case.

    With no attempt at all, a customer with no working point on any of the plan's channels has
    inaccurate details; otherwise the law or the clock kept us from trying in time, which counts
    as a device-or-network kind of failure to be retried later.
    """
    outcomes = [attempt.outcome for attempt in case_attempts if attempt.outcome is not None]
    if outcomes:
        return unreachable_reason([outcome.category for outcome in outcomes])
    working = any(customer.addressable_points(channel) for channel in plan_channels)
    return OutcomeCategory.DEVICE_OR_NETWORK if working else OutcomeCategory.INFO_INACCURATE


def close_unreachable(
    case: Case,
    customer: Customer,
    case_attempts: Sequence[AttemptHistoryEntry],
    uow: UnitOfWork,
    now: datetime,
    *,
    plans: PlanCatalogue,
    new_id: IdFactory,
) -> OutcomeCategory:
    channels = {step.channel for step in plans.for_purpose(case.purpose).steps}
    reason = diagnose(case_attempts, customer, channels)
    case.mark_unreachable(reason, now)
    uow.cases.save(case)
    uow.audit.record(
        "case.unreachable",
        ACTOR,
        case.id,
        {"reason": reason.value, "attempts": len(case_attempts)},
        now,
    )
    follow_up(case, reason, uow, now, plans=plans, new_id=new_id)
    return reason


def follow_up(
    case: Case,
    reason: OutcomeCategory,
    uow: UnitOfWork,
    now: datetime,
    *,
    plans: PlanCatalogue,
    new_id: IdFactory,
) -> str | None:
    """Inaccurate details: ask the customer to update them through what still works (a letter
    last). Device or network: one more try in a later window. Refusal: respect it and record it."""
    command: OpenCase | None = None
    if reason is OutcomeCategory.INFO_INACCURATE and case.purpose is not Purpose.INFO_UPDATE:
        command = OpenCase(case.customer_id, Purpose.INFO_UPDATE, ACTOR)
    elif reason is OutcomeCategory.DEVICE_OR_NETWORK and not case.plan.endswith(RETRY_SUFFIX):
        command = OpenCase(
            case.customer_id,
            case.purpose,
            ACTOR,
            debt_id=case.debt_id,
            start_at=retry_window(now),
            plan=case.plan + RETRY_SUFFIX,
            contact_point_ids=case.contact_point_ids,  # a targeted case retries its own targets
        )
    if command is None:
        uow.audit.record(
            "case.follow_up", ACTOR, case.id, {"reason": reason.value, "opened": None}, now
        )
        return None
    opened = open_case_in(command, uow, now, plans=plans, new_id=new_id)
    uow.audit.record(
        "case.follow_up", ACTOR, case.id, {"reason": reason.value, "opened": opened}, now
    )
    return opened
