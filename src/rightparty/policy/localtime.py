# SPDX-License-Identifier: Apache-2.0
"""Wall-clock arithmetic in a customer's zones, exact across DST changes.

Instants are POSIX seconds (floats); a local reading is `(day, seconds)`: the local date as days
since 1970-01-01 and the seconds since that local midnight. Every rule reads local time through
one `ZoneClock`, so the fast path (cached offsets) and the exact path (zoneinfo) never disagree.

Finding the earliest instant at which a wall-clock condition holds is computed, never scanned
minute by minute: the condition can only change where the wall clock crosses one of its boundary
times or where the zone's offset changes, so those instants are the only candidates.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

DAY: Final = 86_400
HOUR: Final = 3_600
EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_MIXED: Final = 1 << 40  # marks a UTC day in which the offset changes
_EARLIEST_OFFSET: Final = -12 * HOUR
_LATEST_OFFSET: Final = 14 * HOUR
_SAMPLE: Final = 3 * HOUR  # no zone changes offset twice within three hours
_FAST_SPAN: Final = 7 * DAY  # no zone changes offset and back within a week
_CACHE_LIMIT: Final = 200_000

WallCondition = Callable[[int, float], bool]
"""Whether a local reading `(day, seconds)` satisfies a rule in one zone."""
Bounds = tuple[float, ...]
"""Sorted instants `a0, b0, a1, b1, ...`: the half-open intervals `[a, b)` of a day table."""
Hours = tuple[int, ...]
"""A window's `(start, end)`. Not `tuple[int, int]`, which compiled is a C pair, boxed anew (with
both numbers) for every cache key made of it."""
_WindowKey = tuple[tuple[ZoneInfo, ...], Hours, int]
Steps = tuple[tuple[float, ...], tuple[float, ...]]
"""A step function of the instant over one UTC day: where each step begins, and its value."""


def day_to_date(day: int) -> date:
    return date.fromordinal(day + EPOCH_ORDINAL)


def date_to_day(moment: date) -> int:
    return moment.toordinal() - EPOCH_ORDINAL


def weekday(day: int) -> int:
    """0 = Monday … 6 = Sunday (1970-01-01 was a Thursday)."""
    return (day + 3) % 7


def seconds_of(moment: time) -> int:
    return moment.hour * HOUR + moment.minute * 60 + moment.second


_CLOCK_TEXTS: Final = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(DAY // 60 + 1))
"""`clock_text` of every minute of a day and of 24:00, formatted once."""


def clock_text(seconds: float) -> str:
    whole = int(seconds)
    if 0 <= whole <= DAY:
        return _CLOCK_TEXTS[whole // 60]
    return f"{whole // HOUR:02d}:{whole % HOUR // 60:02d}"


class ZoneClock:
    """Local readings of instants, with each zone's offset cached per UTC day.

    A day is cached only when its first and last second have the same offset; since no zone
    changes offset and back within a week (`_FAST_SPAN`), such a day has that offset throughout,
    and a day with a transition is read exactly. The cache is pure memoisation: it never changes
    an answer. Per day rather than per hour so that a book spread over a week fills it in a few
    hundred look-ups instead of a few thousand.
    """

    __slots__ = (
        "_day_starts",
        "_offset_windows",
        "_offsets",
        "_period_starts",
        "chases",
        "windows",
    )

    def __init__(self) -> None:
        self._offsets: dict[tuple[ZoneInfo, int], int] = {}
        self._day_starts: dict[tuple[ZoneInfo, int], float] = {}
        self.windows: dict[_WindowKey, Bounds | None] = {}
        """`window`'s answers, read directly by the rules that check a window on every
        decision (one dictionary look-up instead of a reading per zone)."""
        self._offset_windows: dict[tuple[tuple[int, ...], int, int, int], Bounds] = {}
        """Day tables by the zones' offsets that day, which alone decide them."""
        self._period_starts: dict[tuple[tuple[ZoneInfo, ...], int, int], Steps | None] = {}
        self.chases: dict[Hashable, float | None] = {}
        """Where a time window's zone-by-zone search for an opening ends, by the window, the
        zones, the instant and the turn it continues from (`TimeWindowRule._chase`)."""

    def offset(self, zone: ZoneInfo, instant: float) -> int:
        """The zone's UTC offset in seconds at `instant`."""
        key = (zone, int(instant // DAY))
        offset = self._offsets.get(key)
        if offset is None:
            offset = self._day_offset(zone, key[1])
            if len(self._offsets) >= _CACHE_LIMIT:
                self._offsets.clear()
            self._offsets[key] = offset
        if offset == _MIXED:
            return _exact_offset(zone, instant)
        return offset

    def local(self, zone: ZoneInfo, instant: float) -> tuple[int, float]:
        """`(day, seconds)` of `instant` on the zone's wall clock."""
        offset = self._offsets.get((zone, int(instant // DAY)))
        if offset is None or offset == _MIXED:
            offset = self.offset(zone, instant)
        wall = instant + offset
        day = int(wall // DAY)
        return day, wall - day * DAY

    def window(
        self, zones: tuple[ZoneInfo, ...], start: int, end: int, utc_day: int
    ) -> Bounds | None:
        """The instants of UTC day `utc_day` at which the wall clock of every zone reads within
        `[start, end)` (`start < end`), as sorted bounds `a0, b0, a1, b1, ...` of half-open
        intervals `[a, b)`: an instant is inside when `bisect_right(bounds, instant)` is odd.

        `None` when the day cannot be tabled exactly: a zone changes offset during it, or adding
        an offset to an instant of it could round (a float crossing a power of two), so that the
        bounds might disagree with a reading by `local`. Callers then read each zone instead.
        """
        return self.table(zones, (start, end), utc_day)

    def table(self, zones: tuple[ZoneInfo, ...], hours: Hours, utc_day: int) -> Bounds | None:
        """`window`, with the hours as the one pair a rule keeps: the key `windows` is read by
        then needs no new object but the day."""
        key = (zones, hours, utc_day)
        bounds = self.windows.get(key)
        if bounds is not None or key in self.windows:  # one look-up for a day with a table
            return bounds
        bounds = self._window(zones, hours[0], hours[1], utc_day)
        if len(self.windows) >= _CACHE_LIMIT:
            self.windows.clear()
        self.windows[key] = bounds
        return bounds

    def _window(
        self, zones: tuple[ZoneInfo, ...], start: int, end: int, utc_day: int
    ) -> Bounds | None:
        low, high = utc_day * DAY, utc_day * DAY + DAY
        if not _exact_sums(low + _EARLIEST_OFFSET, high + _LATEST_OFFSET):
            return None
        offsets = set()
        for zone in zones:
            offset = self.offset(zone, low)
            if self._offsets.get((zone, utc_day)) != offset:
                return None  # a transition that day (or an evicted cache): read zone by zone
            if not _EARLIEST_OFFSET <= offset <= _LATEST_OFFSET:
                return None  # outside the range `_exact_sums` was asked about
            offsets.add(offset)
        # Only the offsets matter, and zones sharing one (New York and Toronto, London and
        # Jersey) give the same table: every set of zones with the same offsets that day shares
        # one, so a book with many combinations of zones builds a few tables per day.
        key = (tuple(sorted(offsets)), start, end, utc_day)
        bounds = self._offset_windows.get(key)
        if bounds is None:
            bounds = _offset_window(key[0], start, end, low)
            if len(self._offset_windows) >= _CACHE_LIMIT:
                self._offset_windows.clear()
            self._offset_windows[key] = bounds
        return bounds

    def remember_chase(self, key: Hashable, found: float | None) -> None:
        if len(self.chases) >= _CACHE_LIMIT:
            self.chases.clear()
        self.chases[key] = found

    def period_start(self, zones: tuple[ZoneInfo, ...], days: int, instant: float) -> float:
        """The earliest first instant of the local day `days - 1` days before today, over
        `zones`: where a count over the last `days` local days starts in the zone that reaches
        back furthest (every zone's window then ends at `instant`, so that zone counts most).

        Read from a table of the UTC day (the value only changes at a local midnight), or zone
        by zone when the day cannot be tabled exactly."""
        key = (zones, days, int(instant // DAY))
        try:
            steps = self._period_starts[key]
        except KeyError:
            steps = self._period_steps(zones, days, key[2])  # not `*key`: a direct call compiled
            if len(self._period_starts) >= _CACHE_LIMIT:
                self._period_starts.clear()
            self._period_starts[key] = steps
        if steps is None:
            return self.period_start_by_zone(zones, days, instant)
        begins, values = steps
        return values[bisect_right(begins, instant) - 1]

    def period_start_by_zone(self, zones: tuple[ZoneInfo, ...], days: int, instant: float) -> float:
        """`period_start` by its definition, reading each zone."""
        return min(self.day_start(zone, self.local(zone, instant)[0] - days + 1) for zone in zones)

    def _period_steps(self, zones: tuple[ZoneInfo, ...], days: int, utc_day: int) -> Steps | None:
        """`period_start` over UTC day `utc_day`; `None` when a zone changes offset that day or
        a sum could round (as for `window`)."""
        low, high = utc_day * DAY, utc_day * DAY + DAY
        if not zones or not _exact_sums(low + _EARLIEST_OFFSET, high + _LATEST_OFFSET):
            return None
        midnights: list[tuple[ZoneInfo, int, int]] = []
        for zone in zones:
            offset = self.offset(zone, low)
            if self._offsets.get((zone, utc_day)) != offset:
                return None
            if not _EARLIEST_OFFSET <= offset <= _LATEST_OFFSET:
                return None
            first = (low + offset) // DAY  # the local date at `low`; the next starts below
            midnights.append((zone, first, (first + 1) * DAY - offset))
        begins = sorted({low, *(midnight for *_, midnight in midnights if midnight < high)})
        values = tuple(
            min(
                self.day_start(zone, first + (begin >= midnight) - days + 1)
                for zone, first, midnight in midnights
            )
            for begin in begins
        )
        return tuple(float(begin) for begin in begins), values

    def day_start(self, zone: ZoneInfo, day: int) -> float:
        """The first instant of local date `day` (midnight, or the end of a gap swallowing it)."""
        key = (zone, day)
        start = self._day_starts.get(key)
        if start is None:
            found = self.earliest(
                zone, day * DAY - _LATEST_OFFSET - HOUR, lambda local, _: local >= day, (0,), 3
            )
            start = day * DAY if found is None else found
            if len(self._day_starts) >= _CACHE_LIMIT:
                self._day_starts.clear()
            self._day_starts[key] = start
        return start

    def earliest(
        self,
        zone: ZoneInfo,
        instant: float,
        condition: WallCondition,
        boundaries: Iterable[int],
        horizon_days: int,
    ) -> float | None:
        """The earliest instant at or after `instant` whose local reading satisfies `condition`.

        `condition` may change only where the wall clock reaches one of `boundaries` (seconds of
        the day; local midnight is always one) or where the offset changes. `None` when nothing
        within `horizon_days` qualifies.
        """
        day, seconds = self.local(zone, instant)
        if condition(day, seconds):
            return instant
        marks = sorted({0, *(mark for mark in boundaries if 0 <= mark < DAY)})
        found, settled = self._earliest_linear(
            zone, instant=instant, day=day, seconds=seconds, condition=condition, marks=marks
        )
        if settled:
            return found
        return self._earliest_exact(
            zone, instant, condition=condition, marks=marks, horizon_days=horizon_days
        )

    def _earliest_linear(
        self,
        zone: ZoneInfo,
        *,
        instant: float,
        day: int,
        seconds: float,
        condition: WallCondition,
        marks: list[int],
    ) -> tuple[float | None, bool]:
        """Try the candidates a constant offset predicts; unsettled when the offset changes."""
        offset = self.offset(zone, instant)
        base = instant - seconds  # the current local midnight, if the offset holds
        for ahead in range(8):
            for mark in marks:
                candidate = base + ahead * DAY + mark
                if candidate <= instant:
                    continue
                if candidate - instant > _FAST_SPAN or self.offset(zone, candidate) != offset:
                    return None, False
                if condition(day + ahead, mark):
                    return candidate, True
        return None, False

    def _earliest_exact(
        self,
        zone: ZoneInfo,
        instant: float,
        *,
        condition: WallCondition,
        marks: list[int],
        horizon_days: int,
    ) -> float | None:
        span = 4 * DAY
        low = instant
        limit = instant + (horizon_days + 1) * DAY
        while low < limit:
            high = low + span
            first_day = int((low + _EARLIEST_OFFSET) // DAY) - 1
            last_day = int((high + _LATEST_OFFSET) // DAY) + 1
            candidates = {
                candidate
                for local_day in range(first_day, last_day + 1)
                for mark in marks
                for candidate in wall_instants(zone, local_day, mark)
                if low < candidate <= high
            }
            candidates.update(self._transitions(zone, low, high))
            for candidate in sorted(candidates):
                if candidate > instant and condition(*self.local(zone, candidate)):
                    return candidate
            low = high
        return None

    def _transitions(self, zone: ZoneInfo, low: float, high: float) -> list[float]:
        """Instants in `(low, high]` at which the zone's offset changes."""
        found = []
        start = low
        before = _exact_offset(zone, start)
        while start < high:
            end = min(start + _SAMPLE, high)
            after = _exact_offset(zone, end)
            if after != before:
                lower, upper = int(start), int(end) + 1
                while upper - lower > 1:
                    middle = (lower + upper) // 2
                    if _exact_offset(zone, middle) == before:
                        lower = middle
                    else:
                        upper = middle
                found.append(float(upper))
            start, before = end, after
        return found

    def _day_offset(self, zone: ZoneInfo, day: int) -> int:
        first = _exact_offset(zone, day * DAY)
        last = _exact_offset(zone, day * DAY + DAY - 1)
        return first if first == last else _MIXED


def wall_instants(zone: ZoneInfo, day: int, seconds: int) -> tuple[float, ...]:
    """Every instant at which the zone's wall clock reads `seconds` on local date `day`: none in a
    spring-forward gap, two in a fall-back overlap."""
    wall = datetime.combine(day_to_date(day), time(), tzinfo=zone) + timedelta(seconds=seconds)
    found = []
    for fold in (0, 1):
        instant = wall.replace(fold=fold).timestamp()
        offset = _exact_offset(zone, instant)
        if instant + offset == day * DAY + seconds:
            found.append(instant)
    return tuple(sorted(set(found)))


def _exact_sums(low: float, high: float) -> bool:
    """Whether every float instant in `[low, high]` plus an integer offset keeping it there is
    computed without rounding: true when both ends share one binade (power of two)."""
    return low > 0 and math.frexp(low)[1] == math.frexp(high)[1]


def _offset_window(offsets: tuple[int, ...], start: int, end: int, low: int) -> Bounds:
    """`ZoneClock.window` for zones of these constant offsets over the UTC day from `low`."""
    high = low + DAY
    allowed: list[tuple[int, int]] = [(low, high)]
    for offset in offsets:
        pieces = [
            (max(low, local * DAY + start - offset), min(high, local * DAY + end - offset))
            for local in range((low + offset) // DAY, (high - 1 + offset) // DAY + 1)
        ]
        allowed = _intersection(allowed, [piece for piece in pieces if piece[0] < piece[1]])
    return tuple(float(bound) for piece in allowed for bound in piece)


def _intersection(
    first: Sequence[tuple[int, int]], second: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Of two sorted lists of disjoint half-open intervals."""
    found = []
    for low, high in first:
        for other_low, other_high in second:
            start, end = max(low, other_low), min(high, other_high)
            if start < end:
                found.append((start, end))
    found.sort()
    return found


def _exact_offset(zone: ZoneInfo, instant: float) -> int:
    offset = datetime.fromtimestamp(instant, zone).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())
