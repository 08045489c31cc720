# SPDX-License-Identifier: Apache-2.0
"""Verification of a whole stored log from scratch, naming the first entry that cannot be trusted.

One pass over the entries in index order re-derives every hash from the stored event bytes:

1. the leaf hash of the event bytes must equal the stored leaf hash (else `EVENT_MODIFIED`);
2. the chain value from the previous entry must equal the stored one (else `CHAIN_BROKEN`: this
   entry was modified, inserted, moved, or an entry before it deleted);
3. indexes must run 0, 1, 2, ... with no gap (else `ENTRY_MISSING` / `ENTRY_MISPLACED`);
4. at each signed checkpoint's size, the Merkle root rebuilt so far must equal the signed root
   (else `HISTORY_REWRITTEN`: someone rewrote entries and recomputed every hash and chain value
   after them; only the span since the last good checkpoint can be named);
5. every checkpoint, and the saved log state, must lie within the entries (else `TRUNCATED`).

Steps 1-3 bind entries to each other and steps 4-5 bind them to signatures. Hashes and chain
values anyone can recompute, so entries after the last verified checkpoint (`anchored_size`) are
protected against careless tampering only; docs/audit.md discusses the residual risk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from rightparty.audit.checkpoint import Checkpoint, SignedCheckpoint, verify
from rightparty.audit.errors import InvalidCheckpoint, InvalidEncoding, TamperDetected
from rightparty.audit.merkle import EMPTY_ROOT, MerkleFrontier
from rightparty.audit.store import GENESIS_CHAIN_HASH, AuditStore, LogState

DEFAULT_CHUNK = 16384


class Finding(StrEnum):
    EVENT_MODIFIED = "event_modified"
    CHAIN_BROKEN = "chain_broken"
    ENTRY_MISSING = "entry_missing"
    ENTRY_MISPLACED = "entry_misplaced"
    HISTORY_REWRITTEN = "history_rewritten"
    TRUNCATED = "truncated"
    CHECKPOINT_INVALID = "checkpoint_invalid"
    STATE_MISMATCH = "state_mismatch"


@dataclass(frozen=True, slots=True, kw_only=True)
class VerificationReport:
    """The outcome of `verify_log`.

    `first_bad_index` is the lowest index that cannot be trusted: the failing entry itself for
    per-entry findings, the first entry after the last good checkpoint for `HISTORY_REWRITTEN`
    and `STATE_MISMATCH`, None when only a checkpoint is at fault. `anchored_size` entries are
    covered by a verified signed checkpoint; `size` entries were read.
    """

    size: int
    anchored_size: int
    checkpoints_verified: int
    finding: Finding | None = None
    first_bad_index: int | None = None
    detail: str = "every entry, checkpoint and the saved state agree"

    @property
    def ok(self) -> bool:
        return self.finding is None

    @property
    def tampered_line(self) -> str:
        """What `rightparty audit verify` prints for a log that failed (DESIGN.md §8.1):
        `audit log TAMPERED at entry N: finding: detail`."""
        finding = self.finding.value if self.finding else "unknown"
        where = "" if self.first_bad_index is None else f" at entry {self.first_bad_index}"
        return f"audit log TAMPERED{where}: {finding}: {self.detail}"

    def raise_for_tampering(self) -> None:
        """Raise `TamperDetected` (carrying the index) unless the log verified."""
        if self.finding is not None:
            raise TamperDetected(self.first_bad_index, self.finding.value, self.detail)


class _Failure(Exception):
    def __init__(self, finding: Finding, index: int | None, detail: str) -> None:
        super().__init__(detail)
        self.finding = finding
        self.index = index
        self.detail = detail


def verify_log(
    store: AuditStore,
    public_key: Ed25519PublicKey,
    *,
    origin: str,
    anchor: SignedCheckpoint | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> VerificationReport:
    """Re-derive every hash of the stored log and check it against its signed checkpoints.

    `anchor` is a checkpoint kept outside the database (by a witness, or by the last run of this
    check); without one, deleting the newest entries together with their checkpoints and state
    goes unseen.
    """
    run = _Run(store)
    try:
        checkpoints = _verified_checkpoints(store, public_key, origin, anchor)
        run.scan(checkpoints, chunk_size)
    except _Failure as failure:
        return run.report(failure)
    return run.report(None)


def _verified_checkpoints(
    store: AuditStore, public_key: Ed25519PublicKey, origin: str, anchor: SignedCheckpoint | None
) -> list[Checkpoint]:
    signed_list = list(store.checkpoints())
    if anchor is not None and anchor not in signed_list:
        signed_list.append(anchor)
    checkpoints: list[Checkpoint] = []
    for signed in signed_list:
        size = signed.checkpoint.size
        if signed.checkpoint.origin != origin:
            detail = f"the checkpoint at size {size} names another log"
            raise _Failure(Finding.CHECKPOINT_INVALID, None, detail)
        try:
            checkpoints.append(verify(signed, public_key))
        except InvalidCheckpoint as error:
            raise _Failure(Finding.CHECKPOINT_INVALID, None, str(error)) from error
    return sorted(checkpoints, key=lambda checkpoint: checkpoint.size)


class _Run:
    """One pass over the log; its fields are what the report states about the prefix read."""

    def __init__(self, store: AuditStore) -> None:
        self.store = store
        self.frontier = MerkleFrontier()
        self.chain = GENESIS_CHAIN_HASH
        self.anchored = 0
        self.verified_checkpoints = 0

    def report(self, failure: _Failure | None) -> VerificationReport:
        if failure is None:
            return VerificationReport(
                size=self.frontier.size,
                anchored_size=self.anchored,
                checkpoints_verified=self.verified_checkpoints,
            )
        return VerificationReport(
            size=self.frontier.size,
            anchored_size=self.anchored,
            checkpoints_verified=self.verified_checkpoints,
            finding=failure.finding,
            first_bad_index=failure.index,
            detail=failure.detail,
        )

    def scan(self, checkpoints: Sequence[Checkpoint], chunk_size: int) -> None:
        state = self._load_state()
        stored_size = self.store.size()
        claimed = max([stored_size, state.size, *(cp.size for cp in checkpoints)])
        pending = list(reversed(checkpoints))
        self._check_checkpoints(pending)
        sha256 = hashlib.sha256
        frontier, chain = self.frontier, self.chain
        add_leaf = frontier.append
        while frontier.size < claimed:
            expected = frontier.size
            batch = self.store.read(expected, min(expected + chunk_size, claimed))
            if not batch:
                raise self._missing(expected, stored_size)
            for entry in batch:
                if entry.index != expected:
                    raise self._misplaced(expected, entry.index)
                leaf = sha256(b"\x00" + entry.event_bytes).digest()
                if leaf != entry.leaf_hash:
                    detail = f"the event bytes of entry {expected} do not match its leaf hash"
                    raise _Failure(Finding.EVENT_MODIFIED, expected, detail)
                chain = sha256(b"\x02" + chain + leaf).digest()
                if chain != entry.chain_hash:
                    detail = (
                        f"the chain breaks at entry {expected}: it was modified, inserted or "
                        "moved, or an entry before it deleted, or entries since "
                        f"{self.anchored} rewritten with their chain values recomputed"
                    )
                    raise _Failure(Finding.CHAIN_BROKEN, expected, detail)
                add_leaf(leaf)
                expected += 1
                if pending and pending[-1].size == expected:
                    self._check_checkpoints(pending)
        self.chain = chain
        self._check_state(state, stored_size)

    def _load_state(self) -> LogState:
        try:
            state = self.store.load_state()
        except InvalidEncoding as error:
            detail = "the saved log state cannot be decoded"
            raise _Failure(Finding.STATE_MISMATCH, self.anchored, detail) from error
        return state if state is not None else LogState.empty()

    def _check_checkpoints(self, pending: list[Checkpoint]) -> None:
        size = self.frontier.size
        if not pending or pending[-1].size != size:
            return
        head = self.frontier.root() if size else EMPTY_ROOT
        while pending and pending[-1].size == size:
            if pending.pop().root != head:
                detail = (
                    f"the checkpoint signed at size {size} does not match the stored entries: "
                    f"entries {self.anchored} to {size - 1} were rewritten with every hash "
                    "recomputed; no single entry shows it"
                )
                raise _Failure(Finding.HISTORY_REWRITTEN, self.anchored, detail)
            self.verified_checkpoints += 1
        self.anchored = size

    @staticmethod
    def _missing(expected: int, stored_size: int) -> _Failure:
        if expected < stored_size:
            detail = f"entry {expected} is missing (later entries exist)"
            return _Failure(Finding.ENTRY_MISSING, expected, detail)
        detail = (
            f"the log ends at entry {expected - 1}, but a signed checkpoint or the saved state "
            f"covers entry {expected}: entries were deleted from the end"
        )
        return _Failure(Finding.TRUNCATED, expected, detail)

    @staticmethod
    def _misplaced(expected: int, found: int) -> _Failure:
        if found > expected:
            detail = f"entry {expected} is missing: the next stored index is {found}"
            return _Failure(Finding.ENTRY_MISSING, expected, detail)
        detail = f"entry {found} is stored again or out of order where entry {expected} belongs"
        return _Failure(Finding.ENTRY_MISPLACED, expected, detail)

    def _check_state(self, state: LogState, stored_size: int) -> None:
        if stored_size > state.size:
            index = max(state.size, self.anchored)
            detail = (
                f"entries from {state.size} on are not in the saved log state: written "
                "around the log, or the state was rolled back"
            )
            raise _Failure(Finding.STATE_MISMATCH, index, detail)
        if state.root() != self.frontier.root() or state.chain_head != self.chain:
            detail = (
                "the saved log state does not match the stored entries: they or the state "
                f"were rewritten after the last good checkpoint (size {self.anchored})"
            )
            raise _Failure(Finding.STATE_MISMATCH, self.anchored, detail)
