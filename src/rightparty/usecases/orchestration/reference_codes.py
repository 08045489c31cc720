# SPDX-License-Identifier: Apache-2.0
"""Reference codes: short, unguessable, easy to read aloud, printed in every outbound message."""

from __future__ import annotations

import secrets
from collections.abc import Callable

# Crockford's base32 without I, L, O, U: no look-alikes when a customer reads a code to an agent.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10  # 50 bits: a guess matches a live code with odds far below one in a billion

RandomBelow = Callable[[int], int]


def new_reference_code(random_below: RandomBelow = secrets.randbelow) -> str:
    return "".join(ALPHABET[random_below(len(ALPHABET))] for _ in range(LENGTH))


def normalise_reference_code(text: str) -> str:
    """What a customer typed, in canonical form: case, spaces, dashes and look-alikes folded."""
    folded = text.strip().upper().replace("-", "").replace(" ", "")
    return folded.translate(str.maketrans("OIL", "011"))
