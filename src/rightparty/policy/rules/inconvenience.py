# SPDX-License-Identifier: Apache-2.0
"""Times and places the customer has called inconvenient, and employer-provided addresses.

A customer-designated inconvenient time is checked in every candidate zone: the contact is blocked
if the time is inconvenient in any of them. A workplace restriction covers the media tied to the
workplace: points of kind `work`, or the point it names (Reg F comment 6(b)(1)(ii)-1).
"""

from __future__ import annotations

from dataclasses import dataclass

from rightparty.domain.vocabulary import ContactPointKind
from rightparty.policy.facts import INCONVENIENT_PLACES, INCONVENIENT_TIMES, WORK_POINTS
from rightparty.policy.localtime import clock_text, weekday
from rightparty.policy.restrictions import InconvenientTime
from rightparty.policy.rules.base import Block, Context, Rule
from rightparty.policy.rules.time_windows import (
    earliest_in_every_zone,
    rule_zones,
    unknown_timezone,
)

INCONVENIENT_TIME = "INCONVENIENT_TIME"
WORKPLACE_PROHIBITED = "WORKPLACE_PROHIBITED"


def _convenient(times: tuple[InconvenientTime, ...], day: int, seconds: float) -> bool:
    today = weekday(day)
    return not any(item.covers(today, seconds) for item in times)


@dataclass(frozen=True, slots=True, kw_only=True)
class InconvenientTimeRule(Rule):
    code: str = INCONVENIENT_TIME

    @property
    def timed(self) -> bool:
        return True

    def needs(self) -> int:
        return INCONVENIENT_TIMES

    def check(self, context: Context) -> Block | None:
        times = context.customer.inconvenient_times
        if not times:
            return None
        if not context.customer.zones:
            return unknown_timezone()
        for zone in context.customer.zones:
            day, seconds = context.local(zone)
            if not _convenient(times, day, seconds):
                return Block(
                    self.code,
                    f"the customer said {clock_text(seconds)} in {zone.key} is inconvenient",
                    waitable=True,
                )
        return None

    def earliest(self, context: Context, instant: float) -> float | None:
        times = context.customer.inconvenient_times
        if not times:
            return instant
        zones = rule_zones(context, ())
        if not zones:
            return None
        boundaries = tuple(mark for item in times for mark in item.boundaries)
        return earliest_in_every_zone(
            context.clock,
            zones,
            instant,
            condition=lambda day, seconds: _convenient(times, day, seconds),
            boundaries=boundaries,
            horizon_days=15,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkplaceRule(Rule):
    """Blocks contact at the workplace once the customer has said the employer forbids it."""

    code: str = WORKPLACE_PROHIBITED

    def needs(self) -> int:
        return INCONVENIENT_PLACES

    def check(self, context: Context) -> Block | None:
        places = context.customer.inconvenient_places
        if not places:
            return None
        point_id = context.request.contact_point_id
        point = context.point
        at_work = point is not None and point.kind == ContactPointKind.WORK
        for place in places:
            if place.contact_point_id == point_id or (place.contact_point_id is None and at_work):
                return Block(self.code, f"the customer may not be contacted at the {place.place}")
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class EmployerAddressRule(Rule):
    """No contact through an employer-provided address (a point of kind `work`) unless the
    customer consented to it directly, from one of `consent_sources`."""

    code: str = WORKPLACE_PROHIBITED
    consent_sources: frozenset[str] = frozenset({"consumer_direct"})

    def needs(self) -> int:
        return WORK_POINTS

    def check(self, context: Context) -> Block | None:
        point = context.point
        if point is None or point.kind != ContactPointKind.WORK:
            return None
        request = context.request
        consent = context.customer.active_consent(
            request.purpose, request.channel, context.now, self.consent_sources
        )
        if consent is not None:
            return None
        return Block(
            self.code,
            f"the {request.channel.value} address is employer-provided and the customer has not "
            "consented to its use directly",
        )
