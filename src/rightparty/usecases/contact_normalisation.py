# SPDX-License-Identifier: Apache-2.0
"""Turning what a person typed into the one canonical form that storage, indexes and providers use.

Errors name the problem, never the value: the value is personal data.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberType
from phonenumbers import timezone as phone_timezone

from rightparty.domain.vocabulary import Channel, ContactPointKind

_UNKNOWN_ZONE = "Etc/Unknown"
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
MAX_ADDRESS_LENGTH = 320


class AddressInvalid(ValueError):
    """An address that cannot be normalised for its channel; the message never repeats it."""


def normalise_phone(raw: str, region: str | None) -> str:
    """E.164 for a valid number; `region` (ISO 3166 alpha-2) reads numbers without a `+` prefix."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        message = "not a phone number"
        raise AddressInvalid(message) from error
    if not phonenumbers.is_valid_number(number):
        message = "not a valid phone number"
        raise AddressInvalid(message)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=65536)
def phone_time_zones(e164: str) -> tuple[str, ...]:
    """IANA zones phonenumbers knows for the number; empty when it only knows "unknown"."""
    zones = phone_timezone.time_zones_for_number(phonenumbers.parse(e164, None))
    return tuple(zone for zone in zones if zone != _UNKNOWN_ZONE)


def phone_kind(e164: str) -> ContactPointKind:
    number_type = phonenumbers.number_type(phonenumbers.parse(e164, None))
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
    text = raw.strip()
    if not text:
        message = "an address is required"
        raise AddressInvalid(message)
    if len(text) > MAX_ADDRESS_LENGTH:
        message = f"longer than {MAX_ADDRESS_LENGTH} characters"
        raise AddressInvalid(message)
    if channel in (Channel.SMS, Channel.VOICE):
        return normalise_phone(text, region)
    if channel is Channel.EMAIL:
        return normalise_email(text)
    return " ".join(text.split())
