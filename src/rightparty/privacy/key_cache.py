# SPDX-License-Identifier: Apache-2.0
"""What `FieldCipher` caches per customer: wrapped keys as read, unwrapped ones as first used.

Each unwrapped version keeps its AES-GCM object, its ciphertext header and its associated data by
(table, field, schema version), so the hot path of a field encryption is a few dictionary look-ups.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rightparty.privacy.ciphertext import associated_data, derive_key_id, encode_header
from rightparty.privacy.data_keys import DataKeySet


class UnwrappedKey:
    """One unwrapped data-key version: its AEAD, header and associated data by place."""

    __slots__ = ("aead", "associated", "header", "key_id")

    def __init__(self, data_key: bytes, version: int) -> None:
        self.key_id = derive_key_id(data_key)
        self.header = encode_header(self.key_id, version)
        self.aead = AESGCM(data_key)
        self.associated: dict[tuple[str, str, int], bytes] = {}

    def associate(self, customer_id: str, table: str, field: str, schema_version: int) -> bytes:
        if not (customer_id and table and field) or not 0 <= schema_version < 2**32:
            message = "customer id, table and field must be non-empty; schema_version 0..2**32-1"
            raise ValueError(message)
        associated = associated_data(customer_id, table, field, schema_version, self.header)
        self.associated[table, field, schema_version] = associated
        return associated


class CachedKeys:
    """A customer's keys as this process holds them: wrapped from the store, unwrapped on use.

    `budget` is how many more encryptions this process may make under the current version before
    it reserves another block in the store; `expires_at` is on the cipher's monotonic clock.
    """

    __slots__ = (
        "budget",
        "by_header",
        "current",
        "current_version",
        "expires_at",
        "unwrapped",
        "wrapped",
    )

    def __init__(self, key_set: DataKeySet, expires_at: float) -> None:
        self.expires_at = expires_at
        self.wrapped = {key.version: key for key in key_set.keys}
        self.unwrapped: dict[int, UnwrappedKey] = {}
        # a valid header finds its key in one look-up; any other goes the slow, checking way
        self.by_header: dict[bytes, UnwrappedKey] = {}
        self.current: UnwrappedKey | None = None
        self.current_version = 0
        self.budget = 0

    def keep(self, version: int, entry: UnwrappedKey) -> None:
        self.unwrapped[version] = entry
        self.by_header[entry.header] = entry
