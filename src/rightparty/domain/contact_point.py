# SPDX-License-Identifier: Apache-2.0
"""A customer's own address on one channel, with where it came from and how healthy it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactPointStatus,
    ContactSource,
    Outcome,
    OutcomeCategory,
)

DEGRADED_AFTER_FAILURES = 3
"""Device or network failures in a row after which a point's details are worth confirming."""

# Outcomes that prove the address belongs to someone else rather than being dead.
_WRONG_PARTY_OUTCOMES = frozenset({Outcome.ANSWERED_THIRD_PARTY, Outcome.WRONG_NUMBER})


@dataclass(slots=True)
class ContactPointHealth:
    """Running evidence about a point: consecutive failures and the last outcome seen."""

    consecutive_failures: int = 0
    last_outcome: Outcome | None = None
    last_outcome_at: datetime | None = None

    @property
    def degraded(self) -> bool:
        return self.consecutive_failures >= DEGRADED_AFTER_FAILURES


@dataclass(slots=True)
class ContactPoint:
    """`address` is normalised (E.164 phone, lower-cased email) and plaintext only in memory.

    `superseded_at` is set when the customer replaced this address with another: the point is
    kept, because attempts refer to it, but it is out of regular use (`addressable` is False)
    while its `status` still says what is known about the address itself. Only a case targeted
    at it (the notice of the change) may still reach it.
    """

    id: str
    channel: Channel
    address: str
    kind: ContactPointKind
    source: ContactSource
    status: ContactPointStatus = ContactPointStatus.UNVERIFIED
    time_zones: tuple[str, ...] = ()
    verified_at: datetime | None = None
    last_confirmed_at: datetime | None = None
    health: ContactPointHealth = field(default_factory=ContactPointHealth)
    superseded_at: datetime | None = None

    @property
    def addressable(self) -> bool:
        """In regular use: not dead, not someone else's, not replaced by the customer."""
        return self.status.addressable and self.superseded_at is None

    @property
    def superseded(self) -> bool:
        return self.superseded_at is not None

    def supersede(self, at: datetime) -> None:
        """The customer replaced this address; the point stays for history, out of regular use."""
        self.superseded_at = self.superseded_at or at

    def record_outcome(self, outcome: Outcome, at: datetime) -> ContactPointStatus:
        """Fold one attempt's outcome into status and health; returns the new status.

        Reaching the customer confirms the point; "not me" marks it `wrong_party`; a dead address
        marks it `invalid`; device trouble only counts toward `degraded`. Refusals say nothing
        about the address, so they leave it as it is.
        """
        self.health.last_outcome = outcome
        self.health.last_outcome_at = at
        category = outcome.category
        if category is OutcomeCategory.REACHED:
            self.health.consecutive_failures = 0
            self.status = ContactPointStatus.VALID
            self.last_confirmed_at = at
            self.verified_at = self.verified_at or at
        elif category is OutcomeCategory.INFO_INACCURATE:
            self.health.consecutive_failures += 1
            self.status = (
                ContactPointStatus.WRONG_PARTY
                if outcome in _WRONG_PARTY_OUTCOMES
                else ContactPointStatus.INVALID
            )
        elif category is OutcomeCategory.DEVICE_OR_NETWORK:
            self.health.consecutive_failures += 1
        return self.status

    def confirm(self, at: datetime) -> None:
        """The customer confirmed this point themselves (portal, branch, reply)."""
        self.status = ContactPointStatus.VALID
        self.verified_at = self.verified_at or at
        self.last_confirmed_at = at
        self.health = ContactPointHealth()
