# SPDX-License-Identifier: Apache-2.0
"""Values `FieldCipher` takes and returns (re-exported by `envelope`, where they belong)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class EncryptedField(NamedTuple):
    """One stored value for `FieldCipher.reencrypt`."""

    table: str
    field: str
    ciphertext: bytes
    schema_version: int = 1


@dataclass(frozen=True, slots=True)
class ShredReceipt:
    """What `shred` destroyed, for the audit log. Copies of the customer's wrapped keys in backups
    taken before the shred stay unwrappable until every KEK version up to `kek_version_at_shred`
    is retired (docs/privacy.md, "Shredding")."""

    customer_id: str
    data_key_versions: tuple[int, ...]
    kek_id: str
    kek_version_at_shred: int
