# SPDX-License-Identifier: Apache-2.0
"""What limits contact: cease, attorney, legal hold, opt-out, inconvenient times and places.

One set of classes serves the customer record, storage and the policy engine, so what is stored
is exactly what the engine decides from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import ClassVar

from rightparty.domain.vocabulary import (
    Channel,
    LegalHoldReason,
    OptOutScope,
    Purpose,
    RestrictionType,
)

ALL_WEEKDAYS = frozenset(range(7))


@dataclass(frozen=True, slots=True)
class CeaseCommunication:
    """A written refusal to pay or request to stop, for one debt (`None`: every debt); effective
    at receipt (Reg F §1006.6(c))."""

    type: ClassVar[RestrictionType] = RestrictionType.CEASE_COMMUNICATION
    received_at: datetime
    debt_id: str | None = None


@dataclass(frozen=True, slots=True)
class AttorneyRepresentation:
    """The customer is represented by an attorney for one debt (`None`: every debt)."""

    type: ClassVar[RestrictionType] = RestrictionType.ATTORNEY_REPRESENTED
    since: datetime
    debt_id: str | None = None


@dataclass(frozen=True, slots=True)
class OptOut:
    """A request to stop; `scope` says which of `channel`, `contact_point_id`, `purpose` is set."""

    type: ClassVar[RestrictionType] = RestrictionType.OPT_OUT
    scope: OptOutScope
    at: datetime
    channel: Channel | None = None
    contact_point_id: str | None = None
    purpose: Purpose | None = None

    def __post_init__(self) -> None:
        required = {
            OptOutScope.CHANNEL: self.channel,
            OptOutScope.CONTACT_POINT: self.contact_point_id,
            OptOutScope.PURPOSE: self.purpose,
        }
        if self.scope in required and required[self.scope] is None:
            message = f"an opt-out with scope {self.scope.value!r} must name its {self.scope.value}"
            raise ValueError(message)

    def covers(self, channel: Channel, contact_point_id: str, purpose: Purpose) -> bool:
        if self.scope == OptOutScope.ALL:
            return True
        if self.scope == OptOutScope.CHANNEL:
            return self.channel == channel
        if self.scope == OptOutScope.CONTACT_POINT:
            return self.contact_point_id == contact_point_id
        return self.purpose == purpose


@dataclass(frozen=True, slots=True)
class InconvenientTime:
    """A weekly time the customer called inconvenient, local to the customer, half-open.

    `weekdays` are 0 = Monday … 6 = Sunday and name the local date of the instant checked; when
    `start` is after `end` the span wraps past midnight (both parts belong to their own date).
    `end` may be `None` for "until midnight".
    """

    type: ClassVar[RestrictionType] = RestrictionType.INCONVENIENT_TIME
    start: time
    end: time | None
    weekdays: frozenset[int] = ALL_WEEKDAYS

    def __post_init__(self) -> None:
        if not self.weekdays <= ALL_WEEKDAYS:
            message = "weekdays are numbered 0 (Monday) to 6 (Sunday)"
            raise ValueError(message)

    def covers(self, weekday: int, seconds: float) -> bool:
        if weekday not in self.weekdays:
            return False
        start = _seconds(self.start)
        end = 86_400 if self.end is None else _seconds(self.end)
        if start < end:
            return start <= seconds < end
        return seconds >= start or seconds < end

    @property
    def boundaries(self) -> tuple[int, ...]:
        """Seconds of the day at which this restriction can start or stop applying."""
        start = _seconds(self.start)
        return (start,) if self.end is None else (start, _seconds(self.end))


@dataclass(frozen=True, slots=True)
class InconvenientPlace:
    """The customer may not be contacted at `place` ("workplace": the employer forbids it).

    With `contact_point_id` the restriction names that point; without, it covers every point of
    kind `work`, the media tied to the workplace (Reg F comment 6(b)(1)(ii)-1).
    """

    type: ClassVar[RestrictionType] = RestrictionType.INCONVENIENT_PLACE
    place: str = "workplace"
    contact_point_id: str | None = None


@dataclass(frozen=True, slots=True)
class LegalHold:
    """A hold for bankruptcy, death, dispute or litigation, for one debt or (`None`) all of them."""

    type: ClassVar[RestrictionType] = RestrictionType.LEGAL_HOLD
    reason: LegalHoldReason
    since: datetime
    debt_id: str | None = None


Restriction = (
    CeaseCommunication
    | AttorneyRepresentation
    | OptOut
    | InconvenientTime
    | InconvenientPlace
    | LegalHold
)


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second
