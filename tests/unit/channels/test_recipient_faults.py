# SPDX-License-Identifier: Apache-2.0
"""A recipient's temporary trouble is not the provider's: no breaker trip, no retry storm."""

from datetime import UTC, datetime

import pytest

from rightparty.channels.providers.sandbox import SandboxProvider, SandboxSettings
from rightparty.channels.resilience import ClockTimer
from rightparty.domain.clock import SimulatedClock
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome
from tests.unit.channels.builders import fast_resilience, make_message

pytestmark = pytest.mark.unit


def test_soft_bounces_neither_trip_the_breaker_nor_get_retried():
    provider = SandboxProvider(SandboxSettings(), resilience=fast_resilience())
    for number in range(12):
        message = make_message(
            channel=Channel.EMAIL, address="bounced_soft@sandbox.rightparty.test", key=f"k{number}"
        )
        result = provider.send(message)
        assert (result.status, result.outcome) == (
            DeliveryStatus.TRANSIENT_FAILURE,
            Outcome.BOUNCED_SOFT,
        )
    assert provider.ledger.times_requested("k0") == 1
    healthy = make_message(
        channel=Channel.EMAIL, address="delivered@sandbox.rightparty.test", key="after"
    )
    assert provider.send(healthy).status is DeliveryStatus.ACCEPTED


def test_provider_errors_still_open_the_breaker():
    provider = SandboxProvider(SandboxSettings(), resilience=fast_resilience())
    for number in range(6):
        message = make_message(
            channel=Channel.EMAIL,
            address="provider_error@sandbox.rightparty.test",
            key=f"p{number}",
        )
        provider.send(message)
    healthy = make_message(
        channel=Channel.EMAIL, address="delivered@sandbox.rightparty.test", key="after"
    )
    assert provider.send(healthy).error_code == "circuit_open"


def test_a_clock_timer_follows_simulated_time_and_sleeps_for_free():
    clock = SimulatedClock(datetime(2026, 3, 2, tzinfo=UTC))
    timer = ClockTimer(clock)
    start = timer.monotonic()
    timer.sleep(2.5)
    assert timer.monotonic() == start + 2.5
    clock.advance_to(datetime(2026, 3, 2, 0, 1, tzinfo=UTC))
    assert timer.monotonic() == start + 62.5
