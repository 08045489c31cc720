# SPDX-License-Identifier: Apache-2.0
"""DST: New York changes its offset twice a year, Phoenix never, Shanghai never.

New York springs forward on Sunday 2026-03-08 (02:00 EST becomes 03:00 EDT) and falls back on
Sunday 2026-11-01 (02:00 EDT becomes 01:00 EST).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rightparty.policy.localtime import ZoneClock, date_to_day, wall_instants
from tests.unit.policy.builders import (
    NY_MOBILE,
    PHOENIX_MOBILE,
    SHANGHAI_MOBILE,
    call,
    decide,
    next_allowed,
    point,
    scenario,
    utc,
)

pytestmark = pytest.mark.unit

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Saturday night EST; the window opens at 08:00 EDT, only 9h30 of clock time later.
        ("2026-03-08T02:30:00Z", "2026-03-08T12:00:00Z"),
        # Saturday night EDT; the window opens at 08:00 EST, an hour later in UTC.
        ("2026-11-01T01:30:00Z", "2026-11-01T13:00:00Z"),
        # During the repeated hour itself (01:30 EST, the second time round).
        ("2026-11-01T06:30:00Z", "2026-11-01T13:00:00Z"),
    ],
)
def test_new_york_window_opens_at_local_eight_across_dst_nights(now, expected):
    decision = decide("us-reg-f", scenario(utc(now), points=[point("m1", NY_MOBILE)]))
    assert decision["allowed"] is False
    assert next_allowed(decision) == utc(expected)


@pytest.mark.parametrize(
    ("address", "january", "july"),
    [
        (PHOENIX_MOBILE, "2026-01-15T15:00:00Z", "2026-07-15T15:00:00Z"),
        (NY_MOBILE, "2026-01-15T13:00:00Z", "2026-07-15T12:00:00Z"),
        (SHANGHAI_MOBILE, "2026-01-15T00:00:00Z", "2026-07-15T00:00:00Z"),
    ],
)
def test_window_opening_in_utc_moves_only_where_the_zone_observes_dst(address, january, july):
    for opening in (january, july):
        start = utc(opening)
        packs = "cn-collections" if address == SHANGHAI_MOBILE else "us-reg-f"
        just_before = decide(
            packs, scenario(start - timedelta(seconds=1), points=[point("m1", address)])
        )
        at_opening = decide(packs, scenario(start, points=[point("m1", address)]))
        assert just_before["allowed"] is False
        assert next_allowed(just_before) == start
        assert at_opening["allowed"] is True


def test_conversation_cooldown_spans_the_spring_forward_change():
    """Conversation Friday 2026-03-06 (EST) is day 1; day 8 is Friday 2026-03-13 (EDT)."""
    history = [call(utc("2026-03-06T10:00:00-05:00"), "conversation")]
    document = scenario(utc("2026-03-12T12:00:00-04:00"), history=history)
    decision = decide("us-reg-f", document)
    assert next_allowed(decision) == utc("2026-03-13T08:00:00-04:00")


def test_day_start_after_spring_forward_is_local_midnight():
    clock = ZoneClock()
    spring = date_to_day(datetime(2026, 3, 8, tzinfo=UTC).date())
    assert clock.day_start(NEW_YORK, spring) == utc("2026-03-08T05:00:00Z").timestamp()
    assert clock.day_start(NEW_YORK, spring + 1) == utc("2026-03-09T04:00:00Z").timestamp()


@pytest.mark.parametrize(
    ("zone", "local_date"),
    [
        ("America/Santiago", "2026-09-06"),  # midnight is skipped: the day starts at 01:00
        ("America/Havana", "2026-03-08"),
        ("Asia/Beirut", "2026-03-29"),
        ("America/Asuncion", "2026-10-04"),
        ("Australia/Lord_Howe", "2026-10-04"),  # a half-hour change
    ],
)
def test_day_start_is_the_first_instant_of_the_local_date(zone, local_date):
    tz = ZoneInfo(zone)
    clock = ZoneClock()
    day = date_to_day(datetime.fromisoformat(local_date).date())
    start = clock.day_start(tz, day)
    assert datetime.fromtimestamp(start, tz).date().isoformat() == local_date
    assert datetime.fromtimestamp(start - 1, tz).date().isoformat() < local_date


def test_a_wall_time_in_the_spring_gap_never_happens_and_one_in_the_overlap_happens_twice():
    spring = date_to_day(datetime(2026, 3, 8, tzinfo=UTC).date())
    autumn = date_to_day(datetime(2026, 11, 1, tzinfo=UTC).date())
    half_past_two = 2 * 3600 + 1800
    half_past_one = 3600 + 1800
    assert wall_instants(NEW_YORK, spring, half_past_two) == ()
    assert wall_instants(NEW_YORK, autumn, half_past_one) == (
        utc("2026-11-01T05:30:00Z").timestamp(),
        utc("2026-11-01T06:30:00Z").timestamp(),
    )


def test_earliest_wall_time_inside_the_gap_is_the_transition_instant():
    """02:30 does not exist on 2026-03-08; the clock first reads at least 02:30 at 03:00 EDT."""
    clock = ZoneClock()
    spring = date_to_day(datetime(2026, 3, 8, tzinfo=UTC).date())
    start = utc("2026-03-08T05:00:00Z").timestamp()
    found = clock.earliest(
        NEW_YORK,
        start,
        lambda day, seconds: day > spring or seconds >= 2 * 3600 + 1800,
        (2 * 3600 + 1800,),
        2,
    )
    assert found == utc("2026-03-08T07:00:00Z").timestamp()


def test_earliest_after_the_fall_back_waits_for_the_second_pass_of_the_wall_time():
    """At 01:00 EST, just after 02:00 EDT fell back, 01:30 comes again half an hour later."""
    clock = ZoneClock()
    just_fell_back = utc("2026-11-01T06:00:00Z").timestamp()
    found = clock.earliest(
        NEW_YORK, just_fell_back, lambda _day, seconds: seconds >= 5400, (5400,), 2
    )
    assert found == utc("2026-11-01T06:30:00Z").timestamp()
