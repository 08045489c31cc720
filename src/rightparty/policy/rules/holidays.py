# SPDX-License-Identifier: Apache-2.0
"""Days on which a pack does not contact: public holidays, or rest days (holidays and weekends,
less swapped working days such as China's 调休 Saturdays).

The local date is taken in every candidate zone (and any zone the pack adds); the contact is
blocked if it falls on such a day in any of them. `calendar` names a country, or `customer` for the
calendars of the customer's own jurisdictions; a customer with no known jurisdiction is not held
to a `customer` calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rightparty.policy.calendars import HolidayCalendar
from rightparty.policy.facts import JURISDICTIONS
from rightparty.policy.localtime import day_to_date
from rightparty.policy.rules.base import Block, Context, Rule
from rightparty.policy.rules.time_windows import (
    earliest_in_every_zone,
    rule_zones,
    unknown_timezone,
)

HOLIDAY = "HOLIDAY"
CUSTOMER_CALENDAR = "customer"


@dataclass(frozen=True, slots=True, kw_only=True)
class HolidayRule(Rule):
    code: str = HOLIDAY
    calendar: str
    rest_days: bool = False
    extra_zones: tuple[ZoneInfo, ...] = ()

    @property
    def timed(self) -> bool:
        return True

    def needs(self) -> int:
        return JURISDICTIONS if self.calendar == CUSTOMER_CALENDAR else 0

    def calendars(self) -> tuple[str, ...]:
        return () if self.calendar == CUSTOMER_CALENDAR else (self.calendar,)

    def _calendars(self, context: Context) -> list[HolidayCalendar]:
        codes = (
            context.customer.jurisdictions
            if self.calendar == CUSTOMER_CALENDAR
            else (self.calendar,)
        )
        found = (context.calendars(code) for code in codes)
        return [calendar for calendar in found if calendar is not None]

    def _closed(self, calendars: list[HolidayCalendar], day: int) -> bool:
        local = day_to_date(day)
        if self.rest_days:
            return any(calendar.is_rest_day(local) for calendar in calendars)
        return any(calendar.is_holiday(local) for calendar in calendars)

    def check(self, context: Context) -> Block | None:
        calendars = self._calendars(context)
        if not calendars:
            return None
        if not context.customer.zones:
            return unknown_timezone()
        for zone in rule_zones(context, self.extra_zones):
            day, _ = context.local(zone)
            if self._closed(calendars, day):
                kind = "a rest day" if self.rest_days else "a public holiday"
                return Block(
                    self.code,
                    f"{day_to_date(day).isoformat()} is {kind} in {zone.key}",
                    waitable=True,
                )
        return None

    def earliest(self, context: Context, instant: float) -> float | None:
        calendars = self._calendars(context)
        if not calendars:
            return instant
        zones = rule_zones(context, self.extra_zones)
        if not context.customer.zones:
            return None
        return earliest_in_every_zone(
            context.clock,
            zones,
            instant,
            condition=lambda day, _seconds: not self._closed(calendars, day),
            boundaries=(0,),
            horizon_days=60,
        )
