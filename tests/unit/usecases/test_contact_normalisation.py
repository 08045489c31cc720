# SPDX-License-Identifier: Apache-2.0
"""One parse of a phone number tells what three separate look-ups would."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType
from phonenumbers import timezone as phone_timezone

from rightparty.domain.vocabulary import Channel, ContactPointKind
from rightparty.usecases.contact_normalisation import (
    AddressInvalid,
    describe_address,
    describe_phone,
    normalise_phone,
)

NUMBERS = [
    ("+86 138 0013 8000", None),
    ("13800138000", "CN"),
    ("(212) 555-0100", "US"),
    ("+1 602 555 0100", None),
    ("030 1234567", "DE"),
    ("+44 20 7946 0018", None),
    ("+49 151 23456789", None),
]


@pytest.mark.parametrize(("raw", "region"), NUMBERS)
def test_one_parse_agrees_with_the_separate_look_ups(raw: str, region: str | None) -> None:
    facts = describe_phone(raw, region)
    assert facts.e164 == normalise_phone(raw, region)
    number = phonenumbers.parse(facts.e164, None)
    mobile = phonenumbers.number_type(number) in (
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    assert facts.kind is (ContactPointKind.MOBILE if mobile else ContactPointKind.LANDLINE)
    zones = phone_timezone.time_zones_for_number(number)
    assert facts.time_zones == tuple(zone for zone in zones if zone != "Etc/Unknown")


def test_a_chinese_mobile_is_a_mobile_in_shanghai() -> None:
    facts = describe_phone("13800138000", "CN")
    assert facts == type(facts)("+8613800138000", ContactPointKind.MOBILE, ("Asia/Shanghai",))


@pytest.mark.parametrize("raw", ["", "   ", "12", "not a number", "+1 555", "9" * 400])
def test_bad_numbers_are_refused_without_repeating_them(raw: str) -> None:
    with pytest.raises(AddressInvalid) as caught:
        describe_address(Channel.SMS, raw, "US")
    assert raw.strip() == "" or raw not in str(caught.value)


def test_only_phone_channels_carry_phone_facts() -> None:
    assert describe_address(Channel.EMAIL, " Zoe@Example.COM ", None) == ("zoe@example.com", None)
    address, facts = describe_address(Channel.VOICE, "+1 212 555 0100", None)
    assert address == "+12125550100"
    assert facts is not None
    assert facts.kind in (ContactPointKind.MOBILE, ContactPointKind.LANDLINE)


def test_each_channel_has_its_own_address_length_limit():
    subscription = '{"endpoint":"https://fcm.googleapis.com/fcm/send/' + "a" * 300 + '"}'
    assert describe_address(Channel.PUSH, subscription, None)[0] == subscription
    with pytest.raises(AddressInvalid, match="longer than 320"):
        describe_address(Channel.EMAIL, "z" * 310 + "@example.com", None)
    with pytest.raises(AddressInvalid, match="longer than 4096"):
        describe_address(Channel.PUSH, "x" * 4097, None)
