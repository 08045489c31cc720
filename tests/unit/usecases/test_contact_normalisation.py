# SPDX-License-Identifier: Apache-2.0
"""One parse of a phone number tells what three separate look-ups would; the shortcut for plain
email addresses answers exactly as email-validator does."""

from __future__ import annotations

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberType
from phonenumbers import timezone as phone_timezone

from rightparty.domain.vocabulary import Channel, ContactPointKind
from rightparty.usecases.contact_normalisation import (
    AddressInvalid,
    describe_address,
    describe_phone,
    normalise_email,
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


# Regions whose numbers differ in what they tell: one region per calling code (CN, DE, FR), a
# shared calling code (US, CA, GB, IM), geographical mobiles (MX, BR, IN, AR), none (None).
REGIONS = [None, "CN", "DE", "FR", "US", "CA", "GB", "IM", "MX", "BR", "IN", "AR", "JP", "RU"]
digits = st.text(alphabet="0123456789", min_size=4, max_size=15)


def _separate_look_ups(
    raw: str, region: str | None
) -> tuple[str, ContactPointKind, tuple[str, ...]]:
    number = phonenumbers.parse(raw, region)
    if not phonenumbers.is_valid_number(number):
        raise AddressInvalid
    mobile = phonenumbers.number_type(number) in (
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    zones = phone_timezone.time_zones_for_number(number)
    return (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        ContactPointKind.MOBILE if mobile else ContactPointKind.LANDLINE,
        tuple(zone for zone in zones if zone != "Etc/Unknown"),
    )


@settings(max_examples=400)
@given(digits, st.booleans(), st.sampled_from(REGIONS))
def test_one_type_look_up_tells_validity_kind_and_zones_as_three_would(
    number: str, international: bool, region: str | None
) -> None:
    raw = f"+{number}" if international else number
    try:
        expected = _separate_look_ups(raw, region)
    except (phonenumbers.NumberParseException, AddressInvalid):
        with pytest.raises(AddressInvalid):
            describe_phone(raw, region)
        return
    facts = describe_phone(raw, region)
    assert (facts.e164, facts.kind, facts.time_zones) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "+8613800138000",  # a Chinese mobile: zones from its prefix
        "+4915123456789",  # a German mobile: its country's zone
        "+79161234567",  # a Russian mobile: its country's many zones
        "+12015550123",  # NANPA, fixed line or mobile
        "+14165550123",  # the same calling code, another country
        "+447400123456",  # a British mobile
        "+447624123456",  # an Isle of Man mobile: calling code 44 too
    ],
)
def test_numbers_sharing_a_calling_code_keep_their_own_zones(raw: str) -> None:
    facts = describe_phone(raw, None)
    assert (facts.e164, facts.kind, facts.time_zones) == _separate_look_ups(raw, None)


def _email_validator_form(raw: str) -> str | None:
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _our_form(raw: str) -> str | None:
    try:
        return normalise_email(raw)
    except AddressInvalid:
        return None


EMAILS = [
    "c1@example.com",
    "Zoe.Q@Example.COM",
    "postmaster@example.com",
    "a..b@example.com",
    ".a@example.com",
    "a.@example.com",
    "a@example.com.",
    "a@-example.com",
    "a@example",
    "a@localhost",
    "a@site.test",
    "a@123.456",
    "a@xn--bcher-kva.example",
    "a@XN--BCHER-KVA.example",
    "a@bücher.example",
    "zoë@example.com",
    '"quoted"@example.com',
    "Zoe <zoe@example.com>",
    "a@[127.0.0.1]",
    "a@@example.com",
    "a b@example.com",
    "!#$%&'*+-/=?^_`{|}~@example.com",
    "x" * 64 + "@example.com",
    "x" * 65 + "@example.com",
    "x" * 242 + "@example.com",  # 254 octets: the longest address
    "x" * 243 + "@example.com",
    "a@" + ".".join(["x" * 63] * 4),
    "a@" + "x" * 64 + ".com",
]


@pytest.mark.parametrize("raw", EMAILS)
def test_the_plain_email_shortcut_answers_as_email_validator_does(raw: str) -> None:
    assert _our_form(raw) == _email_validator_form(raw)
    assert _our_form(raw) == _email_validator_form(raw)  # the second time from the cache


email_like = st.text(alphabet='aZ09._-+@"<> [](),:;\\éä中xn--', max_size=40) | st.builds(
    "{}@{}".format,
    st.text(alphabet="aZ09._-+!~", min_size=0, max_size=12),
    st.text(alphabet="aZ09.-", min_size=0, max_size=20) | st.sampled_from(["xn--bcher-kva.de"]),
)


@settings(max_examples=400)
@given(email_like)
def test_any_text_gets_email_validators_answer(raw: str) -> None:
    assert _our_form(raw) == _email_validator_form(raw)
