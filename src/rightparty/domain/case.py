# SPDX-License-Identifier: Apache-2.0
"""A case: the need to reach one customer for one purpose, by a deadline, following a plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from rightparty.domain.errors import CaseClosed
from rightparty.domain.vocabulary import OutcomeCategory, Purpose


class CaseStatus(StrEnum):
    OPEN = "open"
    WAITING = "waiting"
    REACHED = "reached"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"

    @property
    def closed(self) -> bool:
        return self in (CaseStatus.REACHED, CaseStatus.UNREACHABLE, CaseStatus.CANCELLED)


class Priority(IntEnum):
    LOW = 1
    NORMAL = 2
    HIGH = 3
    URGENT = 4


@dataclass(slots=True)
class Case:
    """`contact_point_ids`, when set, targets the case at those points of the customer only
    (the notice of a contact change goes to the old and to the new address); None means any of
    the customer's points in regular use."""

    id: str
    customer_id: str
    purpose: Purpose
    plan: str
    priority: Priority
    opened_at: datetime
    deadline: datetime
    debt_id: str | None = None
    status: CaseStatus = CaseStatus.OPEN
    step_index: int = 0
    next_action_at: datetime | None = None
    unreachable_reason: OutcomeCategory | None = None
    closed_at: datetime | None = None
    contact_point_ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.contact_point_ids is not None and not self.contact_point_ids:
            message = "a targeted case needs at least one contact point"
            raise ValueError(message)

    @property
    def targeted(self) -> bool:
        return self.contact_point_ids is not None

    def wait_until(self, instant: datetime) -> None:
        self._require_open()
        self.status = CaseStatus.WAITING
        self.next_action_at = instant

    def advance_step(self, at: datetime) -> None:
        """Move to the plan's next step, to be acted on at `at`."""
        self._require_open()
        self.step_index += 1
        self.status = CaseStatus.OPEN
        self.next_action_at = at

    def mark_reached(self, at: datetime) -> None:
        self._close(CaseStatus.REACHED, at)

    def mark_unreachable(self, reason: OutcomeCategory, at: datetime) -> None:
        if reason is OutcomeCategory.REACHED:
            message = "a case that reached its customer is not unreachable"
            raise ValueError(message)
        self._close(CaseStatus.UNREACHABLE, at)
        self.unreachable_reason = reason

    def cancel(self, at: datetime) -> None:
        self._close(CaseStatus.CANCELLED, at)

    def _close(self, status: CaseStatus, at: datetime) -> None:
        self._require_open()
        self.status = status
        self.closed_at = at
        self.next_action_at = None

    def _require_open(self) -> None:
        if self.status.closed:
            raise CaseClosed(self.id, self.status.value)


def unreachable_reason(categories: list[OutcomeCategory]) -> OutcomeCategory:
    """DESIGN.md §6: any refusal -> refused; every failure inaccurate -> info_inaccurate; else
    device_or_network (also when nothing could be tried at all)."""
    failures = [category for category in categories if category is not OutcomeCategory.REACHED]
    if OutcomeCategory.REFUSED in failures:
        return OutcomeCategory.REFUSED
    if failures and all(category is OutcomeCategory.INFO_INACCURATE for category in failures):
        return OutcomeCategory.INFO_INACCURATE
    return OutcomeCategory.DEVICE_OR_NETWORK
