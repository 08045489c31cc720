# SPDX-License-Identifier: Apache-2.0
"""Holiday calendars as the engine sees them: answers about dates, computed before it is called.

The engine never imports a holiday library; `rightparty.usecases.policy_calendars` builds calendars
from the `holidays` package (China's swapped working days included) and hands the engine a
`CalendarSource`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from rightparty.policy.pickling import Reduced, by_fields


class HolidayCalendar(Protocol):
    def is_holiday(self, day: date) -> bool:
        """A public holiday or a day off in lieu of one."""
        ...

    def is_rest_day(self, day: date) -> bool:
        """A holiday, or a weekend day that is not a swapped working day."""
        ...


CalendarSource = Callable[[str], HolidayCalendar | None]
"""The calendar of an ISO 3166 country code, or `None` when none is known."""


def no_calendars(_country: str) -> HolidayCalendar | None:
    return None


@dataclass(frozen=True, slots=True)
class DateSetCalendar:
    """A calendar as plain date sets."""

    holidays: frozenset[date]
    working_weekend_days: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({5, 6})

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays

    def is_rest_day(self, day: date) -> bool:
        if day in self.holidays:
            return True
        return day.weekday() in self.weekend and day not in self.working_weekend_days

    def __reduce__(self) -> Reduced:
        return by_fields(self)  # see `pickling`: how the compiled build copies it
