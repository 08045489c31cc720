# SPDX-License-Identifier: Apache-2.0
"""Frequency budgets: one primitive for every "at most N of these per scope per window" rule.

A budget is a `Counter` (what counts, split by which scope keys), a window and a limit. The contact
is blocked while the window already holds `limit` counted entries, so `limit: 7` allows the seventh
call and blocks the eighth ("more than 7 times within 7 consecutive days"), and `limit: 1` is a
cool-off after one conversation. Windows are either rolling (`rolling_hours`: entries after
`now - hours`) or local calendar days (`local_days`: today and the N-1 days before it, in every
candidate zone; the strictest zone decides). With no candidate zone a local-day window is counted
as a rolling window one day longer, which holds every possible local window.

Because history never grows while waiting, the earliest pass is computed exactly: it is the moment
the `limit`-th most recent counted entry leaves the window.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Final
from zoneinfo import ZoneInfo

from rightparty.domain.vocabulary import ContactPointKind
from rightparty.policy.facts import HISTORY, ContactRequest
from rightparty.policy.history import Counter, ScopeKey
from rightparty.policy.localtime import DAY, HOUR
from rightparty.policy.rules.base import Block, Context, Rule
from rightparty.policy.rules.time_windows import rule_zones

FREQUENCY_CAP: Final = "FREQUENCY_CAP"
RECENT_CONVERSATION: Final = "RECENT_CONVERSATION"
DAILY_DIAL_CAP: Final = "DAILY_DIAL_CAP"
DAILY_CONVERSATION_CAP: Final = "DAILY_CONVERSATION_CAP"

_REQUEST_FIELDS = {
    ScopeKey.DEBT: "debt_id",
    ScopeKey.CONTACT_POINT: "contact_point_id",
    ScopeKey.CHANNEL: "channel",
    ScopeKey.EVENT: "event_id",
}


def _scope_reader(counter: Counter) -> Callable[[ContactRequest], Any] | None:
    """Reads the request's values on the counter's scope keys, in C: one value for one key (the
    caller makes it a 1-tuple), a tuple for several, and `None` when the scope has no key."""
    names = tuple(_REQUEST_FIELDS[key] for key in counter.scope)
    if not names:
        return None
    reader: Callable[[ContactRequest], Any] = attrgetter(*names)
    return reader


@dataclass(frozen=True, slots=True, kw_only=True)
class FrequencyRule(Rule):
    """`message` may use `{count}`, `{limit}` and `{window}`. `point_kinds`, when set, limits the
    rule to requests on points of those kinds (a point of unknown kind is covered). When
    `waived_by_consent`, an active consent for the request's purpose and channel lifts the budget
    (an exemption that consent makes unnecessary)."""

    code: str = FREQUENCY_CAP
    counter: Counter
    limit: int
    rolling_hours: int | None = None
    local_days: int | None = None
    extra_zones: tuple[ZoneInfo, ...] = ()
    point_kinds: frozenset[ContactPointKind] | None = None
    waived_by_consent: bool = False
    message: str = "{count} counted contacts within {window}; the limit is {limit}"
    _scope: Callable[[ContactRequest], Any] | None = field(init=False, repr=False, compare=False)
    _single: bool = field(init=False, repr=False, compare=False, default=False)
    """Whether the scope has one key, whose value `_scope` reads bare."""

    @property
    def timed(self) -> bool:
        return True

    @property
    def monotone(self) -> bool:
        return True

    def needs(self) -> int:
        return HISTORY

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("a frequency limit is at least 1")
        if (self.rolling_hours is None) == (self.local_days is None):
            raise ValueError("a frequency window is either rolling_hours or local_days")
        object.__setattr__(self, "_scope", _scope_reader(self.counter))
        object.__setattr__(self, "_single", len(self.counter.scope) == 1)

    @property
    def window_text(self) -> str:
        if self.rolling_hours is not None:
            return f"the last {self.rolling_hours} hours"
        if self.local_days == 1:
            return "the current local day"
        return f"{self.local_days} consecutive local days"

    def _instants(self, context: Context) -> tuple[float, ...] | None:
        """The counted instants up to now, or `None` when the rule does not bite."""
        index = context.customer.index
        if index.size < self.limit:
            return None  # no scope ever counts more entries than the history holds
        request = context.request
        if self.point_kinds is not None:
            point = context.point
            if point is None or (point.kind is not None and point.kind not in self.point_kinds):
                return None
        if self.waived_by_consent and context.customer.active_consent(
            request.purpose, request.channel, context.now, None
        ):
            return None
        reader = self._scope
        if reader is None:
            values: tuple[str | None, ...] = ()
        elif self._single:
            values = (reader(request),)
        else:
            values = reader(request)
        instants = index.found.get((self.counter.token, values))
        if instants is None:
            if index.bound(self.counter) < self.limit:
                return None  # even counted toward every value, too few: no need to find them
            instants = index.instants(self.counter, values)
        if len(instants) < self.limit:
            return None
        return instants

    def check(self, context: Context) -> Block | None:
        if context.customer.index.size < self.limit:
            return None  # as in `_instants`: the commonest answer, without asking it
        instants = self._instants(context)
        if instants is None:
            return None
        count, _release = self._window(context, instants, release=False)
        if count < self.limit:
            return None
        text = self.message.format(count=count, limit=self.limit, window=self.window_text)
        return Block(self.code, text, waitable=True)

    def earliest(self, context: Context, instant: float) -> float | None:
        instants = self._instants(context)
        if instants is None:
            return instant
        count, release = self._window(context, instants)
        return instant if count < self.limit else max(instant, release)

    def _window(
        self, context: Context, instants: tuple[float, ...], *, release: bool = True
    ) -> tuple[int, float]:
        """The count in the window at `now` and the instant the window next drops below limit
        (`release=False`: the count alone, which is all a check needs)."""
        now = context.instant
        last = bisect_right(instants, now)
        if last < self.limit:
            return last, now
        leaving = instants[last - self.limit]
        if self.rolling_hours is not None:
            return _rolling(instants, last, now, self.rolling_hours * HOUR, leaving)
        days = self.local_days or 1
        zones = rule_zones(context, self.extra_zones)
        if not context.customer.zones:
            return _rolling(instants, last, now, (days + 1) * DAY, leaving)
        if not release:
            return _local_count(context, zones, instants, last=last, days=days), now
        return _local_days(context, zones, instants, last=last, days=days, leaving=leaving)


def _rolling(
    instants: tuple[float, ...], last: int, now: float, span: float, leaving: float
) -> tuple[int, float]:
    return last - bisect_right(instants, now - span), leaving + span


def _local_count(
    context: Context,
    zones: tuple[ZoneInfo, ...],
    instants: tuple[float, ...],
    *,
    last: int,
    days: int,
) -> int:
    """The count of `_local_days`, without its release: the zone whose window starts earliest
    counts most, so one binary search from that start gives the strictest zone's count."""
    start = context.clock.period_start(zones, days, context.instant)
    return last - bisect_left(instants, start)


def _local_days(
    context: Context,
    zones: tuple[ZoneInfo, ...],
    instants: tuple[float, ...],
    *,
    last: int,
    days: int,
    leaving: float,
) -> tuple[int, float]:
    clock = context.clock
    count, release = 0, context.instant
    for zone in zones:
        today, _ = context.local(zone)
        start = clock.day_start(zone, today - days + 1)
        count = max(count, last - bisect_left(instants, start))
        leaving_day, _ = clock.local(zone, leaving)
        release = max(release, clock.day_start(zone, leaving_day + days))
    return count, release
