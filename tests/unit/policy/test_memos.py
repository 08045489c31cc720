# SPDX-License-Identifier: Apache-2.0
"""The memos added for speed never change an answer: the day tables of a count's period start
agree with reading each zone, a remembered zone-by-zone chase gives what a fresh one gives (and
tells windows and zone sets apart), and the history index counts empty ids as none."""

import pickle
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.domain.vocabulary import Channel, ContactPointKind, Outcome, Purpose
from rightparty.policy import ContactPointFacts, Counter, CustomerFacts, HistoryEntry, ScopeKey
from rightparty.policy import history as history_module
from rightparty.policy.calendars import no_calendars
from rightparty.policy.facts import ContactRequest
from rightparty.policy.history import HistoryIndex
from rightparty.policy.localtime import DAY, HOUR, ZoneClock
from rightparty.policy.rules.base import Context
from rightparty.policy.rules.time_windows import TimeWindowRule
from tests.unit.policy.strategies import ZONES, dst_zone_sets, history, instants, zone_sets

pytestmark = pytest.mark.unit

_ANY_ZONES = st.one_of(zone_sets, dst_zone_sets)
NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _period_start_by_definition(zones, days, instant):
    """The first instant of the local date `days - 1` days back, earliest over the zones."""
    starts = []
    for zone in zones:
        local = datetime.fromtimestamp(instant, zone).date() - timedelta(days=days - 1)
        midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
        starts.append(midnight.timestamp())
    return min(starts)


@given(zones=_ANY_ZONES, days=st.sampled_from((1, 2, 7)), now=instants(), data=st.data())
def test_a_period_start_is_the_earliest_local_midnight_over_the_zones(zones, days, now, data):
    clock = ZoneClock()
    fraction = data.draw(st.sampled_from((0, 0.25, 0.999)))
    for instant in (now.timestamp() + fraction, now.timestamp() + fraction + 13 * HOUR):
        for _ in range(2):  # the first builds the day's table, the second reads it
            found = clock.period_start(zones, days, instant)
            assert found == clock.period_start_by_zone(zones, days, instant)
            assert found == _period_start_by_definition(zones, days, instant)


def test_a_period_start_table_is_per_zone_set_and_length():
    clock = ZoneClock()
    instant = datetime(2026, 4, 8, 3, tzinfo=UTC).timestamp()  # 23:00 in New York, 11:00 Beijing
    alone = clock.period_start((SHANGHAI,), 1, instant)
    both = clock.period_start((SHANGHAI, NEW_YORK), 1, instant)
    week = clock.period_start((SHANGHAI, NEW_YORK), 7, instant)
    assert alone == datetime(2026, 4, 7, 16, tzinfo=UTC).timestamp()  # Beijing midnight
    assert both == datetime(2026, 4, 7, 4, tzinfo=UTC).timestamp()  # New York midnight
    assert week == both - 6 * DAY


WINDOWS = st.sampled_from(
    (
        (8 * HOUR, 21 * HOUR, None),
        (9 * HOUR, 20 * HOUR, None),
        (9 * HOUR, 20 * HOUR, frozenset(range(5))),
        (22 * HOUR, 6 * HOUR, None),
        (HOUR, 2 * HOUR, None),
    )
)


def _context(zones, instant: float, clock: ZoneClock) -> Context:
    customer = CustomerFacts("c1", location_zones=zones)
    request = ContactRequest(Channel.VOICE, "m1", Purpose.COLLECTIONS)
    now = datetime.fromtimestamp(instant, UTC)
    return Context(now, instant, customer, request, None, clock, no_calendars, {})


@given(
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=4, unique=True).map(tuple),
    windows=st.lists(WINDOWS, min_size=1, max_size=3),
    now=instants(),
    steps=st.lists(st.integers(0, 3 * DAY), min_size=1, max_size=4),
)
def test_a_remembered_chase_finds_what_a_fresh_search_finds(zones, windows, now, steps):
    shared = ZoneClock()
    for start, end, weekdays in windows:
        rule = TimeWindowRule(id="p/w", source="s", start=start, end=end, weekdays=weekdays)
        for step in steps:
            for subset in (zones, zones[:1], zones[::-1]):
                instant = now.timestamp() + step
                remembered = rule.earliest_zone_by_zone(
                    _context(subset, instant, shared), subset, instant
                )
                fresh = rule.earliest_zone_by_zone(
                    _context(subset, instant, ZoneClock()), subset, instant
                )
                assert remembered == fresh


def test_windows_that_never_overlap_have_no_opening_however_often_asked():
    zones = (SHANGHAI, NEW_YORK)
    rule = TimeWindowRule(id="p/w", source="s", start=9 * HOUR, end=12 * HOUR)
    clock = ZoneClock()
    instant = datetime(2026, 6, 1, 2, tzinfo=UTC).timestamp()
    for _ in range(2):
        assert rule.earliest_zone_by_zone(_context(zones, instant, clock), zones, instant) is None
    assert clock.chases  # the second answer came from the memo


def test_empty_ids_count_as_none_and_wrong_party_entries_never_count():
    at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    entries = (
        HistoryEntry(at, Channel.VOICE, Outcome.NO_ANSWER, contact_point_id="", event_id=""),
        HistoryEntry(at + timedelta(hours=1), Channel.VOICE, Outcome.NO_ANSWER, "outbound", "w9"),
        HistoryEntry(
            at + timedelta(hours=2),
            Channel.VOICE,
            Outcome.NO_ANSWER,
            contact_point_id="m1",
            debt_ids=frozenset({"d1"}),
        ),
    )
    index = HistoryIndex(entries, wrong_party_points=frozenset({"w9"}))
    assert index.size == 2
    counter = Counter(
        channels=frozenset({Channel.VOICE}),
        outcomes=frozenset({Outcome.NO_ANSWER}),
        scope=(ScopeKey.CONTACT_POINT, ScopeKey.EVENT, ScopeKey.DEBT),
    )
    first, third = at.timestamp(), at.timestamp() + 2 * HOUR
    assert index.instants(counter, ("m1", "ev1", "d1")) == (first, third)
    assert index.instants(counter, ("m2", "ev1", "d1")) == (first,)
    assert index.instants(counter, ("m1", None, "d2")) == (first,)
    assert index.instants(counter, (None, None, None)) == (first, third)


def test_a_point_of_another_kind_is_counted_by_kind_when_known():
    at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    entries = tuple(
        HistoryEntry(at + timedelta(minutes=n), Channel.VOICE, Outcome.NO_ANSWER, "outbound", p)
        for n, p in enumerate(("m1", "w1", "x9"))
    )
    points = (
        ContactPointFacts("m1", Channel.VOICE, kind=ContactPointKind.MOBILE),
        ContactPointFacts("w1", Channel.VOICE, kind=ContactPointKind.WORK),
    )
    index = HistoryIndex(entries, point_kinds={point.id: point.kind for point in points})
    counter = Counter(
        channels=frozenset({Channel.VOICE}),
        outcomes=frozenset({Outcome.NO_ANSWER}),
        point_kinds=frozenset({ContactPointKind.MOBILE}),
    )
    # m1 is a mobile; w1 a work number, not counted; x9 is of unknown kind, so it counts.
    assert index.instants(counter, ()) == (at.timestamp(), at.timestamp() + 120)


def test_a_chase_remembered_for_one_window_is_not_taken_for_another():
    zones = (NEW_YORK, ZoneInfo("America/Chicago"))
    instant = datetime(2026, 1, 14, 7, tzinfo=UTC).timestamp()  # 02:00 in New York
    wide = TimeWindowRule(id="p/wide", source="s", start=9 * HOUR, end=20 * HOUR)
    narrow = TimeWindowRule(id="p/narrow", source="s", start=9 * HOUR, end=9 * HOUR + 1800)
    weekend = TimeWindowRule(
        id="p/weekend", source="s", start=9 * HOUR, end=20 * HOUR, weekdays=frozenset({5, 6})
    )
    clock = ZoneClock()
    opened = datetime(2026, 1, 14, 15, tzinfo=UTC).timestamp()  # 10:00 New York, 09:00 Chicago
    saturday = datetime(2026, 1, 17, 15, tzinfo=UTC).timestamp()
    for _ in range(2):
        for rule, expected in ((wide, opened), (narrow, None), (weekend, saturday)):
            context = _context(zones, instant, clock)
            assert rule.earliest_zone_by_zone(context, zones, instant) == expected


def test_a_chase_remembered_for_every_day_is_not_taken_for_some_weekdays():
    zones = (SHANGHAI, NEW_YORK)
    instant = datetime(2026, 1, 12, 23, tzinfo=UTC).timestamp()  # Tuesday 07:00 in Beijing
    daily = TimeWindowRule(id="p/daily", source="s", start=8 * HOUR, end=23 * HOUR)
    tuesdays = TimeWindowRule(
        id="p/tuesdays", source="s", start=8 * HOUR, end=23 * HOUR, weekdays=frozenset({1})
    )
    clock = ZoneClock()
    for rule, expected in (
        (daily, datetime(2026, 1, 13, 0, tzinfo=UTC)),  # 08:00 Beijing, Monday 19:00 New York
        (tuesdays, datetime(2026, 1, 13, 13, tzinfo=UTC)),  # 08:00 Tuesday in New York
    ):
        found = rule.earliest_zone_by_zone(_context(zones, instant, clock), zones, instant)
        assert found == expected.timestamp()


@given(now=instants(), data=st.data())
def test_no_request_counts_more_than_a_counters_bound(now, data):
    entries = data.draw(history(now))
    index = HistoryIndex(entries)
    counter = Counter(
        channels=frozenset({Channel.VOICE}),
        outcomes=frozenset({Outcome.NO_ANSWER, Outcome.CONVERSATION}),
        scope=(ScopeKey.DEBT, ScopeKey.EVENT),
    )
    unscoped = index.instants(counter, (None, None))
    assert index.bound(counter) == len(unscoped)
    for values in (("d1", "ev1"), ("d2", None), (None, "ev2")):
        assert len(index.instants(counter, values)) <= index.bound(counter)


def test_an_index_travels_by_its_signatures_not_by_this_process_numbers():
    at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    entries = (
        HistoryEntry(at, Channel.VOICE, Outcome.NO_ANSWER, debt_ids=frozenset({"d1"})),
        HistoryEntry(at + timedelta(hours=1), Channel.SMS, Outcome.DELIVERED),
    )
    index = HistoryIndex(entries)
    counter = Counter(
        channels=frozenset({Channel.VOICE}),
        outcomes=frozenset({Outcome.NO_ANSWER}),
        scope=(ScopeKey.DEBT,),
    )
    payload = pickle.dumps(index)
    expected = index.instants(counter, ("d1",))
    # Another process numbers signatures in another order: renumber them here to stand for it.
    saved = dict(history_module._SIGNATURES), list(history_module._NUMBERED)
    try:
        history_module._NUMBERED.reverse()
        history_module._SIGNATURES.clear()
        history_module._SIGNATURES.update(
            (signature, number) for number, signature in enumerate(history_module._NUMBERED)
        )
        history_module._VERDICTS.clear()
        copied = pickle.loads(payload)  # noqa: S301 - bytes this test just made
        assert copied.size == index.size == 2
        assert copied.instants(counter, ("d1",)) == expected == (at.timestamp(),)
    finally:
        history_module._SIGNATURES.clear()
        history_module._SIGNATURES.update(saved[0])
        history_module._NUMBERED[:] = saved[1]
        history_module._VERDICTS.clear()


def test_the_channels_a_point_serves_are_remembered_per_channel_and_kind() -> None:
    mobile = ContactPointFacts("m1", Channel.VOICE, kind=ContactPointKind.MOBILE)
    landline = ContactPointFacts("l1", Channel.VOICE, kind=ContactPointKind.LANDLINE)
    again = ContactPointFacts("m2", Channel.VOICE, kind=ContactPointKind.MOBILE)
    assert mobile.served == {Channel.SMS, Channel.VOICE}
    assert landline.served == {Channel.VOICE}  # not the mobile's, met first
    assert again.served is mobile.served
