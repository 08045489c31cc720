# SPDX-License-Identifier: Apache-2.0
"""Facts from primitive values: zones from phone numbers, parsed once, no address kept."""

from datetime import UTC, datetime, timedelta

import pytest

from rightparty.domain.vocabulary import Channel, ContactPointKind, ContactPointStatus, Outcome
from rightparty.policy import HistoryEntry
from rightparty.usecases.policy_calendars import country_calendar
from rightparty.usecases.policy_facts import (
    ContactPointRecord,
    InvalidPhoneNumberError,
    UnknownTimeZoneError,
    customer_facts,
    phone_zones,
    zone,
)
from tests.unit.policy.builders import LA_MOBILE, NY_MOBILE, SHANGHAI_MOBILE

pytestmark = pytest.mark.unit


def _phone(point_id, address, status=ContactPointStatus.VALID, kind=ContactPointKind.MOBILE):
    return ContactPointRecord(point_id, Channel.VOICE, address, status, kind)


def test_phone_numbers_give_their_time_zones():
    assert [item.key for item in phone_zones(NY_MOBILE)] == ["America/New_York"]
    assert [item.key for item in phone_zones(SHANGHAI_MOBILE)] == ["Asia/Shanghai"]


def test_a_toll_free_number_gives_every_zone_it_may_ring_in():
    zones = {item.key for item in phone_zones("+18005550100")}
    assert {"America/New_York", "Pacific/Honolulu", "America/Los_Angeles"} <= zones


def test_zones_are_resolved_once_and_shared():
    assert zone("America/New_York") is zone("America/New_York")
    assert phone_zones(NY_MOBILE)[0] is zone("America/New_York")


def test_unknown_zone_names_are_refused():
    with pytest.raises(UnknownTimeZoneError):
        zone("Atlantis/Capital")


def test_invalid_phone_numbers_are_refused_without_echoing_them():
    with pytest.raises(InvalidPhoneNumberError) as raised:
        customer_facts("c1", contact_points=[_phone("m1", "+1 555")])
    assert "555" not in str(raised.value)


def test_candidate_zones_are_locations_and_addressable_phones_only():
    facts = customer_facts(
        "c1",
        contact_points=[
            _phone("m1", NY_MOBILE),
            _phone("m2", LA_MOBILE, ContactPointStatus.UNVERIFIED),
            _phone("m3", SHANGHAI_MOBILE, ContactPointStatus.WRONG_PARTY),
            ContactPointRecord("e1", Channel.EMAIL, "c1@example.com"),
        ],
        timezones=["Europe/London", "America/New_York"],
    )
    assert [item.key for item in facts.zones] == [
        "Europe/London",
        "America/New_York",
        "America/Los_Angeles",
    ]


def test_facts_keep_no_address():
    record = _phone("m1", NY_MOBILE)
    facts = customer_facts("c1", contact_points=[record])
    assert NY_MOBILE not in repr(facts)
    assert NY_MOBILE not in repr(record)


def test_jurisdictions_come_from_phone_countries_unless_declared():
    points = [_phone("m1", NY_MOBILE), _phone("m2", SHANGHAI_MOBILE)]
    assert customer_facts("c1", contact_points=points).jurisdictions == ("US", "CN")
    assert customer_facts("c1", contact_points=points, jurisdiction="sa").jurisdictions == ("SA",)


def test_history_is_kept_in_time_order():
    now = datetime(2026, 3, 2, tzinfo=UTC)
    later = HistoryEntry(now, Channel.VOICE, Outcome.BUSY)
    earlier = HistoryEntry(now - timedelta(days=1), Channel.VOICE, Outcome.BUSY)
    facts = customer_facts("c1", history=[later, earlier])
    assert facts.history == (earlier, later)


def test_a_subdivision_adds_its_own_holidays():
    """Patriots' Day (20 April 2026) is a holiday in Massachusetts, not federally."""
    patriots_day = datetime(2026, 4, 20, tzinfo=UTC).date()
    massachusetts = country_calendar("US-MA")
    federal = country_calendar("US")
    assert massachusetts is not None
    assert federal is not None
    assert massachusetts.is_holiday(patriots_day)
    assert not federal.is_holiday(patriots_day)
    assert country_calendar("XX") is None
    assert country_calendar("US-ZZ") is not None
