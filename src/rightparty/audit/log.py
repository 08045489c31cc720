# SPDX-License-Identifier: Apache-2.0
"""The audit log service: append events, state the tree head, sign checkpoints, prove and verify.

`AuditLog` holds no state between calls: every append reads the saved `LogState` from the store,
extends it and hands entries and new state back in one call, so any number of processes may share
one store as long as the store serialises writers (see `AuditStore`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from rightparty.audit.checkpoint import (
    Checkpoint,
    CheckpointSigner,
    SignedCheckpoint,
    require_origin,
    sign,
)
from rightparty.audit.errors import TamperDetected
from rightparty.audit.events import AuditEvent
from rightparty.audit.merkle import (
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from rightparty.audit.store import AuditEntry, AuditStore, LogState
from rightparty.audit.verification import Finding, VerificationReport, verify_log

__all__ = [
    "AuditLog",
    "ConsistencyProof",
    "InclusionProof",
    "TreeHead",
    "verify_log",
]


@dataclass(frozen=True, slots=True)
class TreeHead:
    """The log's size and Merkle root at one moment."""

    size: int
    root: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class InclusionProof:
    """Entry `index` (`leaf_hash`) is in the tree of `tree_size`; `path` runs lowest level first."""

    index: int
    tree_size: int
    leaf_hash: bytes
    path: tuple[bytes, ...]

    def verify(self, root: bytes) -> None:
        """Raise `InvalidProof` unless the proof leads to `root` (the head at `tree_size`)."""
        verify_inclusion(
            leaf_hash=self.leaf_hash,
            index=self.index,
            size=self.tree_size,
            proof=self.path,
            root=root,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsistencyProof:
    """The tree of `old_size` is a prefix of the tree of `new_size`."""

    old_size: int
    new_size: int
    path: tuple[bytes, ...]

    def verify(self, old_root: bytes, new_root: bytes) -> None:
        """Raise `InvalidProof` unless the proof links `old_root` to `new_root`."""
        verify_consistency(
            old_size=self.old_size,
            new_size=self.new_size,
            old_root=old_root,
            new_root=new_root,
            proof=self.path,
        )


class AuditLog:
    """An append-only, tamper-evident log of `AuditEvent`s over an `AuditStore`."""

    def __init__(self, store: AuditStore, *, origin: str) -> None:
        require_origin(origin)
        self._store = store
        self._origin = origin

    @property
    def origin(self) -> str:
        """The log's name, signed into every checkpoint."""
        return self._origin

    def append(self, event: AuditEvent) -> AuditEntry:
        return self.append_batch([event])[0]

    def append_batch(self, events: Sequence[AuditEvent]) -> list[AuditEntry]:
        """Append `events` in order as one write; the entries come back with their indexes."""
        if not events:
            return []
        state = self._store.load_state() or LogState.empty()
        frontier = state.merkle_frontier()
        chain = state.chain_head
        index = state.size
        sha256 = hashlib.sha256
        entries: list[AuditEntry] = []
        for event in events:
            data = event.encode()
            leaf = sha256(b"\x00" + data).digest()
            chain = sha256(b"\x02" + chain + leaf).digest()
            frontier.append(leaf)
            entries.append(AuditEntry(index, data, leaf, chain))
            index += 1
        self._store.append(entries, LogState.of(frontier, chain))
        return entries

    def tree_head(self) -> TreeHead:
        state = self._store.load_state() or LogState.empty()
        return TreeHead(state.size, state.root())

    def checkpoint(self, signer: CheckpointSigner, *, issued_at: datetime) -> SignedCheckpoint:
        """Sign the current tree head as of `issued_at` and keep the checkpoint in the store."""
        head = self.tree_head()
        checkpoint = Checkpoint(
            origin=self._origin, size=head.size, root=head.root, issued_at=issued_at
        )
        signed = sign(checkpoint, signer)
        self._store.add_checkpoint(signed)
        return signed

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        return self._store.latest_checkpoint()

    def prove_inclusion(self, index: int, *, tree_size: int | None = None) -> InclusionProof:
        """Prove entry `index` is in the tree of `tree_size` (default: the current size)."""
        size = self._proof_size(tree_size)
        if not 0 <= index < size:
            message = f"entry {index} is not in a tree of size {size}"
            raise IndexError(message)
        hashes = self._leaf_hashes(size)
        path = inclusion_proof(hashes, index)
        return InclusionProof(
            index=index, tree_size=size, leaf_hash=hashes[index], path=tuple(path)
        )

    def prove_consistency(self, old_size: int, *, new_size: int | None = None) -> ConsistencyProof:
        """Prove the tree of `old_size` (> 0) is a prefix of that of `new_size` (default: now)."""
        size = self._proof_size(new_size)
        if not 0 < old_size <= size:
            message = f"no consistency proof from size {old_size} to size {size}"
            raise ValueError(message)
        path = consistency_proof(self._leaf_hashes(size), old_size)
        return ConsistencyProof(old_size=old_size, new_size=size, path=tuple(path))

    def verify(
        self, public_key: Ed25519PublicKey, *, anchor: SignedCheckpoint | None = None
    ) -> VerificationReport:
        """`verify_log` over this log's store and origin."""
        return verify_log(self._store, public_key, origin=self._origin, anchor=anchor)

    def _proof_size(self, requested: int | None) -> int:
        current = (self._store.load_state() or LogState.empty()).size
        if requested is None:
            return current
        if not 0 <= requested <= current:
            message = f"the log has {current} entries, not {requested}"
            raise ValueError(message)
        return requested

    def _leaf_hashes(self, size: int) -> Sequence[bytes]:
        hashes = self._store.read_leaf_hashes(0, size)
        if len(hashes) != size:
            detail = f"the store returned {len(hashes)} leaf hashes for {size} entries"
            raise TamperDetected(len(hashes), Finding.ENTRY_MISSING.value, detail)
        return hashes
