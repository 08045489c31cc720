# SPDX-License-Identifier: Apache-2.0
import pytest

from rightparty.channels.capabilities import RateLimit
from rightparty.channels.resilience import BreakerState, CircuitBreaker, RetryPolicy, TokenBucket
from tests.unit.channels.builders import FakeTimer

pytestmark = pytest.mark.unit


def test_token_bucket_lets_a_burst_through_then_paces_to_the_rate():
    timer = FakeTimer()
    bucket = TokenBucket(RateLimit(per_second=2.0, burst=2), timer)
    waits = [bucket.acquire() for _ in range(5)]
    assert waits == [0.0, 0.0, 0.5, 0.5, 0.5]
    assert timer.sleeps == [0.5, 0.5, 0.5]


def test_token_bucket_refills_while_idle_but_never_beyond_its_burst():
    timer = FakeTimer()
    bucket = TokenBucket(RateLimit(per_second=1.0, burst=3), timer)
    for _ in range(3):
        bucket.acquire()
    timer.advance(3600)
    assert [bucket.acquire() for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]


def test_rate_limit_refuses_nonsense():
    with pytest.raises(ValueError, match="per_second"):
        RateLimit(per_second=0)


def test_backoff_doubles_from_the_base_delay_until_attempts_run_out():
    policy = RetryPolicy(max_attempts=4, base_delay=0.5, jitter=0.0)
    assert [policy.delay_before(n) for n in (2, 3, 4, 5)] == [0.5, 1.0, 2.0, None]


def test_jitter_shortens_a_delay_by_at_most_its_fraction():
    policy = RetryPolicy(base_delay=1.0, jitter=0.2)
    assert policy.delay_before(2, uniform=lambda: 0.0) == 1.0
    assert policy.delay_before(2, uniform=lambda: 1.0) == pytest.approx(0.8)


def test_a_longer_retry_after_wins_and_one_beyond_max_delay_stops_retrying():
    policy = RetryPolicy(base_delay=0.5, max_delay=30.0, jitter=0.0)
    assert policy.delay_before(2, retry_after=7.0) == 7.0
    assert policy.delay_before(2, retry_after=0.1) == 0.5
    assert policy.delay_before(2, retry_after=120.0) is None


def test_breaker_opens_after_consecutive_failures_and_probes_once_after_the_pause():
    timer = FakeTimer()
    breaker = CircuitBreaker(timer, failure_threshold=3, reset_after=30.0)
    for _ in range(3):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    timer.advance(30.0)
    assert breaker.allow()
    assert breaker.state is BreakerState.HALF_OPEN
    assert not breaker.allow(), "only one trial call while half-open"
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow()


def test_a_failed_probe_opens_the_breaker_again():
    timer = FakeTimer()
    breaker = CircuitBreaker(timer, failure_threshold=1, reset_after=10.0)
    breaker.record_failure()
    timer.advance(10.0)
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()


def test_a_success_resets_the_count_of_failures():
    breaker = CircuitBreaker(FakeTimer(), failure_threshold=2)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
