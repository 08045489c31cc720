# SPDX-License-Identifier: Apache-2.0
"""What running case steps reports: one `StepReport` per step, a `DueRound` per round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rightparty.domain.messages import OutboundMessage
from rightparty.domain.vocabulary import Outcome


class StepResult(StrEnum):
    CLOSED = "closed"
    NOT_DUE = "not_due"
    WAITING = "waiting"
    ADVANCED = "advanced"
    ATTEMPT_RECORDED = "attempt_recorded"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class StepReport:
    """`message` is the rendered message of the attempt just recorded, ready to dispatch."""

    result: StepResult
    attempt_id: str | None = None
    blocked_codes: tuple[str, ...] = ()
    message: OutboundMessage | None = None


@dataclass(frozen=True, slots=True)
class DueRound:
    """What `record_and_run_due` did: the answers' outcomes, a report per step taken, and when
    the next case falls due, as of its commit (None when no case is open)."""

    outcomes: list[Outcome | None]
    reports: list[StepReport]
    next_action_at: datetime | None
