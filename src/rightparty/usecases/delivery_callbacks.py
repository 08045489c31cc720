# SPDX-License-Identifier: Apache-2.0
"""A provider's later word on a sent message (a status callback) folded into its attempt.

The caller has already checked that the provider sent it and mapped the provider's status to a
DESIGN.md §6 outcome (None while the message is still on its way). Applying the same status twice
changes nothing: an attempt is immutable once final.

A final status for an id no attempt was recorded with yet is held (`held_statuses`), not refused:
providers call back fast, and a "delivered" can arrive while the dispatcher is still sending the
rest of its batch. Recording the send applies what was held (`fold_held_statuses`).

A message split into parts (long SMS) is one attempt whose provider id lists every part's id, and
each part gets its own callbacks. A part that did not arrive decides at once (the customer did
not get the whole message, and the case should move on); the message counts as reached only when
every part has arrived (`read` when every part was read, else `delivered`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from rightparty.domain.attempt import Attempt
from rightparty.domain.messages import DeliveryResult, DeliveryStatus
from rightparty.domain.vocabulary import Outcome
from rightparty.usecases.customers import IdFactory, random_id
from rightparty.usecases.orchestration.closing import ACTOR
from rightparty.usecases.orchestration.outcomes import apply_outcome
from rightparty.usecases.plans.catalogue import PlanCatalogue, default_plans
from rightparty.usecases.ports import UnitOfWork

HELD_FOR = timedelta(days=7)
"""How long a status waits for its send to be recorded. A send is recorded within seconds; one
still unclaimed after a week was for a message some other system sent on the same account."""


class StatusResult(StrEnum):
    APPLIED = "applied"
    PART_RECORDED = "part_recorded"
    NOT_FINAL = "not_final"
    ALREADY_FINAL = "already_final"
    HELD = "held"


@dataclass(frozen=True, slots=True)
class ProviderStatus:
    """`providers`: the names of the provider instances the message may have gone through (the
    webhook knows the provider's kind, not which configured instance sent it)."""

    providers: Sequence[str]
    message_id: str
    outcome: Outcome | None
    at: datetime


def record_provider_status(
    status: ProviderStatus,
    uow: UnitOfWork,
    *,
    plans: PlanCatalogue | None = None,
    new_id: IdFactory = random_id,
) -> StatusResult:
    """Fold a final status into its attempt, its contact point's health and its case.

    A status that is not final changes nothing and is not looked up: the first ones (queued,
    sent, ringing) may arrive before the dispatcher has committed the provider's id. A final
    status for an id no attempt was recorded with yet is held until one is.
    """
    if status.outcome is None:
        return StatusResult.NOT_FINAL
    plans = plans if plans is not None else default_plans()
    with uow:
        found = _find(status, uow)
        if found is None:
            uow.attempts.hold_status(status.message_id, status.providers, status.outcome, status.at)
            forgotten = uow.attempts.forget_held_statuses(before=status.at - HELD_FOR)
            uow.audit.record(
                "provider_status.held",
                ACTOR,
                f"provider_message:{status.message_id}",
                {"outcome": status.outcome.value, "forgotten": forgotten},
                status.at,
            )
            uow.commit()
            return StatusResult.HELD
        provider, attempt = found
        result = fold_status(
            attempt,
            uow,
            provider=provider,
            message_id=status.message_id,
            outcome=status.outcome,
            at=status.at,
            plans=plans,
            new_id=new_id,
        )
        uow.commit()
    return result


def fold_status(
    attempt: Attempt,
    uow: UnitOfWork,
    *,
    provider: str,
    message_id: str,
    outcome: Outcome,
    at: datetime,
    plans: PlanCatalogue,
    new_id: IdFactory,
) -> StatusResult:
    """One final status of one of `attempt`'s messages, inside the caller's unit of work."""
    if attempt.final:
        return StatusResult.ALREADY_FINAL
    parts = uow.attempts.record_part_outcome(provider, message_id, outcome)
    whole = message_outcome(parts) if len(parts) > 1 else outcome
    if whole is None:
        uow.audit.record(
            "attempt.part_outcome",
            ACTOR,
            attempt.id,
            {"outcome": outcome.value, "parts": len(parts)},
            at,
        )
        return StatusResult.PART_RECORDED
    apply_outcome(attempt, whole, at, uow, plans=plans, new_id=new_id)
    return StatusResult.APPLIED


HeldStatus = tuple[str, Outcome, datetime]
"""A held status: the provider's message id, its outcome, when it was reported."""


def fold_held_statuses(
    attempt: Attempt,
    held: Sequence[HeldStatus],
    uow: UnitOfWork,
    *,
    plans: PlanCatalogue,
    new_id: IdFactory,
) -> None:
    """Fold in what providers said about `attempt`'s messages before its send was recorded
    (`held`: taken from `held_statuses` for its message ids)."""
    if attempt.provider is None:
        return
    for message_id, outcome, at in held:
        fold_status(
            attempt,
            uow,
            provider=attempt.provider,
            message_id=message_id,
            outcome=outcome,
            at=at,
            plans=plans,
            new_id=new_id,
        )


def message_outcome(parts: Sequence[Outcome | None]) -> Outcome | None:
    """The outcome of a whole message from its parts' (in part order), or None while unknown."""
    for outcome in parts:
        if outcome is not None and not outcome.reached:
            return outcome
    if not parts or any(outcome is None for outcome in parts):
        return None
    return Outcome.READ if all(outcome is Outcome.READ for outcome in parts) else Outcome.DELIVERED


def _find(status: ProviderStatus, uow: UnitOfWork) -> tuple[str, Attempt] | None:
    for provider in status.providers:
        attempt = uow.attempts.by_provider_message_id(provider, status.message_id)
        if attempt is not None:
            return provider, attempt
    return None


def held_statuses_for(
    results: Sequence[DeliveryResult], uow: UnitOfWork
) -> dict[str, list[HeldStatus]]:
    """Statuses held for the message ids of a batch's accepted sends, by id: one look-up per
    provider for the whole batch, not one per message."""
    wanted: dict[str, list[str]] = {}
    for result in results:
        if result.status is DeliveryStatus.ACCEPTED and result.provider_message_id:
            wanted.setdefault(result.provider, []).extend(result.provider_message_id.split(","))
    found: dict[str, list[HeldStatus]] = {}
    for provider, message_ids in wanted.items():
        for status in uow.attempts.take_held_statuses(provider, message_ids):
            found.setdefault(status[0], []).append(status)
    return found
