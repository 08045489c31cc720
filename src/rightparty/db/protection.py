# SPDX-License-Identifier: Apache-2.0
"""The seam through which repositories encrypt, decrypt and blind-index personal data."""

from __future__ import annotations

from typing import Protocol


class FieldProtection(Protocol):
    """Bound to one customer's data key per call; `field` and `table` go into associated data."""

    def encrypt(self, customer_id: str, table: str, field: str, plaintext: str) -> bytes: ...

    def decrypt(self, customer_id: str, table: str, field: str, ciphertext: bytes) -> str: ...

    def index(self, kind: str, normalised_value: str) -> str:
        """The blind index of a value of `kind` (`phone`, `email`, `reference_code`, …)."""
        ...
