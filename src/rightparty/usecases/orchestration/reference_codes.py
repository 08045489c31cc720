# SPDX-License-Identifier: Apache-2.0
"""Reference codes: short, unguessable, easy to read aloud, printed in every outbound message."""

from __future__ import annotations

import secrets
from collections.abc import Callable

# Crockford's base32 without I, L, O, U: no look-alikes when a customer reads a code to an agent.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10  # 50 bits: a guess matches a live code with odds far below one in a billion

RandomBelow = Callable[[int], int]


_CODES = len(ALPHABET) ** LENGTH


def new_reference_code(random_below: RandomBelow = secrets.randbelow) -> str:
    """One uniform draw among all codes, written in `ALPHABET` (one draw, not one per letter:
    a code is made for every attempt)."""
    number = random_below(_CODES)
    letters = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "".join(letters)


def normalise_reference_code(text: str) -> str:
    """What a customer typed, in canonical form: case, spaces, dashes and look-alikes folded."""
    folded = text.strip().upper().replace("-", "").replace(" ", "")
    return folded.translate(str.maketrans("OIL", "011"))
