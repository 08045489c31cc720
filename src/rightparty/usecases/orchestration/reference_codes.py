# SPDX-License-Identifier: Apache-2.0
"""Reference codes: short, unguessable, easy to read aloud, printed in every outbound message."""

from __future__ import annotations

from collections.abc import Callable

from rightparty.privacy.random_pool import random64

# Crockford's base32 without I, L, O, U: no look-alikes when a customer reads a code to an agent.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10  # 50 bits: a guess matches a live code with odds far below one in a billion

RandomBelow = Callable[[int], int]


_CODES = len(ALPHABET) ** LENGTH  # 2**50: every code is 50 bits, 5 per letter
_PAIRS = tuple(ALPHABET[number & 31] + ALPHABET[number >> 5] for number in range(1024))
"""Two letters for each 10 bits, the lower 5 bits' letter first."""


def new_reference_code(random_below: RandomBelow | None = None) -> str:
    """One uniform draw among all codes, written in `ALPHABET`, lowest digit first (one draw, not
    one per letter: a code is made for every attempt). `random_below(n)` draws from [0, n); by
    default 50 bits come straight from the operating system's CSPRNG (`random64`, read in
    blocks): `_CODES` is a power of two, so they are already uniform below it."""
    number = random_below(_CODES) if random_below is not None else random64() >> 14
    pairs = _PAIRS
    return (
        pairs[number & 1023]
        + pairs[(number >> 10) & 1023]
        + pairs[(number >> 20) & 1023]
        + pairs[(number >> 30) & 1023]
        + pairs[(number >> 40) & 1023]
    )


def normalise_reference_code(text: str) -> str:
    """What a customer typed, in canonical form: case, spaces, dashes and look-alikes folded."""
    folded = text.strip().upper().replace("-", "").replace(" ", "")
    return folded.translate(str.maketrans("OIL", "011"))
