# SPDX-License-Identifier: Apache-2.0
"""Finding the reference code in a message, however it is spaced, without a regex per code."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rightparty.usecases.templates.content_check import without_reference

pytestmark = pytest.mark.unit

CODE = "7K2Q9XAB3D"


def _by_regex(folded: str, code: str) -> tuple[str, bool]:
    """The definition: the code's characters with separators between, case-insensitive."""
    pattern = re.compile(r"[\s\-.,]*".join(re.escape(char) for char in code), re.IGNORECASE)
    return pattern.sub(" ", folded), pattern.search(folded) is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ref 7k2q9xab3d: check it", ("ref  : check it", True)),
        ("ref 7 k 2 q 9 x a b 3 d.", ("ref  .", True)),
        ("ref 7-k-2-q-9-x-a-b-3-d and 7k2q9xab3d", ("ref   and  ", True)),
        ("ref 7k2q9xab3 only", ("ref 7k2q9xab3 only", False)),
        ("ref 7k2q/9xab3d", ("ref 7k2q/9xab3d", False)),
    ],
)
def test_the_code_is_found_as_written_or_read_aloud(text, expected):
    assert without_reference(text, CODE) == expected


_PIECES = st.sampled_from(
    ["7", "k", "2", "q", "9", "x", "a", "b", "3", "d", " ", "-", ".", ",", "/", "é", "z"]
)


@settings(max_examples=500)
@given(
    st.lists(_PIECES, max_size=40).map("".join),
    st.sampled_from([CODE, "7K", "K2Q", "AAA", "7K2Q9XAB3D"]),
)
def test_the_scan_agrees_with_the_regular_expression_it_replaces(text, code):
    folded = " ".join(text.split()).casefold()
    assert without_reference(folded, code) == _by_regex(folded, code)
