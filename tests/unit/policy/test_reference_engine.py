# SPDX-License-Identifier: Apache-2.0
"""The compiled engine decides exactly as the definition does: every rule of every pack asked in
turn, nothing shared, skipped, tabled or remembered, and `next_allowed_at` found by letting the
timed rules take turns. Also: the day tables of `ZoneClock` agree with reading each zone."""

import dataclasses
import math
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.policy import (
    Decision,
    Evaluation,
    PackRef,
    Policy,
    Reason,
)
from rightparty.policy.localtime import DAY, ZoneClock, date_to_day
from rightparty.policy.rules.base import Block, Context, Rule
from rightparty.policy.rules.time_windows import TimeWindowRule, rule_zones, unknown_timezone
from rightparty.usecases.policy_calendars import country_calendar
from rightparty.usecases.policy_packs import JURISDICTION_PACKS, build_policy, pack_names
from tests.unit.policy.strategies import ZONES, customers, instants, requests, zone_sets

pytestmark = pytest.mark.unit

POLICIES = [build_policy(names) for names in JURISDICTION_PACKS.values()]
POLICIES.append(build_policy(pack_names()))
_HORIZON = 366 * DAY


def _check(rule: Rule, context: Context) -> Block | None:
    if not isinstance(rule, TimeWindowRule):
        return rule.check(context)
    if not context.customer.zones:
        return unknown_timezone()
    return rule.check_zone_by_zone(context, rule_zones(context, rule.extra_zones))


def _earliest(rule: Rule, context: Context, instant: float) -> float | None:
    if not isinstance(rule, TimeWindowRule):
        return rule.earliest(context, instant)
    zones = rule_zones(context, rule.extra_zones)
    return rule.earliest_zone_by_zone(context, zones, instant) if zones else None


def _next_allowed(context: Context, blocking: list[Rule], timed: list[Rule]) -> datetime | None:
    """Blocking count rules bound the answer from below; then every other timed rule takes
    turns until all pass at one instant (as `engine._next_allowed`, over every rule)."""
    start = current = context.instant
    for rule in blocking:
        found = _earliest(rule, context, start)
        if found is None:
            return None
        current = max(current, found)
    settled = 0
    for turn in range(256 * max(1, len(timed))):
        if settled >= len(timed):
            return datetime.fromtimestamp(math.ceil(current), UTC)
        found = _earliest(timed[turn % len(timed)], context, current)
        if found is None:
            return None
        if found > current:
            if found - start > _HORIZON:
                return None
            current, settled = found, 1
        else:
            settled += 1
    return None


def reference(policy: Policy, customer, request, now: datetime) -> Decision:
    """The decision by definition, with a clock of its own (no memo shared with `policy`)."""
    point = customer.points.get(request.contact_point_id)
    context = Context(
        now, now.timestamp(), customer, request, point, ZoneClock(), country_calendar, {}
    )
    refs = tuple(PackRef(pack.name, pack.version) for pack in policy.packs)
    evaluated, reasons, blocks, blocking = [], [], [], []
    applicable = [
        rule for rule in policy.rules if rule.applies_to(request.channel, request.purpose)
    ]
    for rule in policy.rules:
        if rule not in applicable:
            evaluated.append(Evaluation(rule.id, "not_applicable"))
            continue
        block = _check(rule, context)
        evaluated.append(Evaluation(rule.id, "pass" if block is None else "block"))
        if block is not None:
            reasons.append(Reason(block.code, rule.id, block.message))
            blocks.append(block)
            if rule.monotone:
                blocking.append(rule)
    if not reasons:
        return Decision(True, refs, (), None, tuple(evaluated))
    next_allowed = None
    if all(block.waitable for block in blocks):
        timed = [rule for rule in applicable if rule.timed and not rule.monotone]
        next_allowed = _next_allowed(context, blocking, timed)
    return Decision(False, refs, tuple(reasons), next_allowed, tuple(evaluated))


@st.composite
def any_requests(draw: st.DrawFn):
    """Mostly ordinary requests; sometimes to someone else, or to a point the customer lacks."""
    request = draw(requests())
    target = draw(st.sampled_from(("customer",) * 8 + ("spouse",)))
    point = draw(st.sampled_from((request.contact_point_id,) * 8 + ("x9",)))
    return dataclasses.replace(request, target=target, contact_point_id=point)


@given(policy=st.sampled_from(POLICIES), now=instants(), data=st.data())
def test_every_decision_is_the_one_the_definition_gives(policy, now, data):
    customer = data.draw(customers(now, with_restrictions=data.draw(st.booleans())))
    request = data.draw(any_requests())
    fraction = data.draw(st.sampled_from((0, 0, 0.5, 0.999999)))
    for moment in (now, now + timedelta(seconds=fraction), now + timedelta(hours=9), now):
        decided = policy.evaluate(customer, request, moment)
        assert decided == reference(policy, customer, request, moment)
        assert decided.to_json() == reference(policy, customer, request, moment).to_json()


def _inside_everywhere(zones: tuple[ZoneInfo, ...], start: int, end: int, instant: float) -> bool:
    for zone in zones:
        local = datetime.fromtimestamp(instant, zone)
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        if not start <= seconds < end:
            return False
    return True


WINDOWS = st.sampled_from(((8 * 3600, 21 * 3600), (9 * 3600, 20 * 3600), (0, DAY), (3600, 7200)))


@given(zones=zone_sets, window=WINDOWS, now=instants(), offset=st.integers(0, DAY - 1))
def test_a_day_table_says_inside_exactly_when_every_zone_reads_inside(zones, window, now, offset):
    clock = ZoneClock()
    utc_day = int(now.timestamp() // DAY)
    bounds = clock.window(zones, *window, utc_day)
    instant = utc_day * DAY + offset + 0.25 * (offset % 4)
    if bounds is not None:
        inside = bool(bisect_right(bounds, instant) & 1)
        assert inside == _inside_everywhere(zones, *window, instant)


@given(zone=st.sampled_from(ZONES), now=instants(), fraction=st.sampled_from((0, 0.5)))
def test_a_cached_reading_is_the_exact_wall_clock(zone, now, fraction):
    clock = ZoneClock()
    instant = now.timestamp() + fraction
    for _ in range(2):  # the first fills the day's cache, the second reads it
        day, seconds = clock.local(zone, instant)
        local = datetime.fromtimestamp(instant, zone)
        assert day == date_to_day(local.date())
        assert seconds == local.hour * 3600 + local.minute * 60 + local.second + fraction
