# SPDX-License-Identifier: Apache-2.0
"""Restrictions as rows: a type and a JSON document of its fields (instants as ISO 8601 UTC)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Any, Protocol

from rightparty.db.tables import RestrictionRow
from rightparty.db.types import NaiveDatetimeRefused
from rightparty.domain.restriction import (
    AttorneyRepresentation,
    CeaseCommunication,
    InconvenientPlace,
    InconvenientTime,
    LegalHold,
    OptOut,
    Restriction,
)
from rightparty.domain.vocabulary import (
    Channel,
    LegalHoldReason,
    OptOutScope,
    Purpose,
    RestrictionType,
)

_CLASSES: dict[RestrictionType, type[Restriction]] = {
    RestrictionType.CEASE_COMMUNICATION: CeaseCommunication,
    RestrictionType.ATTORNEY_REPRESENTED: AttorneyRepresentation,
    RestrictionType.LEGAL_HOLD: LegalHold,
    RestrictionType.OPT_OUT: OptOut,
    RestrictionType.INCONVENIENT_TIME: InconvenientTime,
    RestrictionType.INCONVENIENT_PLACE: InconvenientPlace,
}
_ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "reason": LegalHoldReason,
    "scope": OptOutScope,
    "channel": Channel,
    "purpose": Purpose,
}
_INSTANT_FIELDS = frozenset({"received_at", "since", "at"})
_TIME_FIELDS = frozenset({"start", "end"})


def restriction_to_row(customer_id: str, restriction: Restriction) -> RestrictionRow:
    details = {item.name: _encode(getattr(restriction, item.name)) for item in fields(restriction)}
    return RestrictionRow(customer_id=customer_id, type=restriction.type.value, details=details)


class RestrictionRecord(Protocol):
    """A stored restriction, as an ORM row or a plain result row."""

    @property
    def type(self) -> str: ...

    @property
    def details(self) -> dict[str, Any]: ...


def restriction_from_row(row: RestrictionRecord) -> Restriction:
    kind = _CLASSES[RestrictionType(row.type)]
    values = {name: _decode(name, value) for name, value in row.details.items()}
    return kind(**values)


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            # astimezone() would read a naive value as the host's local time.
            message = "refusing to store a naive datetime in a restriction"
            raise NaiveDatetimeRefused(message)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, frozenset):
        return sorted(value)
    return value


def _decode(name: str, value: Any) -> Any:  # noqa: ANN401 - JSON values are untyped
    if value is None:
        return None
    if name in _INSTANT_FIELDS:
        return datetime.fromisoformat(value)
    if name in _TIME_FIELDS:
        return time.fromisoformat(value)
    if name in _ENUM_FIELDS:
        return _ENUM_FIELDS[name](value)
    if name == "weekdays":
        return frozenset(value)
    return value
