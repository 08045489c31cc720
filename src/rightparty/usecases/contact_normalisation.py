# SPDX-License-Identifier: Apache-2.0
"""Turning what a person typed into the one canonical form that storage, indexes and providers use.

Errors name the problem, never the value: the value is personal data.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberType
from phonenumbers import timezone as phone_timezone

from rightparty.domain.vocabulary import Channel, ContactPointKind

_UNKNOWN_ZONE = "Etc/Unknown"
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
# Per channel: RFC 5321 bounds an email at 320 characters; a browser push subscription (its JSON:
# endpoint and keys) runs to some 400, so push gets room to grow; a postal address is six lines.
MAX_LENGTHS = {
    Channel.SMS: 64,
    Channel.VOICE: 64,
    Channel.EMAIL: 320,
    Channel.PUSH: 4096,
    Channel.LETTER: 512,
}
MAX_ADDRESS_LENGTH = max(MAX_LENGTHS.values())


class AddressInvalid(ValueError):
    """An address that cannot be normalised for its channel; the message never repeats it."""


@dataclass(frozen=True, slots=True)
class PhoneFacts:
    """What one parse of a valid number tells: its E.164 form, mobile or landline, its zones."""

    e164: str
    kind: ContactPointKind
    time_zones: tuple[str, ...]


def normalise_phone(raw: str, region: str | None) -> str:
    """E.164 for a valid number; `region` (ISO 3166 alpha-2) reads numbers without a `+` prefix."""
    return phonenumbers.format_number(
        _valid_number(raw, region), phonenumbers.PhoneNumberFormat.E164
    )


def describe_phone(raw: str, region: str | None) -> PhoneFacts:
    """`normalise_phone` plus the number's kind and IANA zones, from one parse and one look-up of
    its type: parsing and typing are most of the cost of importing a customer, and validity,
    kind and zones each ask for the type again when asked separately."""
    number = _parsed(raw, region)
    number_type = phonenumbers.number_type(number)
    # `is_valid_number` is exactly "its type is known": both look up the region the calling
    # code and the national number point to, then match the same patterns.
    if number_type == PhoneNumberType.UNKNOWN:
        message = "not a valid phone number"
        raise AddressInvalid(message)
    return PhoneFacts(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        kind=_kind(number_type),
        time_zones=_zones(number, number_type),
    )


def _parsed(raw: str, region: str | None) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        message = "not a phone number"
        raise AddressInvalid(message) from error


def _valid_number(raw: str, region: str | None) -> phonenumbers.PhoneNumber:
    number = _parsed(raw, region)
    if not phonenumbers.is_valid_number(number):
        message = "not a valid phone number"
        raise AddressInvalid(message)
    return number


# Zones of numbers that say nothing more precise than their country (most mobiles), by calling
# code. `time_zones_for_number` gives such a number its country's zones, looked up by calling code
# alone; kept here so each number is typed once instead of twice.
_COUNTRY_ZONES: dict[int, tuple[str, ...]] = {}


def _zones(number: phonenumbers.PhoneNumber, number_type: int) -> tuple[str, ...]:
    country_code = number.country_code or 0
    if phonenumbers.is_number_type_geographical(number_type, country_code):
        zones = phone_timezone.time_zones_for_geographical_number(number)
    else:
        zones = _COUNTRY_ZONES.get(country_code) or _country_zones(number, country_code)
    return tuple(zone for zone in zones if zone != _UNKNOWN_ZONE)


def _country_zones(number: phonenumbers.PhoneNumber, country_code: int) -> tuple[str, ...]:
    # Never empty: a calling code without zones gets ("Etc/Unknown",), so `or` above is a miss.
    zones = tuple(phone_timezone.time_zones_for_number(number))
    _COUNTRY_ZONES[country_code] = zones
    return zones


def _kind(number_type: int) -> ContactPointKind:
    return ContactPointKind.MOBILE if number_type in _MOBILE_TYPES else ContactPointKind.LANDLINE


def calling_code(e164: str) -> int:
    """The country calling code, for masking (`+86 138****5678`)."""
    code = phonenumbers.parse(e164, None).country_code
    return int(code) if code is not None else 0


def normalise_email(raw: str) -> str:
    """email-validator's normal form, lower-cased; no network look-up."""
    plain = _PLAIN_EMAIL.fullmatch(raw)
    if plain is not None and len(raw) <= _EMAIL_MAX_LENGTH:
        domain = _plain_domain(plain["domain"])
        if domain is not None:
            return f"{plain['local']}@{domain}".lower()
    try:
        validated = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as error:
        message = "not a valid email address"
        raise AddressInvalid(message) from error
    return validated.normalized.lower()


# The common shape, `dot.atom@ascii.domain`, checked without email-validator's per-character
# Unicode work on a domain it has already accepted: that work was most of the cost of an email.
# For this shape email-validator keeps the part before the @ as it is (RFC 5322 dot-atom, no
# length limit unless strict), checks the domain alone, and bounds the whole address at 254
# octets; any other shape, or a domain it would rewrite (IDNA), goes to it whole.
_ATEXT = r"A-Za-z0-9_!#$%&'*+\-/=?^`{|}~"
_PLAIN_EMAIL = re.compile(
    rf"(?P<local>[{_ATEXT}]+(?:\.[{_ATEXT}]+)*)@(?P<domain>[A-Za-z0-9.-]+)", re.ASCII
)
_EMAIL_MAX_LENGTH = 254


@functools.lru_cache(maxsize=4096)
def _plain_domain(domain: str) -> str | None:
    """The domain as email-validator normalises it, when that is only lower-casing; else None."""
    try:
        validated = validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return None
    lowered = domain.lower()
    return lowered if validated.domain == validated.ascii_domain == lowered else None


def forget_email_domains() -> None:
    """Empty the cache of checked email domains (a bulk check clears what it added; domains
    alone, never an address, and at most 4,096 of them)."""
    _plain_domain.cache_clear()


def normalise_address(channel: Channel, raw: str, region: str | None) -> str:
    """The canonical form of `raw` on `channel`."""
    text = _bounded(raw, channel)
    if channel in (Channel.SMS, Channel.VOICE):
        return normalise_phone(text, region)
    if channel is Channel.EMAIL:
        return normalise_email(text)
    return " ".join(text.split())


def describe_address(
    channel: Channel, raw: str, region: str | None
) -> tuple[str, PhoneFacts | None]:
    """`normalise_address`, plus the number's facts when `channel` dials or texts a phone."""
    if channel in (Channel.SMS, Channel.VOICE):
        facts = describe_phone(_bounded(raw, channel), region)
        return facts.e164, facts
    return normalise_address(channel, raw, region), None


def _bounded(raw: str, channel: Channel) -> str:
    text = raw.strip()
    if not text:
        message = "an address is required"
        raise AddressInvalid(message)
    limit = MAX_LENGTHS[channel]
    if len(text) > limit:
        message = f"longer than {limit} characters"
        raise AddressInvalid(message)
    return text
