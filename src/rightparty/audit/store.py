# SPDX-License-Identifier: Apache-2.0
"""The storage port of the audit log, and the rows it stores.

The layout fits one table of entries and two small ones:

    audit_entry(entry_index PRIMARY KEY, event_bytes, leaf_hash, chain_hash)
    audit_state(one row: the encoded `LogState`)
    audit_checkpoint(size, issued_at, note)   -- note = SignedCheckpoint.encode()

`chain_hash` links each entry to the one before it (SHA-256(0x02 || previous || leaf_hash)), so a
verifier that finds an entry modified, inserted, deleted or moved can name it, not only the span
between two signed checkpoints.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rightparty.audit.checkpoint import SignedCheckpoint
from rightparty.audit.errors import InvalidEncoding
from rightparty.audit.events import AuditEvent
from rightparty.audit.merkle import HASH_SIZE, MerkleFrontier

GENESIS_CHAIN_HASH = bytes(HASH_SIZE)
"""The chain value before the first entry."""

STATE_VERSION = 1


def chain_hash(previous: bytes, leaf_hash: bytes) -> bytes:
    """An entry's chain value; 0x02 keeps it apart from Merkle leaves (0x00) and nodes (0x01)."""
    return hashlib.sha256(b"\x02" + previous + leaf_hash).digest()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One stored row: the entry's position, its encoded event and the two hashes over it."""

    index: int
    event_bytes: bytes
    leaf_hash: bytes
    chain_hash: bytes

    def event(self) -> AuditEvent:
        """The decoded event (raises `InvalidEncoding` if the bytes are not canonical)."""
        return AuditEvent.decode(self.event_bytes)


@dataclass(frozen=True, slots=True)
class LogState:
    """What an append needs without reading the log: the frontier and the last chain value."""

    frontier: tuple[bytes, ...]
    size: int
    chain_head: bytes

    def __post_init__(self) -> None:
        if len(self.frontier) != self.size.bit_count() or len(self.chain_head) != HASH_SIZE:
            message = "a log state holds one frontier node per set bit of its size"
            raise InvalidEncoding(message)

    @classmethod
    def empty(cls) -> LogState:
        return cls(frontier=(), size=0, chain_head=GENESIS_CHAIN_HASH)

    @classmethod
    def of(cls, frontier: MerkleFrontier, chain_head: bytes) -> LogState:
        return cls(frontier=frontier.nodes, size=frontier.size, chain_head=chain_head)

    def merkle_frontier(self) -> MerkleFrontier:
        return MerkleFrontier.from_nodes(self.size, self.frontier)

    def root(self) -> bytes:
        return self.merkle_frontier().root()

    def encode(self) -> bytes:
        """Version byte, chain head, then `MerkleFrontier.to_bytes()`."""
        return (
            bytes([STATE_VERSION])
            + self.chain_head
            + self.size.to_bytes(8, "big")
            + b"".join(self.frontier)
        )

    @classmethod
    def decode(cls, data: bytes) -> LogState:
        if len(data) < 1 + HASH_SIZE + 8 or data[0] != STATE_VERSION:
            message = "log state bytes are not a version-1 state"
            raise InvalidEncoding(message)
        frontier = MerkleFrontier.from_bytes(data[1 + HASH_SIZE :])
        return cls.of(frontier, data[1 : 1 + HASH_SIZE])


class AuditStore(Protocol):
    """Where the log lives. Every method may run inside the caller's transaction.

    Writers must be serialised: `load_state` should lock the state row (`SELECT ... FOR UPDATE`)
    until the transaction that calls `append` commits, and `append` must fail rather than write an
    index that exists already (the primary key does this).
    """

    def size(self) -> int:
        """One more than the highest stored index (0 for an empty log)."""
        ...

    def read(self, start: int, stop: int) -> Sequence[AuditEntry]:
        """The stored entries whose index is in [start, stop), in index order; gaps stay gaps."""
        ...

    def read_leaf_hashes(self, start: int, stop: int) -> Sequence[bytes]:
        """The leaf hashes of entries [start, stop) in index order (proofs need only these)."""
        ...

    def load_state(self) -> LogState | None:
        """The state saved by the last append, or None for a log never written."""
        ...

    def append(self, entries: Sequence[AuditEntry], state: LogState) -> None:
        """Store `entries` (consecutive, from index `size()`) and `state`, both or neither."""
        ...

    def add_checkpoint(self, checkpoint: SignedCheckpoint) -> None:
        """Keep a signed checkpoint (store `checkpoint.encode()`, with size and time as columns)."""
        ...

    def checkpoints(self) -> Sequence[SignedCheckpoint]:
        """Every stored checkpoint, by size then time."""
        ...

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        """The checkpoint with the largest size (latest time among equals), if any."""
        ...
