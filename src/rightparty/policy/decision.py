# SPDX-License-Identifier: Apache-2.0
"""The engine's answer (DESIGN.md §8.3) and its JSON form.

`reasons` lists every blocking rule of every pack; `evaluated` lists every rule of every pack with
its result; `next_allowed_at` is the earliest instant at which the same request would pass every
time- and count-based rule, or `None` when it is allowed now or when no waiting helps.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final, NamedTuple

PASS: Final = "pass"  # noqa: S105 - a rule result, not a password
BLOCK: Final = "block"
NOT_APPLICABLE: Final = "not_applicable"


class PackRef(NamedTuple):
    name: str
    version: str


class Reason(NamedTuple):
    code: str
    rule: str
    message: str


class Evaluation(NamedTuple):
    """One rule's result: `pass`, `block`, or `not_applicable` (the rule does not cover this
    channel and purpose)."""

    rule: str
    result: str


class Decision(NamedTuple):
    """Immutable; a named tuple because a decision is made hundreds of thousands of times a
    second and a tuple is the cheapest immutable record Python builds."""

    allowed: bool
    packs: tuple[PackRef, ...]
    reasons: tuple[Reason, ...]
    next_allowed_at: datetime | None
    evaluated: tuple[Evaluation, ...]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(reason.code for reason in self.reasons)

    def to_json(self) -> dict[str, object]:
        """The §8.3 document: keys in contract order, instants as ISO 8601 UTC with `Z`."""
        return {
            "allowed": self.allowed,
            "packs": [{"name": pack.name, "version": pack.version} for pack in self.packs],
            "reasons": [
                {"code": reason.code, "rule": reason.rule, "message": reason.message}
                for reason in self.reasons
            ],
            "next_allowed_at": (
                None if self.next_allowed_at is None else iso_utc(self.next_allowed_at)
            ),
            "evaluated": [{"rule": item.rule, "result": item.result} for item in self.evaluated],
        }


def iso_utc(instant: datetime) -> str:
    """`2026-03-05T13:00:00Z`; fractions of a second are kept only when present."""
    text = instant.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"
