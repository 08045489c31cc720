# SPDX-License-Identifier: Apache-2.0
"""One try on one contact point; immutable once its outcome is final."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rightparty.domain.errors import AttemptAlreadyFinal
from rightparty.domain.vocabulary import Channel, Outcome, Purpose


class AttemptStatus(StrEnum):
    """`dispatching`: committed just before the provider is asked, so a process that dies between
    the provider's answer and recording it leaves a mark: the message may have gone out.
    `withdrawn`: recorded, then not sent, because the decision no longer held when it was due
    to go out (a runtime resumed late, the point went bad meanwhile)."""

    QUEUED = "queued"
    DISPATCHING = "dispatching"
    SENT = "sent"
    FINAL = "final"
    WITHDRAWN = "withdrawn"


@dataclass(slots=True)
class Attempt:
    """`idempotency_key` makes dispatch at-least-once safe: a provider never sends a key twice."""

    id: str
    case_id: str
    customer_id: str
    contact_point_id: str
    channel: Channel
    purpose: Purpose
    idempotency_key: str
    reference_code: str
    created_at: datetime
    debt_id: str | None = None
    status: AttemptStatus = AttemptStatus.QUEUED
    provider: str | None = None
    provider_message_id: str | None = None
    sent_at: datetime | None = None
    outcome: Outcome | None = None
    finalised_at: datetime | None = None

    @property
    def final(self) -> bool:
        return self.status in (AttemptStatus.FINAL, AttemptStatus.WITHDRAWN)

    def mark_sent(self, provider: str, provider_message_id: str | None, at: datetime) -> None:
        self._require_not_final()
        self.status = AttemptStatus.SENT
        self.provider = provider
        self.provider_message_id = provider_message_id
        self.sent_at = at

    def mark_dispatching(self) -> None:
        """About to hand the message to a provider; only a queued attempt is."""
        if self.status is not AttemptStatus.QUEUED:
            raise AttemptAlreadyFinal(self.id)
        self.status = AttemptStatus.DISPATCHING

    def finalise(self, outcome: Outcome, at: datetime) -> None:
        self._require_not_final()
        self.status = AttemptStatus.FINAL
        self.outcome = outcome
        self.finalised_at = at

    def withdraw(self, at: datetime) -> None:
        """Give up a queued attempt before it was sent; it never reached anyone."""
        if self.status is not AttemptStatus.QUEUED:
            raise AttemptAlreadyFinal(self.id)
        self.status = AttemptStatus.WITHDRAWN
        self.finalised_at = at

    def _require_not_final(self) -> None:
        if self.final:
            raise AttemptAlreadyFinal(self.id)

    def history_entry(self) -> AttemptHistoryEntry:
        """What the history of the customer's attempts holds of this one."""
        return AttemptHistoryEntry(
            id=self.id,
            case_id=self.case_id,
            contact_point_id=self.contact_point_id,
            channel=self.channel,
            purpose=self.purpose,
            idempotency_key=self.idempotency_key,
            created_at=self.created_at,
            debt_id=self.debt_id,
            outcome=self.outcome,
            sent_at=self.sent_at,
            withdrawn=self.status is AttemptStatus.WITHDRAWN,
        )


@dataclass(frozen=True, slots=True)
class AttemptHistoryEntry:
    """What deciding and diagnosing need of a past attempt: no reference code to decrypt."""

    id: str
    case_id: str
    contact_point_id: str
    channel: Channel
    purpose: Purpose
    idempotency_key: str
    created_at: datetime
    debt_id: str | None
    outcome: Outcome | None
    sent_at: datetime | None
    withdrawn: bool = False
