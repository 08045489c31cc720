# SPDX-License-Identifier: Apache-2.0
"""A reference code's letters are its number in `ALPHABET`, lowest digit first, however it is
drawn; the default draw is the top 50 bits of a 64-bit draw from the operating system's
CSPRNG."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.usecases.orchestration import reference_codes
from rightparty.usecases.orchestration.reference_codes import ALPHABET, LENGTH, new_reference_code

pytestmark = pytest.mark.unit


def _digit_by_digit(number: int) -> str:
    letters = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "".join(letters)


@given(st.integers(0, len(ALPHABET) ** LENGTH - 1))
def test_a_drawn_number_is_written_digit_by_digit(number):
    assert new_reference_code(lambda _: number) == _digit_by_digit(number)


def test_the_default_draw_takes_the_top_50_of_64_random_bits(monkeypatch):
    monkeypatch.setattr(reference_codes, "random64", lambda: 2**64 - 1)
    assert new_reference_code() == ALPHABET[-1] * LENGTH
    monkeypatch.setattr(reference_codes, "random64", lambda: (1 << 14) | (2**14 - 1))
    assert new_reference_code() == "1" + ALPHABET[0] * (LENGTH - 1)


def test_default_codes_use_every_letter_in_every_position():
    codes = [new_reference_code() for _ in range(3000)]
    for position in range(LENGTH):
        assert {code[position] for code in codes} == set(ALPHABET)
