# SPDX-License-Identifier: Apache-2.0
"""Holiday calendars for the policy engine, from the `holidays` package.

Each country's calendar is computed a year at a time, on first use, into plain date sets, so the
engine asks set-membership questions and never calls the library while deciding. China's calendar
carries its swapped working days (调休): a Saturday worked in lieu of a holiday is not a rest day.
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache

import holidays

from rightparty.policy.calendars import HolidayCalendar


class CountryCalendar:
    """Public holidays (days off in lieu included), weekend days and swapped working days of one
    country, or of one subdivision (`US-MA` adds Patriots' Day)."""

    def __init__(self, country: str, subdivision: str | None = None) -> None:
        self.country = country
        self.subdivision = subdivision
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
        self._weekend = frozenset(holidays.country_holidays(country, subdiv=subdivision).weekend)

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        found = self._years.get(year)
        if found is None:
            calendar = holidays.country_holidays(self.country, subdiv=self.subdivision, years=year)
            working = frozenset(
                day for day in getattr(calendar, "weekend_workdays", ()) if day.year == year
            )
            found = (frozenset(calendar.keys()), working)
            self._years[year] = found
        return found

    def is_holiday(self, day: date) -> bool:
        return day in self._year(day.year)[0]

    def is_rest_day(self, day: date) -> bool:
        days_off, working = self._year(day.year)
        if day in days_off:
            return True
        return day.weekday() in self._weekend and day not in working


@cache
def _supported() -> dict[str, frozenset[str]]:
    return {
        country: frozenset(subdivisions)
        for country, subdivisions in holidays.list_supported_countries().items()
    }


@lru_cache(maxsize=256)
def country_calendar(code: str) -> HolidayCalendar | None:
    """The calendar of an ISO 3166 alpha-2 code, optionally with a subdivision (`US-MA`), or
    `None` when the library has no such country. An unknown subdivision falls back to its
    country."""
    country, _, subdivision = code.upper().partition("-")
    subdivisions = _supported().get(country)
    if subdivisions is None:
        return None
    return CountryCalendar(country, subdivision if subdivision in subdivisions else None)
