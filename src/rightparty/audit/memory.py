# SPDX-License-Identifier: Apache-2.0
"""An `AuditStore` in process memory, for tests, the benchmark and the embedded demo.

Its attributes are plain lists so tests can tamper with them the way an attacker with database
access would edit rows.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from rightparty.audit.checkpoint import SignedCheckpoint
from rightparty.audit.errors import AppendConflict
from rightparty.audit.store import AuditEntry, LogState


def _index_of(entry: AuditEntry) -> int:
    return entry.index


class InMemoryAuditStore:
    """Rows kept sorted by index, like a table read with `ORDER BY index`."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []
        self.state: LogState | None = None
        self.signed_checkpoints: list[SignedCheckpoint] = []

    def size(self) -> int:
        return self.entries[-1].index + 1 if self.entries else 0

    def read(self, start: int, stop: int) -> Sequence[AuditEntry]:
        low = bisect_left(self.entries, start, key=_index_of)
        high = bisect_left(self.entries, stop, lo=low, key=_index_of)
        return self.entries[low:high]

    def read_leaf_hashes(self, start: int, stop: int) -> Sequence[bytes]:
        return [entry.leaf_hash for entry in self.read(start, stop)]

    def load_state(self) -> LogState | None:
        return self.state

    def append(self, entries: Sequence[AuditEntry], state: LogState) -> None:
        next_index = self.size()
        for offset, entry in enumerate(entries):
            if entry.index != next_index + offset:
                raise AppendConflict(next_index + offset, entry.index)
        self.entries.extend(entries)
        self.state = state

    def add_checkpoint(self, checkpoint: SignedCheckpoint) -> None:
        self.signed_checkpoints.append(checkpoint)

    def checkpoints(self) -> Sequence[SignedCheckpoint]:
        return sorted(
            self.signed_checkpoints,
            key=lambda signed: (signed.checkpoint.size, signed.checkpoint.issued_at),
        )

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        ordered = self.checkpoints()
        return ordered[-1] if ordered else None
