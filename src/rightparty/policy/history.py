# SPDX-License-Identifier: Apache-2.0
"""A customer's history, indexed lazily so a budget check is a lookup and two binary searches.

A `Counter` says what a budget counts: which channels, directions, outcomes and purposes, and the
scope keys that split the count (debt, contact point, channel, event; the person is implicit, since
the facts are one customer's). The index finds the entries a counter matches the first time the
counter is asked for, the sorted instants of one scope value (one debt, say) the first time that
value is asked for, and keeps both for every later decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain, count
from operator import itemgetter
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


UNATTRIBUTED = _Marker("UNATTRIBUTED")
"""The value of an entry that has none on a key; it counts toward every value."""


_TOKENS: dict[Counter, int] = {}
"""Every distinct counter made so far (a few per pack) and its token."""
_SEQUENCE = count()


@dataclass(frozen=True, slots=True)
class Counter:
    """What one budget counts. Hashable: the index keeps the entries it matches per counter.

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
    token: int = field(init=False, repr=False, compare=False)
    """The same small number for equal counters: the index keys its results by it, which is
    cheaper to hash than the counter."""

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
        object.__setattr__(self, "token", _TOKENS.setdefault(self, next(_SEQUENCE)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[Counter], tuple[object, ...]]:
        # Rebuilt from its fields where it is unpickled: `_hash` and `token` belong to a process.
        fields = (
            self.channels,
            self.outcomes,
            self.directions,
            self.purposes,
            self.point_kinds,
            self.scope,
        )
        return (Counter, fields)


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
and its values on each scope key (an entry with several debts has several)."""
_Signature = tuple[Channel, Direction, Outcome, "Purpose | None", "ContactPointKind | None"]
"""What a counter matches an entry on: its row without instant and scope values."""


class HistoryIndex:
    """Sorted instants (POSIX seconds) of counted entries, per counter and scope values.

    Entries on `wrong_party_points` are never counted: a call to a number that is not the
    customer's is not a call to the customer (Reg F comment 14(b)(2)(i)-3). An entry on a point of
    unknown kind counts toward every kind-limited budget.
    """

    __slots__ = ("_found", "_groups", "_matched", "size")

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
        groups: dict[_Signature, list[_Row]] = {}
        for row in rows:
            groups.setdefault(row[1:6], []).append(row)
        self._groups = {signature: tuple(group) for signature, group in groups.items()}
        """Rows by what a counter matches on, each group sorted: a counter tests each kind of
        entry once, not each entry (a customer's calls are mostly a few kinds repeated)."""
        self.size = len(rows)
        """How many entries can count at all (none on a wrong-party point); no budget's count for
        any request is ever more."""
        self._matched: dict[int, tuple[_Row, ...]] = {}
        self._found: dict[tuple[int, tuple[str | None, ...]], tuple[float, ...]] = {}

    def instants(self, counter: Counter, values: tuple[str | None, ...]) -> tuple[float, ...]:
        """Sorted instants counted toward a request whose value on each scope key is `values`
        (`None`: the request names none, so every entry counts)."""
        found = self._found.get((counter.token, values))
        if found is None:
            found = self._find(counter, values)
        return found

    def _find(self, counter: Counter, values: tuple[str | None, ...]) -> tuple[float, ...]:
        """An entry counts toward a value if it has that value on the key (an entry with several
        debts has several) or has none there (unattributed); every entry counts toward `None`."""
        matched = self._matched.get(counter.token)
        if matched is None:
            matched = self._match(counter)
        wanted = [
            (key, value)
            for key, value in zip(counter.scope, values, strict=True)
            if value is not None
        ]
        if not wanted:
            found = tuple([row[0] for row in matched])
        elif len(wanted) == 1:
            ((key, value),) = wanted
            found = tuple(
                [
                    row[0]
                    for row in matched
                    if value in row[6][key] or row[6][key][0] is UNATTRIBUTED
                ]
            )
        else:
            found = tuple(
                [
                    row[0]
                    for row in matched
                    if all(
                        value in row[6][key] or row[6][key][0] is UNATTRIBUTED
                        for key, value in wanted
                    )
                ]
            )
        self._found[counter.token, values] = found
        return found

    def _match(self, counter: Counter) -> tuple[_Row, ...]:
        verdicts = _VERDICTS.setdefault(counter.token, {})
        parts = []
        for signature, group in self._groups.items():
            verdict = verdicts.get(signature)
            if verdict is None:
                verdict = verdicts[signature] = _counts(counter, signature)
            if verdict:
                parts.append(group)
        if len(parts) == 1:
            matched = parts[0]
        else:
            # Rows of equal instants may change places: only the instants are ever read.
            matched = tuple(sorted(chain.from_iterable(parts), key=_INSTANT))
        self._matched[counter.token] = matched
        return matched


def _counts(counter: Counter, signature: _Signature) -> bool:
    """Whether the counter counts an entry of this channel, direction, outcome, purpose and
    point kind."""
    channel, direction, outcome, purpose, kind = signature
    purposes, kinds = counter.purposes, counter.point_kinds
    return (
        channel in counter.channels
        and direction in counter.directions
        and outcome in counter.outcomes
        and (purposes is None or purpose is None or purpose in purposes)
        and (kinds is None or kind is None or kind in kinds)
    )


_VERDICTS: dict[int, dict[_Signature, bool]] = {}
"""`_counts` by counter token and signature: few of each exist in a process."""
_INSTANT = itemgetter(0)


def _instant(row: _Row) -> float:
    return row[0]
