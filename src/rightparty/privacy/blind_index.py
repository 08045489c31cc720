# SPDX-License-Identifier: Apache-2.0
"""Blind indexes: find rows by phone or email without decrypting the column.

`BlindIndex.index(value)` is HMAC-SHA256 under the index's own key (`KeyProvider.blind_index_key`,
one per index name), truncated to `bits` bits and returned as an `int` in `[0, 2**bits)`, which
fits a SQL BIGINT column with an ordinary B-tree index (bits are at most 63).

The value must arrive normalised (E.164 phone, normalised email): normalisation belongs to the
import layer, which has phonenumbers and email-validator. The index is computed over the exact
UTF-8 bytes given.

Truncation is the point: with R indexed rows, an L-bit index makes C = R / 2**L rows share each
index value, so a match is a *coincidence*, not proof, and an attacker holding the table cannot
tell duplicates from collisions. CipherSweet's rule is 2 <= C < sqrt(R) (`recommended_bits`). A
lookup therefore returns candidates; `confirm_candidates` decrypts them and keeps the real matches.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from rightparty.privacy.errors import KeyShredded

MAX_BITS = 63
DEFAULT_BITS = 15
"""Obeys 2 <= C < sqrt(R) for 65,536 <= R < 2**30 indexed values (a small bank's contact points to
a very large bank's); a deployment that knows its population sizes with `recommended_bits`."""

_Row = TypeVar("_Row")


class BlindIndex:
    """A keyed, truncated HMAC-SHA256 of normalised values for one indexed field."""

    __slots__ = ("_bits", "_prepared", "_shift")

    def __init__(self, key: bytes, bits: int = DEFAULT_BITS) -> None:
        if len(key) < 32:
            raise ValueError("a blind-index key has at least 32 bytes")
        if not 1 <= bits <= MAX_BITS:
            raise ValueError(f"bits must be 1..{MAX_BITS}")
        self._bits = bits
        self._shift = 64 - bits
        self._prepared = hmac.new(key, digestmod=hashlib.sha256)

    @property
    def bits(self) -> int:
        return self._bits

    def index(self, value: str) -> int:
        mac = self._prepared.copy()
        mac.update(value.encode())
        return int.from_bytes(mac.digest()[:8], "big") >> self._shift

    def __repr__(self) -> str:
        return f"BlindIndex(bits={self._bits})"


@dataclass(frozen=True, slots=True)
class BitsRange:
    """Index lengths that satisfy the rule; `maximum` gives the fewest false positives."""

    minimum: int
    maximum: int

    def __contains__(self, bits: object) -> bool:
        return isinstance(bits, int) and self.minimum <= bits <= self.maximum


def expected_coincidences(
    population: int,
    bits: int,
    *,
    input_bits: float = math.inf,
    other_index_bits: Sequence[int] = (),
) -> float:
    """CipherSweet's C = R / 2**(sum of min(L_i, K_i)) over this index and the field's others."""
    exponent = min(bits, input_bits) + sum(other_index_bits)
    return max(1, population) / math.pow(2.0, exponent)


def recommended_bits(
    population: int, *, input_bits: float = math.inf, other_index_bits: Sequence[int] = ()
) -> BitsRange:
    """The lengths L with 2 <= C < sqrt(R) (CipherSweet, docs/SECURITY.md, blind-index planning).

    `population` is R, the number of indexed values; `input_bits` is K, the entropy of the input
    domain (about 33 for phone numbers; leave infinite for emails); `other_index_bits` are the
    effective lengths of other blind indexes on the same field, which add to what an attacker
    learns. Raises ValueError when no length qualifies (R is too small to hide anything).

    CipherSweet's own planner allows one more bit at the top (it keeps C in (1, 2] there); this
    function keeps the documented inequality strictly.
    """
    if population < 1:
        raise ValueError("an empty population has no useful index length")
    root = math.sqrt(population)
    valid = [
        bits
        for bits in range(1, MAX_BITS + 1)
        if 2
        <= expected_coincidences(
            population, bits, input_bits=input_bits, other_index_bits=other_index_bits
        )
        < root
    ]
    if not valid:
        message = f"no index length gives 2 <= C < sqrt(R) for a population of {population}"
        raise ValueError(message)
    return BitsRange(valid[0], valid[-1])


@dataclass(frozen=True, slots=True)
class Candidate(Generic[_Row]):
    """A row whose blind index matched: its customer, the ciphertext to confirm, and the row."""

    customer_id: str
    ciphertext: bytes
    row: _Row


class FieldDecryptor(Protocol):
    def decrypt(
        self,
        customer_id: str,
        table: str,
        field: str,
        ciphertext: bytes,
        *,
        schema_version: int = 1,
    ) -> str: ...


def confirm_candidates(
    cipher: FieldDecryptor,
    value: str,
    candidates: Iterable[Candidate[_Row]],
    *,
    table: str,
    field: str,
    schema_version: int = 1,
) -> list[_Row]:
    """The rows among `candidates` whose decrypted value equals `value` (normalised the same way).

    Candidates of shredded customers are skipped: their values no longer exist. Any other failure
    (a value that does not authenticate) is raised, because it means tampering.
    """
    expected = value.encode()
    matches = []
    for candidate in candidates:
        try:
            plaintext = cipher.decrypt(
                candidate.customer_id,
                table,
                field,
                candidate.ciphertext,
                schema_version=schema_version,
            )
        except KeyShredded:
            continue
        if hmac.compare_digest(plaintext.encode(), expected):
            matches.append(candidate.row)
    return matches
