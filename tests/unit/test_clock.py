# SPDX-License-Identifier: Apache-2.0
from datetime import UTC, datetime, timedelta, timezone

import pytest

from rightparty.domain.clock import NaiveTimeError, SimulatedClock, SystemClock

pytestmark = pytest.mark.unit


def test_system_clock_is_aware_utc():
    now = SystemClock().now()
    assert now.tzinfo is UTC


def test_simulated_clock_converts_its_start_to_utc():
    shanghai = timezone(timedelta(hours=8))
    clock = SimulatedClock(datetime(2026, 3, 2, 20, 0, tzinfo=shanghai))
    assert clock.now() == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_simulated_clock_refuses_naive_time():
    with pytest.raises(NaiveTimeError):
        SimulatedClock(datetime(2026, 3, 2, 12, 0))  # noqa: DTZ001 - the naive time is the input under test


def test_simulated_clock_moves_only_forward(clock):
    start = clock.now()
    assert clock.advance(timedelta(hours=4)) == start + timedelta(hours=4)
    with pytest.raises(ValueError, match="backward"):
        clock.advance(timedelta(seconds=-1))
    assert clock.advance_to(start) == start + timedelta(hours=4)
    assert clock.advance_to(start + timedelta(days=1)) == start + timedelta(days=1)
