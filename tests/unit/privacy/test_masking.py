# SPDX-License-Identifier: Apache-2.0
import itertools

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.privacy.masking import (
    HIDDEN,
    calling_code,
    mask_address,
    mask_email,
    mask_name,
    mask_phone,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+8613812345544", "+86 138****5544"),
        ("+12125550100", "+1 212***0100"),
        ("+447911123456", "+44 791***3456"),
        ("+33612345678", "+33 61***5678"),
        ("+85291234567", "+852 91***567"),
        ("+493012345", "+49 3***345"),
        ("+68312345", "+683 ***45"),
        (" +8613812345544 ", "+86 138****5544"),
    ],
)
def test_phones_show_country_code_and_at_most_three_leading_and_four_trailing_digits(e164, masked):
    assert mask_phone(e164) == masked


def test_a_given_country_code_is_used_as_is():
    assert mask_phone("+8613812345544", country_code=86) == "+86 138****5544"
    assert mask_phone("+8613812345544", country_code="+86") == "+86 138****5544"
    assert mask_phone("+8613812345544", country_code=44) == HIDDEN


@pytest.mark.parametrize("value", ["13812345678", "+0123456789", "+1", "tel:+12125550100", ""])
def test_a_phone_that_is_not_e164_is_hidden_entirely(value):
    assert mask_phone(value) == HIDDEN


def test_the_calling_code_rule_agrees_with_phonenumbers_for_every_country_code():
    codes = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
    assert len(codes) > 200
    for code in codes:
        assert calling_code(f"{code}5555555555") == str(code)


@given(national=st.text("0123456789", min_size=4, max_size=12), code=st.sampled_from([1, 44, 86]))
def test_a_masked_phone_always_hides_at_least_three_digits_or_half(national, code):
    masked = mask_phone(f"+{code}{national}")
    hidden = masked.count("*")
    assert hidden >= min(3, (len(national) + 1) // 2)
    assert masked.startswith(f"+{code} ")
    assert len(masked) == len(f"+{code} {national}")


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("zhang.san@example.com", "z***@example.com"),
        ("z@example.com", "z***@example.com"),
        ("a@b@example.com", "a***@example.com"),
        ("nobody", HIDDEN),
        ("@example.com", HIDDEN),
        ("someone@", HIDDEN),
    ],
)
def test_emails_keep_the_first_character_and_the_domain(address, masked):
    assert mask_email(address) == masked


@given(local=st.text("abcdefghijklmnopqrstuvwxyz0123456789._", min_size=2, max_size=30))
def test_a_masked_email_never_tells_the_length_of_its_local_part(local):
    assert mask_email(f"{local}@example.com") == f"{local[0]}***@example.com"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小明", "王*明"),
        ("王明", "王*"),
        ("欧阳小明", "欧**明"),
        ("王", "*"),
        ("王 小明", "王*明"),
        ("阿卜杜·买买提", "阿*杜·买*提"),
        ("김민준", "김*준"),
        ("John Smith", "J*** S****"),
        ("Jean-Luc O'Neil", "J***-L** O'N***"),
        ("  Zoë   Ångström ", "Z** Å*******"),
        ("", ""),
    ],
)
def test_names_keep_only_their_first_letters(name, masked):
    assert mask_name(name) == masked


@given(st.lists(st.text("abcdefghijklmnopqrstuvwxyzABCXYZéø", min_size=1, max_size=12), min_size=1))
def test_a_masked_latin_name_shows_one_letter_per_word(words):
    masked = mask_name(" ".join(words))
    assert [word[0] for word in masked.split()] == [word[0] for word in words]
    assert sum(character != "*" for character in masked.replace(" ", "")) == len(words)


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("上海市浦东新区世纪大道100号", "上海市浦东新区****"),
        ("广东省深圳市南山区科技园1号", "广东省深圳市南山区****"),
        ("东京都千代田区千代田1-1", "东京都千代田区****"),
        ("北京市东城路1号", "北京市****"),
        ("世纪大道100号", HIDDEN),
        (
            "221B Baker Street, London NW1 6XE, United Kingdom",
            "****, London NW* *XE, United Kingdom",
        ),
        ("1600 Amphitheatre Pkwy\nMountain View, CA 94043\nUSA", "****, ****, CA *****, USA"),
        ("1 Main St, Springfield", "****, Springfield"),
        ("1 Main St", HIDDEN),
        ("", ""),
    ],
)
def test_addresses_keep_the_area_and_hide_the_street(address, masked):
    assert mask_address(address) == masked


@given(st.text())
def test_masking_never_raises_on_any_text(text):
    for mask in (mask_phone, mask_email, mask_name, mask_address):
        assert isinstance(mask(text), str)


@given(st.text())
def test_a_masked_name_never_shows_two_characters_in_a_row(text):
    masked = mask_name(text)
    assert not any(a.isalnum() and b.isalnum() for a, b in itertools.pairwise(masked))
