# SPDX-License-Identifier: Apache-2.0
"""Turning what a person typed into the one canonical form that storage, indexes and providers use.

Errors name the problem, never the value: the value is personal data.
"""

from __future__ import annotations

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
    """`normalise_phone` plus the number's kind and IANA zones, from one parse: parsing is most
    of the cost of importing a customer."""
    number = _valid_number(raw, region)
    return PhoneFacts(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        kind=_kind(number),
        time_zones=_zones(number),
    )


def _valid_number(raw: str, region: str | None) -> phonenumbers.PhoneNumber:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        message = "not a phone number"
        raise AddressInvalid(message) from error
    if not phonenumbers.is_valid_number(number):
        message = "not a valid phone number"
        raise AddressInvalid(message)
    return number


def _zones(number: phonenumbers.PhoneNumber) -> tuple[str, ...]:
    zones = phone_timezone.time_zones_for_number(number)
    return tuple(zone for zone in zones if zone != _UNKNOWN_ZONE)


def _kind(number: phonenumbers.PhoneNumber) -> ContactPointKind:
    number_type = phonenumbers.number_type(number)
    return ContactPointKind.MOBILE if number_type in _MOBILE_TYPES else ContactPointKind.LANDLINE


def calling_code(e164: str) -> int:
    """The country calling code, for masking (`+86 138****5678`)."""
    code = phonenumbers.parse(e164, None).country_code
    return int(code) if code is not None else 0


def normalise_email(raw: str) -> str:
    """email-validator's normal form, lower-cased; no network look-up."""
    try:
        validated = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as error:
        message = "not a valid email address"
        raise AddressInvalid(message) from error
    return validated.normalized.lower()


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
