# SPDX-License-Identifier: Apache-2.0
"""What limits contact: cease, attorney, legal hold, opt-out, inconvenient times and places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    LegalHoldReason,
    OptOutScope,
    Purpose,
    RestrictionType,
)


@dataclass(frozen=True, slots=True)
class CeaseCommunication:
    """Per debt, effective at receipt (Reg F §1006.6(c))."""

    debt_id: str
    received_at: datetime
    type: RestrictionType = RestrictionType.CEASE_COMMUNICATION


@dataclass(frozen=True, slots=True)
class AttorneyRepresented:
    debt_id: str
    since: datetime
    type: RestrictionType = RestrictionType.ATTORNEY_REPRESENTED


@dataclass(frozen=True, slots=True)
class LegalHold:
    reason: LegalHoldReason
    since: datetime
    type: RestrictionType = RestrictionType.LEGAL_HOLD


@dataclass(frozen=True, slots=True)
class OptOut:
    """`scope` says which of `channel`, `contact_point_id` or `purpose` is set (none for all)."""

    scope: OptOutScope
    at: datetime
    channel: Channel | None = None
    contact_point_id: str | None = None
    purpose: Purpose | None = None
    type: RestrictionType = RestrictionType.OPT_OUT

    def __post_init__(self) -> None:
        required = {
            OptOutScope.CHANNEL: self.channel,
            OptOutScope.CONTACT_POINT: self.contact_point_id,
            OptOutScope.PURPOSE: self.purpose,
        }
        if self.scope in required and required[self.scope] is None:
            message = f"an opt-out with scope {self.scope.value!r} must name its {self.scope.value}"
            raise ValueError(message)


@dataclass(frozen=True, slots=True)
class InconvenientTime:
    """Local to the customer; half-open `[start, end)`; weekdays 0 = Monday … 6 = Sunday."""

    weekdays: tuple[int, ...]
    start: time
    end: time
    type: RestrictionType = RestrictionType.INCONVENIENT_TIME

    def __post_init__(self) -> None:
        if any(day not in range(7) for day in self.weekdays):
            message = "weekdays are numbered 0 (Monday) to 6 (Sunday)"
            raise ValueError(message)


@dataclass(frozen=True, slots=True)
class InconvenientPlace:
    """The customer told the bank not to reach them at a place, typically work."""

    contact_point_kind: ContactPointKind = ContactPointKind.WORK
    contact_point_id: str | None = None
    type: RestrictionType = RestrictionType.INCONVENIENT_PLACE


Restriction = (
    CeaseCommunication
    | AttorneyRepresented
    | LegalHold
    | OptOut
    | InconvenientTime
    | InconvenientPlace
)
