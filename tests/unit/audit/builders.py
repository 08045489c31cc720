# SPDX-License-Identifier: Apache-2.0
"""Builders for audit tests: events, keys, logs, and an independent RFC 9162 oracle.

The oracle follows the recursive definitions of RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 literally,
so the production code (iterative, bottom-up) is checked against a second reading of the RFC.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rightparty.audit.events import AuditEvent, payload_digest
from rightparty.audit.log import AuditLog
from rightparty.audit.memory import InMemoryAuditStore

ORIGIN = "bank.example/rightparty-audit"
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def signing_key(seed: int = 1) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)


def event(number: int, *, subject: str = "customer:c-0001") -> AuditEvent:
    return AuditEvent(
        event_type="attempt.recorded",
        actor="system:dispatcher",
        subject_id=subject,
        payload_digest=payload_digest({"attempt": number, "outcome": "delivered"}),
        occurred_at=START + timedelta(seconds=number),
    )


def build_log(
    size: int, *, checkpoint_every: int = 0, key: Ed25519PrivateKey | None = None
) -> tuple[AuditLog, InMemoryAuditStore]:
    """A log of `size` distinct events, signed every `checkpoint_every` entries (0: never)."""
    store = InMemoryAuditStore()
    log = AuditLog(store, origin=ORIGIN)
    signer = key or signing_key()
    for number in range(size):
        log.append(event(number))
        if checkpoint_every and (number + 1) % checkpoint_every == 0:
            log.checkpoint(signer, issued_at=START + timedelta(seconds=number, milliseconds=500))
    return log, store


def leaves(count: int, salt: bytes = b"") -> list[bytes]:
    """Distinct leaf hashes, so no two positions of a tree can stand in for each other."""
    return [
        hashlib.sha256(b"\x00" + salt + number.to_bytes(8, "big")).digest()
        for number in range(count)
    ]


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(width: int) -> int:
    k = 1
    while k * 2 < width:
        k *= 2
    return k


def oracle_root(hashes: list[bytes]) -> bytes:
    """MTH(D[n]) by the recursive definition of §2.1.1."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return _node(oracle_root(hashes[:k]), oracle_root(hashes[k:]))


def oracle_path(index: int, hashes: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of §2.1.3.1."""
    if len(hashes) == 1:
        return []
    k = _split(len(hashes))
    if index < k:
        return [*oracle_path(index, hashes[:k]), oracle_root(hashes[k:])]
    return [*oracle_path(index - k, hashes[k:]), oracle_root(hashes[:k])]


def oracle_proof(old_size: int, hashes: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of §2.1.4.1."""
    return _subproof(old_size, hashes, complete=True)


def _subproof(old_size: int, hashes: list[bytes], *, complete: bool) -> list[bytes]:
    if old_size == len(hashes):
        return [] if complete else [oracle_root(hashes)]
    k = _split(len(hashes))
    if old_size <= k:
        return [*_subproof(old_size, hashes[:k], complete=complete), oracle_root(hashes[k:])]
    return [*_subproof(old_size - k, hashes[k:], complete=False), oracle_root(hashes[:k])]


def flip_bit(data: bytes, bit: int) -> bytes:
    """`data` with bit number `bit` (0 = most significant bit of the first byte) inverted."""
    position, offset = divmod(bit, 8)
    changed = bytearray(data)
    changed[position] ^= 0x80 >> offset
    return bytes(changed)
