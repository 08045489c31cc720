# SPDX-License-Identifier: Apache-2.0
"""A customer's history, indexed once per counter so a budget check is two binary searches.

A `Counter` says what a budget counts: which channels, directions, outcomes and purposes, and the
scope keys that split the count (debt, contact point, channel, event; the person is implicit, since
the facts are one customer's). The index buckets the matching entries' instants by scope key the
first time a counter is asked for, and keeps the buckets for every later decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import product
from typing import TYPE_CHECKING

from rightparty.domain.vocabulary import Channel, ContactPointKind, Direction, Outcome, Purpose

if TYPE_CHECKING:
    from rightparty.policy.facts import HistoryEntry


class ScopeKey(StrEnum):
    """What a budget is counted per, besides the person."""

    DEBT = "debt"
    CONTACT_POINT = "contact_point"
    CHANNEL = "channel"
    EVENT = "event"


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ANY = _Marker("ANY")
"""Bucket of every entry whatever its value on that key (a request that names no debt)."""
UNATTRIBUTED = _Marker("UNATTRIBUTED")
"""Bucket of entries with no value on that key; they count toward every value."""

_EMPTY: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Counter:
    """What one budget counts. Hashable: the index keeps one set of buckets per counter.

    `purposes=None` counts every purpose; an entry without a purpose counts toward any purpose set.
    `point_kinds` keeps entries on points of those kinds (entries on unknown points are kept).
    """

    channels: frozenset[Channel]
    outcomes: frozenset[Outcome]
    directions: frozenset[Direction] = frozenset({Direction.OUTBOUND})
    purposes: frozenset[Purpose] | None = None
    point_kinds: frozenset[ContactPointKind] | None = None
    scope: tuple[ScopeKey, ...] = ()
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = (
            self.channels,
            self.outcomes,
            self.directions,
            self.purposes,
            self.point_kinds,
            self.scope,
        )
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        # Cached: the index looks its buckets up by counter on every decision.
        return self._hash


Key = tuple[object, ...]


_Row = tuple[
    float,
    Channel,
    Direction,
    Outcome,
    "Purpose | None",
    "ContactPointKind | None",
    dict[ScopeKey, tuple[object, ...]],
]
"""An entry as the index reads it: instant, channel, direction, outcome, purpose, point kind,
and its bucket values on each scope key (an entry with several debts has several)."""


class HistoryIndex:
    """Sorted instants (POSIX seconds) of counted entries, bucketed per scope key, per counter.

    Entries on `wrong_party_points` are never counted: a call to a number that is not the
    customer's is not a call to the customer (Reg F comment 14(b)(2)(i)-3). An entry on a point of
    unknown kind counts toward every kind-limited budget.
    """

    __slots__ = ("_buckets", "_rows")

    def __init__(
        self,
        entries: Iterable[HistoryEntry],
        *,
        wrong_party_points: frozenset[str] = frozenset(),
        point_kinds: Mapping[str, ContactPointKind | None] | None = None,
    ) -> None:
        kinds = point_kinds or {}
        rows: list[_Row] = [
            (
                entry.at.timestamp(),
                entry.channel,
                entry.direction,
                entry.outcome,
                entry.purpose,
                None if entry.contact_point_id is None else kinds.get(entry.contact_point_id),
                {
                    ScopeKey.DEBT: tuple(sorted(entry.debt_ids)) or (UNATTRIBUTED,),
                    ScopeKey.CONTACT_POINT: (entry.contact_point_id or UNATTRIBUTED,),
                    ScopeKey.CHANNEL: (entry.channel,),
                    ScopeKey.EVENT: (entry.event_id or UNATTRIBUTED,),
                },
            )
            for entry in entries
            if entry.contact_point_id is None or entry.contact_point_id not in wrong_party_points
        ]
        rows.sort(key=_instant)
        self._rows = tuple(rows)
        self._buckets: dict[Counter, tuple[dict[Key, tuple[float, ...]], bool]] = {}

    def instants(self, counter: Counter, values: tuple[str | None, ...]) -> tuple[float, ...]:
        """Sorted instants counted toward a request whose value on each scope key is `values`
        (`None`: the request names none, so every entry counts)."""
        built = self._buckets.get(counter)
        if built is None:
            built = self._build(counter)
        buckets, loose = built
        if not loose:
            return buckets.get(tuple(ANY if value is None else value for value in values), _EMPTY)
        options = [(ANY,) if value is None else (value, UNATTRIBUTED) for value in values]
        found = [buckets[key] for key in product(*options) if key in buckets]
        if len(found) == 1:
            return found[0]
        return tuple(sorted(instant for bucket in found for instant in bucket))

    def _build(self, counter: Counter) -> tuple[dict[Key, tuple[float, ...]], bool]:
        channels, directions, outcomes = counter.channels, counter.directions, counter.outcomes
        purposes, kinds = counter.purposes, counter.point_kinds
        matched = [
            row
            for row in self._rows
            if row[1] in channels
            and row[2] in directions
            and row[3] in outcomes
            and (purposes is None or row[4] is None or row[4] in purposes)
            and (kinds is None or row[5] is None or row[5] in kinds)
        ]
        scope = counter.scope
        built: tuple[dict[Key, tuple[float, ...]], bool]
        if not scope:
            built = ({(): tuple(row[0] for row in matched)}, False)
        else:
            lists: dict[Key, list[float]] = {}
            loose = False
            for row in matched:
                options = [(*row[6][key], ANY) for key in scope]
                loose = loose or any(option[0] is UNATTRIBUTED for option in options)
                keys = [(value,) for value in options[0]] if len(scope) == 1 else product(*options)
                for bucket_key in keys:
                    lists.setdefault(bucket_key, []).append(row[0])
            built = ({key: tuple(found) for key, found in lists.items()}, loose)
        self._buckets[counter] = built
        return built


def _instant(row: _Row) -> float:
    return row[0]
