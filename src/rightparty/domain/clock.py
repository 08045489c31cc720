# SPDX-License-Identifier: Apache-2.0
"""Time as a port: production reads the system clock, the demo and tests drive a simulated one.

Every instant is timezone-aware UTC; a clock that would return a naive or non-UTC time is a bug.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Where use cases and runtimes get the current instant from."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class NaiveTimeError(ValueError):
    """A simulated clock was given a time without a time zone."""


class SimulatedClock:
    """A clock that moves only when told to, so a simulated week runs in seconds."""

    def __init__(self, start: datetime) -> None:
        self._now = _as_utc(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` (never backward) and return the new instant."""
        if delta < timedelta(0):
            message = "a simulated clock never moves backward"
            raise ValueError(message)
        self._now += delta
        return self._now

    def advance_to(self, instant: datetime) -> datetime:
        """Move to `instant` if it is later; an earlier instant leaves the clock where it is."""
        self._now = max(self._now, _as_utc(instant))
        return self._now


def _as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        message = "time must be timezone-aware"
        raise NaiveTimeError(message)
    return instant.astimezone(UTC)
