# SPDX-License-Identifier: Apache-2.0
"""The field ciphertext format (version 1) and the associated data that binds it to its place.

Layout, 38 bytes of overhead::

    offset  size  field
    0       1     format version, 0x01
    1       1     algorithm, 0x01 = AES-256-GCM, 96-bit random nonce, 128-bit tag
    2       4     key id: the first 4 bytes of HMAC-SHA256(data key, "rightparty/key-id/v1")
    6       4     data-key version, unsigned big-endian
    10      12    nonce
    22      n+16  AES-GCM ciphertext of the UTF-8 plaintext, then the tag

The associated data is `frame("rightparty/field/v1", customer_id, table, field, schema_version,
header)` (see `framing.frame`): a value copied to another customer, table, field or schema version,
or with any header byte changed, fails authentication. The KEK is not named here: rewrapping a data
key under a new KEK version leaves every field ciphertext byte-for-byte unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from rightparty.privacy.errors import MalformedCiphertext
from rightparty.privacy.framing import frame

FORMAT_VERSION = 1
ALGORITHM_AES_256_GCM = 1
KEY_ID_BYTES = 4
HEADER_BYTES = 10
NONCE_BYTES = 12
TAG_BYTES = 16
OVERHEAD_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES
MAX_VERSION = 2**32 - 1

_FIELD_LABEL = b"rightparty/field/v1"
_DATA_KEY_LABEL = b"rightparty/data-key/v1"
_KEY_ID_LABEL = b"rightparty/key-id/v1"
PREFIX = bytes((FORMAT_VERSION, ALGORITHM_AES_256_GCM))
"""The first two bytes of every version-1 ciphertext."""


@dataclass(frozen=True, slots=True)
class CiphertextHeader:
    key_id: bytes
    version: int
    format_version: int = FORMAT_VERSION
    algorithm: int = ALGORITHM_AES_256_GCM


def encode_header(key_id: bytes, version: int) -> bytes:
    if len(key_id) != KEY_ID_BYTES or not 1 <= version <= MAX_VERSION:
        raise ValueError("a key id is 4 bytes and a version 1..2**32-1")
    return PREFIX + key_id + version.to_bytes(4, "big")


def parse_header(ciphertext: bytes) -> CiphertextHeader:
    """The header of a field ciphertext, or `MalformedCiphertext`; nothing is authenticated yet."""
    if len(ciphertext) < OVERHEAD_BYTES:
        raise MalformedCiphertext(reason=f"shorter than the {OVERHEAD_BYTES}-byte minimum")
    if ciphertext[0] != FORMAT_VERSION:
        raise MalformedCiphertext(reason=f"unknown format version {ciphertext[0]}")
    if ciphertext[1] != ALGORITHM_AES_256_GCM:
        raise MalformedCiphertext(reason=f"unknown algorithm {ciphertext[1]}")
    return CiphertextHeader(
        key_id=bytes(ciphertext[2:6]), version=int.from_bytes(ciphertext[6:10], "big")
    )


def key_version(ciphertext: bytes) -> int:
    """The data-key version a field ciphertext claims (to find rows a rotation must re-encrypt)."""
    return parse_header(ciphertext).version


def malformed(customer_id: str, table: str, field: str, ciphertext: bytes) -> MalformedCiphertext:
    """The error for a ciphertext whose header the fast path refused, with the reason."""
    try:
        parse_header(ciphertext)
    except MalformedCiphertext as error:
        reason = error.reason
    else:  # pragma: no cover - parse_header accepts only what the fast check accepts
        reason = "unrecognised header"
    return MalformedCiphertext(reason=reason, customer_id=customer_id, table=table, field=field)


def associated_data(
    customer_id: str, table: str, field: str, schema_version: int, header: bytes
) -> bytes:
    return frame(_FIELD_LABEL, customer_id, table, field, schema_version, header)


def data_key_context(customer_id: str, version: int) -> bytes:
    """What a wrapped data key is bound to: its customer and its version."""
    return frame(_DATA_KEY_LABEL, customer_id, version)


def derive_key_id(data_key: bytes) -> bytes:
    return hmac.digest(data_key, _KEY_ID_LABEL, hashlib.sha256)[:KEY_ID_BYTES]
