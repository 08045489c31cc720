# SPDX-License-Identifier: Apache-2.0
"""The seam through which repositories encrypt, decrypt and blind-index personal data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from rightparty.privacy.blind_index import DEFAULT_BITS, BlindIndex
from rightparty.privacy.envelope import FieldCipher
from rightparty.privacy.keys import KeyProvider


class FieldProtection(Protocol):
    """Bound to one customer's data key per call; `field` and `table` go into associated data."""

    def encrypt(self, customer_id: str, table: str, field: str, plaintext: str) -> bytes: ...

    def decrypt(self, customer_id: str, table: str, field: str, ciphertext: bytes) -> str: ...

    def prepare(self, customer_ids: Iterable[str], *, for_encryption: bool) -> None:
        """Load (and, for encryption, create and reserve) these customers' keys in one go, so
        the calls that follow for them do no key I/O of their own."""
        ...

    def index(self, kind: str, normalised_value: str) -> int:
        """The blind index of a value of `kind` (`phone`, `email`, `reference_code`, …)."""
        ...


# Reference codes are random and high-entropy, so a longer index only narrows candidates; the
# phone and email indexes keep the CipherSweet-sized default (docs/privacy.md).
INDEX_BITS = {"reference_code": 32}


class EnvelopeProtection:
    """`FieldProtection` over the privacy envelope and one blind index per kind of value."""

    def __init__(self, cipher: FieldCipher, keys: KeyProvider) -> None:
        self._cipher = cipher
        self._keys = keys
        self._indexes: dict[str, BlindIndex] = {}

    @property
    def cipher(self) -> FieldCipher:
        return self._cipher

    def encrypt(self, customer_id: str, table: str, field: str, plaintext: str) -> bytes:
        return self._cipher.encrypt(customer_id, table, field, plaintext)

    def decrypt(self, customer_id: str, table: str, field: str, ciphertext: bytes) -> str:
        return self._cipher.decrypt(customer_id, table, field, ciphertext)

    def prepare(self, customer_ids: Iterable[str], *, for_encryption: bool) -> None:
        self._cipher.prepare(customer_ids, for_encryption=for_encryption)

    def index(self, kind: str, normalised_value: str) -> int:
        blind = self._indexes.get(kind)
        if blind is None:
            key = self._keys.blind_index_key(kind)
            blind = BlindIndex(key, INDEX_BITS.get(kind, DEFAULT_BITS))
            self._indexes[kind] = blind
        return blind.index(normalised_value)
