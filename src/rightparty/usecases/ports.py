# SPDX-License-Identifier: Apache-2.0
"""The Protocols that adapters implement and use cases depend on.

Repositories take and return domain objects, never rows; only the unit of work commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self, runtime_checkable

from rightparty.domain.attempt import Attempt, AttemptHistoryEntry
from rightparty.domain.case import Case
from rightparty.domain.clock import Clock
from rightparty.domain.customer import Customer
from rightparty.domain.messages import DeliveryResult, OutboundMessage
from rightparty.domain.vocabulary import Channel, Outcome

__all__ = [
    "AttemptRepository",
    "AuditRecorder",
    "BatchGateway",
    "CaseRepository",
    "ChannelGateway",
    "Clock",
    "CustomerRepository",
    "DecisionEntry",
    "DecisionRepository",
    "UnitOfWork",
]


class ChannelGateway(Protocol):
    """Sends one message on its channel; idempotent by `message.idempotency_key`."""

    def send(self, message: OutboundMessage) -> DeliveryResult: ...


@runtime_checkable
class BatchGateway(Protocol):
    """A gateway that sends a batch at once, several messages in flight together.

    Exactly one result per message, in the order given, with the guarantees of `send` for each
    (idempotency, rate limits, failover); one message's failure, even an unexpected error,
    becomes that message's result and never costs another its answer."""

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]: ...


@runtime_checkable
class DeduplicatingGateway(Protocol):
    """A gateway that can say whether its providers on a channel honour the idempotency key on
    their side, across restarts of this process. Only then may a message whose send was cut
    short by a crash be asked for again; a gateway that cannot say is taken not to."""

    def deduplicates(self, channel: Channel) -> bool: ...


@runtime_checkable
class ChannelAwareGateway(Protocol):
    """A gateway that knows which channels it has a provider for. The worker skips a plan's
    step on a channel nobody serves instead of recording an attempt bound to fail (and marking
    the customer's point as failing for the bank's own configuration). A gateway that cannot
    say is taken to serve every channel."""

    def serves(self, channel: Channel) -> bool: ...


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> None: ...

    def add_many(self, customers: Sequence[Customer]) -> None:
        """`add` for new customers in bulk: one executemany per table instead of rows one by one."""
        ...

    def save(self, customer: Customer) -> None:
        """Write back changes to a customer loaded from this repository."""
        ...

    def get_many(self, customer_ids: Collection[str]) -> dict[str, Customer]:
        """`get` for many customers at once; raises `CustomerNotFound` for a missing one."""
        ...

    def get(self, customer_id: str) -> Customer:
        """Raises `CustomerNotFound`."""
        ...

    def by_external_ref(self, external_ref: str) -> Customer | None: ...

    def existing_refs(self, external_refs: Collection[str]) -> dict[str, str]:
        """Which of these external refs are stored, each with its customer's id (one query)."""
        ...

    def by_address(self, channel: Channel, normalised_address: str) -> list[Customer]:
        """Customers holding that address, found by blind index and confirmed by decryption."""
        ...

    def count(self) -> int: ...

    def needing_confirmation(
        self, confirmed_before: datetime, limit: int, among: Collection[str] | None = None
    ) -> list[str]:
        """Ids of customers with an addressable point unconfirmed since `confirmed_before` or
        degraded, and no open `info_update` case; only customers in `among` when it is given."""
        ...


class CaseRepository(Protocol):
    def add(self, case: Case) -> None: ...

    def add_many(self, cases: Sequence[Case]) -> None:
        """`add` in bulk, in one executemany."""
        ...

    def save(self, case: Case) -> None: ...

    def get_many(self, case_ids: Collection[str]) -> dict[str, Case]: ...

    def get(self, case_id: str) -> Case:
        """Raises `CaseNotFound`."""
        ...

    def due(self, until: datetime, limit: int) -> list[Case]:
        """Open or waiting cases whose next action is at or before `until`, earliest first."""
        ...

    def next_action_at(self) -> datetime | None:
        """The earliest next action of any open or waiting case."""
        ...

    def open_ids_for_refs(self, external_ref_prefix: str) -> list[str]:
        """Open or waiting cases of customers whose reference starts with the prefix."""
        ...


class AttemptRepository(Protocol):
    def add(self, attempt: Attempt) -> None: ...

    def add_many(self, attempts: Sequence[Attempt]) -> None:
        """`add` in bulk, in one executemany; a key already stored fails the whole call."""
        ...

    def save(self, attempt: Attempt) -> None: ...

    def get(self, attempt_id: str) -> Attempt: ...

    def get_many(self, attempt_ids: Collection[str]) -> dict[str, Attempt]: ...

    def hold_status(
        self, message_id: str, providers: Sequence[str], outcome: Outcome, at: datetime
    ) -> None:
        """Keep a final status for a message id no attempt was recorded with yet."""
        ...

    def forget_held_statuses(self, before: datetime) -> int:
        """Drop statuses held since before `before` (no send will claim them now)."""
        ...

    def take_held_statuses(
        self, provider: str, message_ids: Sequence[str]
    ) -> list[tuple[str, Outcome, datetime]]:
        """The statuses held for these message ids of `provider`, removed as they are taken."""
        ...

    def histories(self, customer_ids: Collection[str]) -> dict[str, list[AttemptHistoryEntry]]:
        """`history` of many customers at once."""
        ...

    def by_idempotency_key(self, key: str) -> Attempt | None: ...

    def for_customer(self, customer_id: str) -> list[Attempt]: ...

    def by_reference_code(self, code: str) -> list[Attempt]:
        """Attempts whose message carried `code` (blind index, confirmed by decryption)."""
        ...

    def history(self, customer_id: str) -> list[AttemptHistoryEntry]:
        """The customer's attempts in the order they were made, without reference codes."""
        ...

    def by_provider_message_id(self, provider: str, message_id: str) -> Attempt | None:
        """The attempt that `provider` sent as `message_id`, or as one part of a split message
        (whose `provider_message_id` lists every part's id)."""
        ...

    def record_part_outcome(
        self, provider: str, message_id: str, outcome: Outcome
    ) -> list[Outcome | None]:
        """Keep the final outcome of one part of a sent message; returns every part's outcome so
        far, in part order (None: not known yet)."""
        ...


class DecisionEntry(NamedTuple):
    """One decision to keep: the §8.3 JSON, for its case and the attempt it allowed, if any."""

    case_id: str
    attempt_id: str | None
    document: dict[str, Any]
    at: datetime


class DecisionRepository(Protocol):
    def add(
        self, case_id: str, attempt_id: str | None, document: dict[str, Any], at: datetime
    ) -> None:
        """Keep the decision JSON (DESIGN.md §8.3) that allowed or blocked a proposed attempt."""
        ...

    def add_many(self, decisions: Sequence[DecisionEntry]) -> None:
        """`add` in bulk, in one executemany, after the attempts they refer to."""
        ...


class AuditRecorder(Protocol):
    def record(
        self,
        event_type: str,
        actor: str,
        subject_id: str,
        payload: dict[str, Any],
        at: datetime,
    ) -> None:
        """Append an audit entry in the current transaction; `payload` holds no personal data."""
        ...


class UnitOfWork(Protocol):
    @property
    def customers(self) -> CustomerRepository: ...

    @property
    def cases(self) -> CaseRepository: ...

    @property
    def attempts(self) -> AttemptRepository: ...

    @property
    def decisions(self) -> DecisionRepository: ...

    @property
    def audit(self) -> AuditRecorder: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def prepare_customers(
        self, customer_ids: Collection[str], *, for_encryption: bool = True
    ) -> None:
        """Ready the data keys of the customers a chunk of work will encrypt (or, with
        `for_encryption=False`, only decrypt) for in a few statements, rather than a few per
        customer. Optional for correctness: an unprepared customer is handled one by one."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
