# SPDX-License-Identifier: Apache-2.0
"""A provider's later word on a sent message (a status callback) folded into its attempt.

The caller has already checked that the provider sent it and mapped the provider's status to a
DESIGN.md §6 outcome (None while the message is still on its way). Applying the same status twice
changes nothing: an attempt is immutable once final.

A message split into parts (long SMS) is one attempt whose provider id lists every part's id, and
each part gets its own callbacks. A part that did not arrive decides at once (the customer did
not get the whole message, and the case should move on); the message counts as reached only when
every part has arrived (`read` when every part was read, else `delivered`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rightparty.domain.attempt import Attempt
from rightparty.domain.errors import RightpartyError
from rightparty.domain.vocabulary import Outcome
from rightparty.usecases.customers import IdFactory, random_id
from rightparty.usecases.orchestration.closing import ACTOR
from rightparty.usecases.orchestration.outcomes import apply_outcome
from rightparty.usecases.plans.catalogue import PlanCatalogue, default_plans
from rightparty.usecases.ports import UnitOfWork


class ProviderMessageNotFound(RightpartyError):
    """No attempt of these providers was sent with this message id."""

    code = "PROVIDER_MESSAGE_NOT_FOUND"

    def __init__(self, message_id: str) -> None:
        super().__init__(f"no attempt was sent as provider message {message_id}")
        self.message_id = message_id


class StatusResult(StrEnum):
    APPLIED = "applied"
    PART_RECORDED = "part_recorded"
    NOT_FINAL = "not_final"
    ALREADY_FINAL = "already_final"


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
    sent, ringing) may arrive before the dispatcher has committed the provider's id. Raises
    `ProviderMessageNotFound` for a final status no attempt was sent as.
    """
    if status.outcome is None:
        return StatusResult.NOT_FINAL
    with uow:
        provider, attempt = _find(status, uow)
        if attempt.final:
            return StatusResult.ALREADY_FINAL
        parts = uow.attempts.record_part_outcome(provider, status.message_id, status.outcome)
        outcome = message_outcome(parts) if len(parts) > 1 else status.outcome
        if outcome is None:
            uow.audit.record(
                "attempt.part_outcome",
                ACTOR,
                attempt.id,
                {"outcome": status.outcome.value, "parts": len(parts)},
                status.at,
            )
            uow.commit()
            return StatusResult.PART_RECORDED
        apply_outcome(
            attempt,
            outcome,
            status.at,
            uow,
            plans=plans if plans is not None else default_plans(),
            new_id=new_id,
        )
        uow.commit()
    return StatusResult.APPLIED


def message_outcome(parts: Sequence[Outcome | None]) -> Outcome | None:
    """The outcome of a whole message from its parts' (in part order), or None while unknown."""
    for outcome in parts:
        if outcome is not None and not outcome.reached:
            return outcome
    if not parts or any(outcome is None for outcome in parts):
        return None
    return Outcome.READ if all(outcome is Outcome.READ for outcome in parts) else Outcome.DELIVERED


def _find(status: ProviderStatus, uow: UnitOfWork) -> tuple[str, Attempt]:
    for provider in status.providers:
        attempt = uow.attempts.by_provider_message_id(provider, status.message_id)
        if attempt is not None:
            return provider, attempt
    raise ProviderMessageNotFound(status.message_id)
