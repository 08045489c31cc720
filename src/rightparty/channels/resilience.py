# SPDX-License-Identifier: Apache-2.0
"""Throttling, retries with backoff and a circuit breaker, all driven by an injectable `Timer`.

Tests and the simulated demo pass a timer whose `sleep` only moves its own clock, so nothing here
ever really waits outside production. Every class is safe to share between threads.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from rightparty.channels.capabilities import RateLimit
from rightparty.domain.clock import Clock


class Timer(Protocol):
    """Monotonic seconds and a way to wait; not wall-clock time (that is the `Clock` port)."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class ClockTimer:
    """For simulated runs: seconds follow the simulated `Clock`, so a circuit breaker opened at
    one simulated instant closes again as simulated time passes; sleeping costs no real time
    (the backoff happens within one simulated instant)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._slept = 0.0

    def monotonic(self) -> float:
        return self._clock.now().timestamp() + self._slept

    def sleep(self, seconds: float) -> None:
        self._slept += max(0.0, seconds)


class TokenBucket:
    """Each `acquire` takes one token, waiting for it when the bucket is empty.

    A caller reserves its token first (the level may go negative) and then waits outside the lock,
    so concurrent callers queue fairly and the lock is never held while sleeping.
    """

    def __init__(self, rate: RateLimit, timer: Timer) -> None:
        self._rate = rate
        self._timer = timer
        self._tokens = float(rate.burst)
        self._updated = timer.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token; returns the seconds waited for it."""
        with self._lock:
            now = self._timer.monotonic()
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(
                float(self._rate.burst), self._tokens + elapsed * self._rate.per_second
            )
            self._updated = now
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self._rate.per_second
        if wait > 0:
            self._timer.sleep(wait)
        return wait


def system_uniform() -> float:
    """A jitter fraction in [0, 1) from the operating system's random source."""
    return random.SystemRandom().random()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter for transient failures, inside one `send`.

    Attempt `n` (counting from 2) waits `base_delay * multiplier**(n-2)`, capped at `max_delay`,
    less up to `jitter` of itself. A provider's own `Retry-After` wins when it is longer; a wait
    beyond `max_delay` is not taken here: the failure is returned and the orchestrator reschedules.
    """

    max_attempts: int = 3
    base_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 30.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay < 0 or self.max_delay < 0:
            message = "max_attempts >= 1 and non-negative delays are required"
            raise ValueError(message)
        if not 0.0 <= self.jitter <= 1.0:
            message = "jitter is a fraction between 0 and 1"
            raise ValueError(message)

    def delay_before(
        self,
        attempt: int,
        *,
        retry_after: float | None = None,
        uniform: Callable[[], float] = system_uniform,
    ) -> float | None:
        """Seconds to wait before attempt number `attempt` (2, 3, …), or None to stop retrying."""
        if attempt > self.max_attempts:
            return None
        backoff = min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 2))
        backoff -= backoff * self.jitter * uniform()
        delay = max(backoff, retry_after or 0.0)
        return None if delay > self.max_delay else delay


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Stops calling a provider after `failure_threshold` transient failures in a row.

    After `reset_after` seconds one trial call is let through (half-open): its success closes the
    circuit, its failure opens it again. Permanent failures say nothing about the provider's health
    (the address was bad) and count as successes here.
    """

    def __init__(
        self, timer: Timer, *, failure_threshold: int = 5, reset_after: float = 30.0
    ) -> None:
        if failure_threshold < 1:
            message = "failure_threshold must be at least 1"
            raise ValueError(message)
        self._timer = timer
        self._threshold = failure_threshold
        self._reset_after = reset_after
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._lock = threading.Lock()

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open state only one trial call is allowed."""
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return True
            if self._state is BreakerState.HALF_OPEN:
                return False
            if self._timer.monotonic() - self._opened_at >= self._reset_after:
                self._state = BreakerState.HALF_OPEN
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._state = BreakerState.CLOSED
            self._failures = 0

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state is BreakerState.HALF_OPEN or self._failures >= self._threshold:
                self._state = BreakerState.OPEN
                self._opened_at = self._timer.monotonic()
