# SPDX-License-Identifier: Apache-2.0
"""Typed failures of the audit log.

Messages name fields, sizes and indexes, never an event's content or a payload: an audit error may
be logged or shown to staff, and what it carries must be safe to show.
"""

from __future__ import annotations


class AuditError(Exception):
    """Base class of every audit failure."""


class InvalidEvent(AuditError, ValueError):
    """An audit event was built with a field that breaks the encoding's rules."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidPayload(AuditError, ValueError):
    """A payload cannot be digested canonically (a float, a non-string key, a cycle, ...)."""


class InvalidEncoding(AuditError, ValueError):
    """Bytes that should hold an encoded event, checkpoint or log state do not."""


class InvalidProof(AuditError):
    """An inclusion or consistency proof does not verify against the given tree heads."""


class InvalidCheckpoint(AuditError):
    """A checkpoint carries no valid signature by the expected key, or names another log."""


class AppendConflict(AuditError):
    """Entries were offered at an index other than the end of the log (a concurrent writer)."""

    def __init__(self, expected_index: int, offered_index: int) -> None:
        super().__init__(
            f"the log ends at index {expected_index}; entries were offered at {offered_index}"
        )
        self.expected_index = expected_index
        self.offered_index = offered_index


class TamperDetected(AuditError):
    """Verification of a stored log failed; `index` is the first entry that cannot be trusted.

    `index` is None when no entry is at fault, only the checkpoints (a forged signature).
    """

    def __init__(self, index: int | None, finding: str, detail: str) -> None:
        where = "the checkpoints" if index is None else f"entry {index}"
        super().__init__(f"tampering detected at {where} ({finding}): {detail}")
        self.index = index
        self.finding = finding
        self.detail = detail
