# SPDX-License-Identifier: Apache-2.0
"""What every rule shares: which requests it covers, its citation, and how it answers.

A rule answers `check(context)` with `None` (pass) or a `Block`. A block is `waitable` when the same
request would pass later with nothing else changed (a time window, a count); only timed rules
(`timed = True`) give waitable blocks, and they also answer `earliest(context, instant)`: the
earliest instant at or after `instant` at which they would pass, or `None` if none comes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import final
from zoneinfo import ZoneInfo

from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.policy.calendars import CalendarSource
from rightparty.policy.facts import ContactPointFacts, ContactRequest, CustomerFacts
from rightparty.policy.localtime import ZoneClock
from rightparty.policy.pickling import Reduced, by_fields

ALL_CHANNELS = frozenset(Channel)
ALL_PURPOSES = frozenset(Purpose)


@final
class Block:
    """A rule's refusal. A slotted class, not a named tuple: the compiled build makes it a native
    class, built and read in C, where a named tuple is built by an interpreted `__new__`."""

    __slots__ = ("code", "message", "waitable")

    def __init__(self, code: str, message: str, waitable: bool = False) -> None:
        self.code = code
        self.message = message
        self.waitable = waitable


@final
class Context:
    """One decision's inputs, resolved once: `instant` is `now` in POSIX seconds, `point` the
    requested contact point (`None` when the customer has no such point) and `readings` the local
    readings of `now` taken so far. A slotted class, not a named tuple: compiled, every rule
    reads its fields in C instead of looking each one up by name."""

    __slots__ = (
        "calendars",
        "clock",
        "customer",
        "instant",
        "now",
        "point",
        "readings",
        "request",
    )

    def __init__(  # noqa: PLR0917 - positional, as the named tuple it replaced
        self,
        now: datetime,
        instant: float,
        customer: CustomerFacts,
        request: ContactRequest,
        point: ContactPointFacts | None,
        clock: ZoneClock,
        calendars: CalendarSource,
        readings: dict[ZoneInfo, tuple[int, float]],
    ) -> None:
        self.now = now
        self.instant = instant
        self.customer = customer
        self.request = request
        self.point = point
        self.clock = clock
        self.calendars = calendars
        self.readings = readings

    def local(self, zone: ZoneInfo) -> tuple[int, float]:
        """The local reading of `now` in `zone`, read once per decision whichever rules ask."""
        reading = self.readings.get(zone)
        if reading is None:
            reading = self.readings[zone] = self.clock.local(zone, self.instant)
        return reading


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """`id` is `pack/rule`; `source` cites the law (or the bank's house rule) behind every number;
    `note` records interpretation choices, including the stricter reading of uncertain sources."""

    id: str
    code: str
    source: str
    channels: frozenset[Channel] = ALL_CHANNELS
    purposes: frozenset[Purpose] = ALL_PURPOSES
    note: str = ""

    # `timed` and `monotone` are read-only properties, not class attributes, so that the
    # compiled build (mypyc) can override them per subclass: it would make an overridden
    # dataclass `ClassVar` an instance field. They are read only while a policy is compiled.
    @property
    def timed(self) -> bool:
        """Whether the rule's blocks are waitable and it answers `earliest`."""
        return False

    @property
    def monotone(self) -> bool:
        """Timed rules that, once passing, pass at every later instant (counts only fall while
        waiting); the engine folds them into a lower bound instead of iterating them."""
        return False

    def applies_to(self, channel: Channel, purpose: Purpose) -> bool:
        return channel in self.channels and purpose in self.purposes

    def check(self, context: Context) -> Block | None:
        raise NotImplementedError

    def needs(self) -> int:
        """Customer traits (bits of `CustomerFacts.traits`) of which a customer must have at least
        one for this rule to ever block or move `earliest`; 0 when it may block any customer. The
        engine leaves the rule out of a decision about a customer with none of them."""
        return 0

    def earliest(self, context: Context, instant: float) -> float | None:
        """For timed rules, the earliest instant at or after `instant` at which this rule passes."""
        return instant

    def calendars(self) -> tuple[str, ...]:
        """The holiday calendars this rule asks for whoever the customer is."""
        return ()

    def __reduce__(self) -> Reduced:
        return by_fields(self)  # see `pickling`: how the compiled build copies it
