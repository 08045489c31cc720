# SPDX-License-Identifier: Apache-2.0
"""Build the engine's facts from primitive values: zone names, E.164 numbers, plain records.

This is where phone numbers become time zones (phonenumbers) and zone names become `ZoneInfo`
objects, each at most once per distinct value (cached), so no decision ever parses a zone or a
number. The orchestration layer calls `customer_facts` with what it loaded for one customer and
reuses the result for every decision about that customer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezones

from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactPointStatus,
    ContactSource,
)
from rightparty.policy.facts import (
    PHONE_CHANNELS,
    Consent,
    ContactPointFacts,
    CustomerFacts,
    HistoryEntry,
)
from rightparty.policy.restrictions import Restriction

_UNKNOWN_ZONE = "Etc/Unknown"


class UnknownTimeZoneError(ValueError):
    """A zone name that is not in the IANA database (the name is not personal data)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown IANA time zone {name!r}")
        self.name = name


class InvalidPhoneNumberError(ValueError):
    """An address on a phone channel that is not a phone number; the number is never echoed."""

    def __init__(self) -> None:
        super().__init__("not a phone number in international (E.164) form")


@dataclass(frozen=True, slots=True)
class ContactPointRecord:
    """A contact point as stored: `address` is only read to find its zones and country."""

    id: str
    channel: Channel
    address: str
    status: ContactPointStatus = ContactPointStatus.VALID
    kind: ContactPointKind | None = None
    source: ContactSource | None = None

    def __repr__(self) -> str:
        return f"ContactPointRecord(id={self.id!r}, channel={self.channel.value!r}, address='***')"


@lru_cache(maxsize=4096)
def zone(name: str) -> ZoneInfo:
    """The `ZoneInfo` for an IANA name; raises `UnknownTimeZoneError`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownTimeZoneError(name) from error


@lru_cache(maxsize=262_144)
def _phone(address: str) -> tuple[tuple[ZoneInfo, ...], str | None]:
    try:
        number = phonenumbers.parse(address, None)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumberError from error
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhoneNumberError
    names = phone_timezones.time_zones_for_number(number)
    zones = tuple(zone(name) for name in names if name != _UNKNOWN_ZONE)
    region = phonenumbers.region_code_for_number(number)
    return zones, region if region and region != "ZZ" else None


def phone_zones(address: str) -> tuple[ZoneInfo, ...]:
    """Every zone phonenumbers gives for an E.164 number (none when it cannot tell)."""
    return _phone(address)[0]


def phone_country(address: str) -> str | None:
    return _phone(address)[1]


def contact_point_facts(record: ContactPointRecord) -> ContactPointFacts:
    zones = phone_zones(record.address) if record.channel in PHONE_CHANNELS else ()
    return ContactPointFacts(
        id=record.id,
        channel=record.channel,
        status=record.status,
        kind=record.kind,
        source=record.source,
        zones=zones,
    )


def customer_facts(
    customer_id: str,
    *,
    contact_points: Iterable[ContactPointRecord] = (),
    timezones: Iterable[str] = (),
    consents: Iterable[Consent] = (),
    restrictions: Iterable[Restriction] = (),
    history: Iterable[HistoryEntry] = (),
    jurisdiction: str | None = None,
) -> CustomerFacts:
    """Facts for one customer. Without an explicit `jurisdiction`, the countries of the customer's
    addressable phone numbers stand for it (for holiday calendars)."""
    records = tuple(contact_points)
    points = tuple(contact_point_facts(record) for record in records)
    if jurisdiction:
        jurisdictions: tuple[str, ...] = (jurisdiction.upper(),)
    else:
        countries = (
            phone_country(record.address)
            for record in records
            if record.channel in PHONE_CHANNELS and record.status.addressable
        )
        jurisdictions = tuple(dict.fromkeys(country for country in countries if country))
    return CustomerFacts(
        id=customer_id,
        contact_points=points,
        location_zones=tuple(zone(name) for name in timezones),
        consents=tuple(consents),
        restrictions=tuple(restrictions),
        history=tuple(sorted(history, key=lambda entry: entry.at)),
        jurisdictions=jurisdictions,
    )
