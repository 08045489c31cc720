# SPDX-License-Identifier: Apache-2.0
"""A customer's history, indexed lazily so a budget check is a lookup and two binary searches.

A `Counter` says what a budget counts: which channels, directions, outcomes and purposes, and the
scope keys that split the count (debt, contact point, channel, event; the person is implicit, since
the facts are one customer's). The index reads and sorts the entries the first time any budget is
asked about, finds the sorted instants a counter counts toward one scope value (one debt, say) the
first time that pair is asked for, and keeps them for every later decision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import count
from typing import TYPE_CHECKING, Final

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


_TOKENS: Final[dict[Counter, int]] = {}
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


_Signature = tuple[Channel, Direction, Outcome, "Purpose | None", "ContactPointKind | None"]
"""What a counter matches an entry on: channel, direction, outcome, purpose and point kind."""
_Rows = list[tuple[float, "HistoryEntry"]]
"""Entries with their instants (POSIX seconds)."""


class HistoryIndex:
    """Sorted instants (POSIX seconds) of counted entries, per counter and scope values.

    Entries on `wrong_party_points` are never counted: a call to a number that is not the
    customer's is not a call to the customer (Reg F comment 14(b)(2)(i)-3). An entry on a point of
    unknown kind counts toward every kind-limited budget.

    Built with the facts, it only sorts the entries into groups of one signature (what a counter
    matches on), each signature a small number shared by the whole process: a counter then tests
    each kind of entry once, with one look-up, not each entry (a customer's calls are mostly a few
    kinds repeated). Each answer is kept for every later decision.
    """

    __slots__ = ("_groups", "_matched", "found", "size")

    def __init__(
        self,
        entries: Iterable[HistoryEntry],
        *,
        wrong_party_points: frozenset[str] = frozenset(),
        point_kinds: Mapping[str, ContactPointKind | None] | None = None,
    ) -> None:
        kinds = point_kinds or {}
        groups: dict[int, _Rows] = {}
        size = 0
        for entry in entries:
            point = entry.contact_point_id
            if point is not None and point in wrong_party_points:
                continue
            signature = (
                entry.channel,
                entry.direction,
                entry.outcome,
                entry.purpose,
                None if point is None else kinds.get(point),
            )
            number = _SIGNATURES.get(signature)
            if number is None:
                number = _number(signature)
            group = groups.get(number)
            if group is None:
                group = groups[number] = []
            group.append((entry.at.timestamp(), entry))
            size += 1
        self._groups = groups
        self.size = size
        """How many entries can count at all (none on a wrong-party point); no budget's count for
        any request is ever more."""
        self._matched: dict[int, tuple[list[_Rows], int]] = {}
        """The groups each counter counts, and how many entries they hold, by counter token."""
        self.found: dict[tuple[int, tuple[str | None, ...]], tuple[float, ...]] = {}
        """`instants` by counter token and scope values, for a budget to read directly (one
        look-up instead of a call) before it asks `instants`."""

    def __reduce__(self) -> tuple[Callable[..., HistoryIndex], tuple[object, ...]]:
        # Signature numbers and counter tokens belong to a process: the groups travel by their
        # signatures, and the answers found so far are found again where it is unpickled.
        groups = {_NUMBERED[number]: rows for number, rows in self._groups.items()}
        return (_restored, (groups, self.size))

    def instants(self, counter: Counter, values: tuple[str | None, ...]) -> tuple[float, ...]:
        """Sorted instants counted toward a request whose value on each scope key is `values`
        (`None`: the request names none, so every entry counts)."""
        found = self.found.get((counter.token, values))
        if found is None:
            found = self.found[counter.token, values] = self._find(counter, values)
        return found

    def bound(self, counter: Counter) -> int:
        """How many entries the counter counts whatever the scope values: no request's count is
        more, so a budget whose limit is higher passes without finding its instants."""
        matched = self._matched.get(counter.token)
        if matched is None:
            matched = self._match(counter)
        return matched[1]

    def _match(self, counter: Counter) -> tuple[list[_Rows], int]:
        verdicts = _VERDICTS.get(counter.token)
        if verdicts is None:
            verdicts = _VERDICTS[counter.token] = {}
        parts = []
        total = 0
        groups = self._groups
        # By signature first, the group only if counted: most are not (one in five is, in
        # `bench/policy.py`), and a group not read is a list the first decision never touches.
        for number in groups:
            verdict = verdicts.get(number)
            if verdict is None:
                verdict = verdicts[number] = _counts(counter, _NUMBERED[number])
            if verdict:
                group = groups[number]
                parts.append(group)
                total += len(group)
        matched = self._matched[counter.token] = (parts, total)
        return matched

    def _find(self, counter: Counter, values: tuple[str | None, ...]) -> tuple[float, ...]:
        """An entry counts toward a value if it has that value on the key (an entry with several
        debts has several) or has none there (unattributed); every entry counts toward `None`."""
        matched = self._matched.get(counter.token)
        if matched is None:
            matched = self._match(counter)
        parts = matched[0]
        rows = parts[0] if len(parts) == 1 else [row for group in parts for row in group]
        scope = counter.scope
        if len(values) != len(scope):
            raise ValueError(f"{len(values)} values for a scope of {len(scope)} keys")
        # Indexed, not zipped with `strict=True`: compiled, that `zip` is built by the
        # interpreter, and this runs once per customer and budget.
        for position, key in enumerate(scope):
            value = values[position]
            if value is not None:
                rows = _attributed(rows, key, value)
        found = [instant for instant, _entry in rows]
        found.sort()
        return tuple(found)


_SIGNATURES: Final[dict[_Signature, int]] = {}
"""Every signature met so far and its number (a few thousand can exist at most)."""
_NUMBERED: Final[list[_Signature]] = []
"""The signatures by number."""


def _number(signature: _Signature) -> int:
    number = _SIGNATURES.get(signature)
    if number is None:
        number = _SIGNATURES[signature] = len(_NUMBERED)
        _NUMBERED.append(signature)
    return number


def _restored(groups: dict[_Signature, _Rows], size: int) -> HistoryIndex:
    index = HistoryIndex(())
    index._groups = {_number(signature): rows for signature, rows in groups.items()}
    index.size = size
    return index


def _debt(rows: _Rows, value: object) -> _Rows:
    return [row for row in rows if not row[1].debt_ids or value in row[1].debt_ids]


def _contact_point(rows: _Rows, value: object) -> _Rows:
    return [row for row in rows if not row[1].contact_point_id or row[1].contact_point_id == value]


def _channel(rows: _Rows, value: object) -> _Rows:
    return [row for row in rows if row[1].channel == value]


def _event(rows: _Rows, value: object) -> _Rows:
    return [row for row in rows if not row[1].event_id or row[1].event_id == value]


def _attributed(rows: _Rows, key: ScopeKey, value: object) -> _Rows:
    """The rows that count toward a request's value on `key`: those with that value there, or
    none (an empty id is none, as a missing one is). One call filters all of a find's rows.
    Branches, not a table of functions: compiled, each branch is a direct call."""
    if key is ScopeKey.DEBT:
        return _debt(rows, value)
    if key is ScopeKey.CONTACT_POINT:
        return _contact_point(rows, value)
    if key is ScopeKey.CHANNEL:
        return _channel(rows, value)
    return _event(rows, value)


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


_VERDICTS: Final[dict[int, dict[int, bool]]] = {}
"""`_counts` by counter token and signature number: few of each exist in a process."""
