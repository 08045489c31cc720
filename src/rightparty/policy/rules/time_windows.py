# SPDX-License-Identifier: Apache-2.0
"""Allowed hours of the day, checked in every candidate zone of the customer.

The window is half-open, `[start, end)`: 20:59:59 is inside `[08:00, 21:00)`, 21:00:00 is not. A
contact must fall inside the window in every candidate zone (Reg F comment 6(b)(1)(i)-2), plus
any zone the pack adds; a customer with no candidate zone at all is blocked with
`UNKNOWN_TIMEZONE`, never given a default zone.

A window open every day is checked from a table of the UTC day (`ZoneClock.window`: where it is
open in all the zones at once), which also gives its next opening; the zone-by-zone definition
names the zones in a block's message and decides whenever a day cannot be tabled exactly.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final
from zoneinfo import ZoneInfo

from rightparty.policy.localtime import (
    DAY,
    Hours,
    WallCondition,
    ZoneClock,
    clock_text,
    weekday,
)
from rightparty.policy.rules.base import Block, Context, Rule

QUIET_HOURS: Final = "QUIET_HOURS"
UNKNOWN_TIMEZONE: Final = "UNKNOWN_TIMEZONE"
_MAX_ROUNDS: Final = 64
_TABLED_DAYS: Final = 3


def unknown_timezone() -> Block:
    return Block(
        UNKNOWN_TIMEZONE,
        "no time zone is known for the customer; time-restricted contact needs one",
    )


def rule_zones(context: Context, extra: tuple[ZoneInfo, ...]) -> tuple[ZoneInfo, ...]:
    zones = context.customer.zones
    if not extra:
        return zones
    return zones + tuple(zone for zone in extra if zone not in zones)


def earliest_in_every_zone(
    clock: ZoneClock,
    zones: Sequence[ZoneInfo],
    instant: float,
    *,
    condition: WallCondition,
    boundaries: tuple[int, ...],
    horizon_days: int,
) -> float | None:
    """The earliest instant at or after `instant` at which `condition` holds in every zone."""
    current = instant
    settled = 0
    for turn in range(_MAX_ROUNDS * len(zones)):
        if settled >= len(zones):
            return current
        found = clock.earliest(
            zones[turn % len(zones)], current, condition, boundaries, horizon_days
        )
        if found is None:
            return None
        if found > current:
            if found - instant > horizon_days * DAY:
                return None
            current, settled = found, 1
        else:
            settled += 1
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeWindowRule(Rule):
    """`start` and `end` are seconds after local midnight (`end` may be 86400); `weekdays`, when
    set, limits the window to those local weekdays (0 = Monday)."""

    code: str = QUIET_HOURS
    start: int
    end: int
    weekdays: frozenset[int] | None = None
    extra_zones: tuple[ZoneInfo, ...] = ()
    _plain: bool = field(init=False, repr=False, compare=False, default=False)
    """Every day, and `start` before `end`: inside is `start <= seconds < end`."""
    _window: str = field(init=False, repr=False, compare=False, default="")
    _hours: Hours = field(init=False, repr=False, compare=False, default=())
    """`(start, end)`, made once: part of the key of every day table this rule reads."""

    @property
    def timed(self) -> bool:
        return True

    def __post_init__(self) -> None:
        object.__setattr__(self, "_plain", self.weekdays is None and self.start < self.end)
        object.__setattr__(self, "_window", f"{clock_text(self.start)}-{clock_text(self.end)}")
        object.__setattr__(self, "_hours", (self.start, self.end))

    def inside(self, day: int, seconds: float) -> bool:
        if self.weekdays is not None and weekday(day) not in self.weekdays:
            return False
        if self.start < self.end:
            return self.start <= seconds < self.end
        return seconds >= self.start or seconds < self.end

    def check(self, context: Context) -> Block | None:
        zones = context.customer.zones
        if not zones:
            return unknown_timezone()
        if self.extra_zones:
            zones = rule_zones(context, self.extra_zones)
        instant = context.instant
        if self._plain:
            # Inside in every zone at once, from the day's table: no reading per zone.
            day = int(instant // DAY)
            bounds = context.clock.windows.get((zones, self._hours, day))
            if bounds is None:
                bounds = context.clock.table(zones, self._hours, day)
            if bounds is not None and bisect_right(bounds, instant) & 1:
                return None
        return self.check_zone_by_zone(context, zones)

    def check_zone_by_zone(self, context: Context, zones: tuple[ZoneInfo, ...]) -> Block | None:
        """The check by its definition, reading each zone and naming every zone whose local time
        is outside; `check` agrees with it, and only asks it when a table says outside."""
        readings, clock, instant = context.readings, context.clock, context.instant
        plain, start, end = self._plain, self.start, self.end
        outside = []
        for zone in zones:
            reading = readings.get(zone)
            if reading is None:  # as `context.local(zone)`, one call fewer
                # `clock.local`, not a bound method kept in a variable: compiled, that would be
                # called through the interpreter instead of directly.
                reading = readings[zone] = clock.local(zone, instant)
            day, seconds = reading
            if (start <= seconds < end) if plain else self.inside(day, seconds):
                continue
            outside.append(f"{clock_text(seconds)} in {zone.key}")
        if not outside:
            return None
        return Block(
            self.code,
            f"local time {', '.join(outside)} is outside the allowed window {self._window}",
            waitable=True,
        )

    def earliest(self, context: Context, instant: float) -> float | None:
        zones = rule_zones(context, self.extra_zones)
        if not zones:
            return None
        if self._plain:
            found = self._tabled_opening(context.clock, zones, instant)
            if found is not None:
                return found
        return self.earliest_zone_by_zone(context, zones, instant)

    def _tabled_opening(
        self, clock: ZoneClock, zones: tuple[ZoneInfo, ...], instant: float
    ) -> float | None:
        """The earliest instant at or after `instant` inside the window in every zone, from the
        tables of this UTC day and the next two; `None` when a table is missing or none of them
        holds one (the zone-by-zone search then decides)."""
        day = int(instant // DAY)
        for ahead in range(_TABLED_DAYS):
            bounds = clock.table(zones, self._hours, day + ahead)
            if bounds is None:
                return None
            position = bisect_right(bounds, instant)
            if position & 1:
                return instant
            if position < len(bounds):
                return bounds[position]
        return None

    def earliest_zone_by_zone(
        self, context: Context, zones: tuple[ZoneInfo, ...], instant: float
    ) -> float | None:
        """`earliest` by its definition: each zone moves `instant` to its next opening in turn,
        until all agree (or `_MAX_ROUNDS` rounds pass: windows that never overlap)."""
        if not zones:
            return None
        clock = context.clock
        for turn, zone in enumerate(zones):
            if instant == context.instant:
                day, seconds = context.local(zone)
            else:
                day, seconds = clock.local(zone, instant)
            found = self._opening(clock, zone, instant, day, seconds)
            if found is None:
                return None
            if found > instant:
                # From a zone's opening on, the chase depends on nothing but that instant and
                # the turn: every decision reaching the same opening shares the rest of it
                # (which matters when the zones' windows never overlap: many rounds each).
                return self._chase(clock, zones, found, turn + 1)
        return instant  # inside in every zone

    def _chase(
        self, clock: ZoneClock, zones: tuple[ZoneInfo, ...], current: float, first: int
    ) -> float | None:
        """`earliest_zone_by_zone` from `current`, just reached at turn `first`, remembered."""
        key = (self.start, self.end, self.weekdays, zones, current, first)
        if key in clock.chases:
            return clock.chases[key]
        count = len(zones)
        settled = 1
        found: float | None = None
        for turn in range(first, _MAX_ROUNDS * count):
            if settled >= count:
                found = current
                break
            zone = zones[turn % count]
            day, seconds = clock.local(zone, current)
            opening = self._opening(clock, zone, current, day, seconds)
            if opening is None:
                break
            if opening > current:
                current, settled = opening, 1
            else:
                settled += 1
        clock.remember_chase(key, found)
        return found

    def _opening(
        self, clock: ZoneClock, zone: ZoneInfo, instant: float, day: int, seconds: float
    ) -> float | None:
        """The earliest instant at or after `instant` (read `day`, `seconds` in `zone`) inside
        the window in `zone`."""
        start = self.start
        if self._plain:
            if start <= seconds < self.end:
                return instant
            # While the offset holds, the wall clock reaches `start` after a computable wait;
            # the zone's offset cannot change and change back within one day.
            wait = start - seconds if seconds < start else DAY - seconds + start
            candidate = instant + wait
            if clock.offset(zone, candidate) == clock.offset(zone, instant):
                return candidate
        elif self.inside(day, seconds):
            return instant
        return clock.earliest(zone, instant, self.inside, (self.start, self.end), 8)
