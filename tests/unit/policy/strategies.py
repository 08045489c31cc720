# SPDX-License-Identifier: Apache-2.0
"""Hypothesis strategies for policy facts, built directly (no JSON) so properties run fast."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    Direction,
    LegalHoldReason,
    OptOutScope,
    Outcome,
    Purpose,
)
from rightparty.policy import (
    AttorneyRepresentation,
    CeaseCommunication,
    ContactPointFacts,
    ContactRequest,
    CustomerFacts,
    HistoryEntry,
    InconvenientPlace,
    InconvenientTime,
    LegalHold,
    OptOut,
    Restriction,
)

ZONES = tuple(
    ZoneInfo(name)
    for name in (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "Pacific/Honolulu",
        "Asia/Shanghai",
        "Europe/London",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "America/Santiago",
    )
)
DST_ZONES = (ZoneInfo("America/New_York"), ZoneInfo("America/Phoenix"), ZoneInfo("Asia/Shanghai"))
NEW_YORK_CHANGES = (
    datetime(2025, 3, 9, 7, tzinfo=UTC),
    datetime(2025, 11, 2, 6, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
)
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 3 * 365 * 86_400
DEBTS = ("d1", "d2")


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    """Whole-second instants from 2025 to 2027, often within a day and a half of a New York DST
    change."""
    if draw(st.booleans()):
        change = draw(st.sampled_from(NEW_YORK_CHANGES))
        return change + timedelta(seconds=draw(st.integers(-36 * 3600, 36 * 3600)))
    return START + timedelta(seconds=draw(st.integers(0, SPAN_SECONDS)))


zone_sets = st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True).map(tuple)
dst_zone_sets = st.lists(st.sampled_from(DST_ZONES), min_size=1, max_size=3, unique=True).map(tuple)


def points(zones: tuple[ZoneInfo, ...]) -> tuple[ContactPointFacts, ...]:
    return (
        ContactPointFacts("m1", Channel.VOICE, kind=ContactPointKind.MOBILE, zones=zones[:1]),
        ContactPointFacts("m2", Channel.VOICE, kind=ContactPointKind.WORK, zones=zones[-1:]),
        ContactPointFacts("e1", Channel.EMAIL, kind=ContactPointKind.PERSONAL),
    )


@st.composite
def history(draw: st.DrawFn, now: datetime) -> tuple[HistoryEntry, ...]:
    entries = draw(
        st.lists(
            st.builds(
                HistoryEntry,
                at=st.integers(0, 9 * 86_400).map(lambda ago: now - timedelta(seconds=ago)),
                channel=st.sampled_from((Channel.VOICE, Channel.VOICE, Channel.SMS)),
                outcome=st.sampled_from(
                    (
                        Outcome.NO_ANSWER,
                        Outcome.VOICEMAIL,
                        Outcome.BUSY,
                        Outcome.CONVERSATION,
                        Outcome.DELIVERED,
                    )
                ),
                direction=st.sampled_from(
                    (Direction.OUTBOUND, Direction.OUTBOUND, Direction.INBOUND)
                ),
                contact_point_id=st.sampled_from(("m1", "m2")),
                debt_ids=st.sets(st.sampled_from(DEBTS), max_size=2).map(frozenset),
                purpose=st.sampled_from((Purpose.COLLECTIONS, Purpose.SECURITY_ALERT, None)),
                event_id=st.sampled_from((None, "ev1")),
            ),
            max_size=14,
        )
    )
    return tuple(entries)


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


@st.composite
def restrictions(draw: st.DrawFn, now: datetime) -> Restriction:
    """One restriction, in force since before `now`."""
    since = now - timedelta(seconds=draw(st.integers(0, 30 * 86_400)))
    debt = draw(st.sampled_from((*DEBTS, None)))
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return CeaseCommunication(since, debt)
    if kind == 1:
        return AttorneyRepresentation(since, debt)
    if kind == 2:
        scope = draw(st.sampled_from(list(OptOutScope)))
        return OptOut(
            scope,
            since,
            channel=draw(st.sampled_from(list(Channel))),
            contact_point_id=draw(st.sampled_from(("m1", "m2", "e1"))),
            purpose=draw(st.sampled_from(list(Purpose))),
        )
    if kind == 3:
        start = draw(st.integers(0, 24 * 60 - 1))
        end = draw(st.integers(0, 24 * 60 - 1).filter(lambda minute: minute != start))
        weekdays = draw(st.sets(st.integers(0, 6), min_size=1))
        return InconvenientTime(_clock(start), _clock(end), frozenset(weekdays))
    if kind == 4:
        return InconvenientPlace("workplace", draw(st.sampled_from((None, "m1", "m2"))))
    return LegalHold(draw(st.sampled_from(list(LegalHoldReason))), since, debt)


@st.composite
def requests(draw: st.DrawFn) -> ContactRequest:
    """Mostly a request on a point that can take its channel; sometimes any pairing."""
    channel = draw(st.sampled_from((Channel.VOICE, Channel.SMS, Channel.EMAIL)))
    fitting = ("e1",) if channel is Channel.EMAIL else ("m1", "m2")
    pool = ("m1", "m2", "e1") if draw(st.integers(0, 9)) == 0 else fitting
    return ContactRequest(
        channel=channel,
        contact_point_id=draw(st.sampled_from(pool)),
        purpose=draw(
            st.sampled_from(
                (
                    Purpose.COLLECTIONS,
                    Purpose.PAYMENT_REMINDER,
                    Purpose.SECURITY_ALERT,
                    Purpose.MARKETING,
                )
            )
        ),
        debt_id=draw(st.sampled_from((*DEBTS, None))),
        event_id=draw(st.sampled_from((None, "ev1"))),
    )


@st.composite
def customers(draw: st.DrawFn, now: datetime, with_restrictions: bool = True) -> CustomerFacts:
    zones = draw(zone_sets)
    extra = draw(st.lists(restrictions(now), max_size=2)) if with_restrictions else []
    return CustomerFacts(
        "c1",
        contact_points=points(zones),
        location_zones=draw(st.sampled_from(((), zones[:1]))),
        restrictions=tuple(extra),
        history=draw(history(now)),
        jurisdictions=draw(st.sampled_from(((), ("US",), ("CN",)))),
    )
