# SPDX-License-Identifier: Apache-2.0
"""The policy scenario document (DESIGN.md §8.2), validated field by field.

Unknown fields are errors, instants must carry a time zone, and every problem is reported with its
path (`customer.contact_points.0.status`) and never with the value, which may be personal data.
Beyond §8.2, a scenario may give `customer.jurisdiction` (ISO 3166, for holiday calendars),
`request.event_id` and `history[].event_id` (alerts about one event), `contact_points[].source`,
and `debt_id` on a legal hold.
"""

from __future__ import annotations

import json
from datetime import time
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactPointStatus,
    ContactSource,
    Direction,
    LegalHoldReason,
    OptOutScope,
    Outcome,
    Purpose,
)
from rightparty.policy.facts import (
    CUSTOMER,
    PHONE_CHANNELS,
    Consent,
    ContactRequest,
    CustomerFacts,
    HistoryEntry,
)
from rightparty.policy.restrictions import (
    ALL_WEEKDAYS,
    AttorneyRepresentation,
    CeaseCommunication,
    InconvenientPlace,
    InconvenientTime,
    LegalHold,
    OptOut,
    Restriction,
)
from rightparty.usecases.policy_facts import (
    ContactPointRecord,
    InvalidPhoneNumberError,
    customer_facts,
    phone_zones,
    zone,
)

Identifier = Annotated[str, Field(min_length=1, max_length=200)]


class ScenarioError(ValueError):
    """An invalid scenario; `problems` holds one `path: message` line per bad field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid scenario: " + "; ".join(self.problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(_Model):
    timezone: str
    source: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        zone(name)
        return name


class ContactPoint(_Model):
    id: Identifier
    channel: Channel
    address: str = Field(min_length=1)
    kind: ContactPointKind | None = None
    status: ContactPointStatus = ContactPointStatus.VALID
    source: ContactSource | None = None

    @model_validator(mode="after")
    def _phone_number(self) -> ContactPoint:
        if self.channel in PHONE_CHANNELS:
            try:
                phone_zones(self.address)
            except InvalidPhoneNumberError as error:
                raise ValueError(f"address: {error}") from None
        return self


class ConsentItem(_Model):
    purpose: Purpose
    channel: Channel
    granted_at: AwareDatetime
    source: str = Field(min_length=1)
    revoked_at: AwareDatetime | None = None


class CeaseItem(_Model):
    type: Literal["cease_communication"]
    debt_id: Identifier | None = None
    received_at: AwareDatetime


class AttorneyItem(_Model):
    type: Literal["attorney_represented"]
    debt_id: Identifier | None = None
    since: AwareDatetime


class OptOutItem(_Model):
    type: Literal["opt_out"]
    scope: OptOutScope
    at: AwareDatetime
    channel: Channel | None = None
    contact_point_id: Identifier | None = None
    purpose: Purpose | None = None

    @model_validator(mode="after")
    def _scope_field(self) -> OptOutItem:
        needed = {
            OptOutScope.CHANNEL: ("channel", self.channel),
            OptOutScope.CONTACT_POINT: ("contact_point_id", self.contact_point_id),
            OptOutScope.PURPOSE: ("purpose", self.purpose),
        }.get(self.scope)
        if needed is not None and needed[1] is None:
            raise ValueError(f"{needed[0]}: required when scope is {self.scope.value}")
        return self


def _clock(value: object) -> time | None:
    if value in ("24:00", "24:00:00"):
        return None
    if not isinstance(value, str):
        raise ValueError("expected a local time such as '09:00'")
    try:
        moment = time.fromisoformat(value)
    except ValueError as error:
        raise ValueError("expected a local time such as '09:00'") from error
    if moment.tzinfo is not None:
        raise ValueError("a restriction's times are local to the customer: give no offset")
    return moment


class InconvenientTimeItem(_Model):
    type: Literal["inconvenient_time"]
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = list(range(7))
    start: time
    end: time | None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _local_time(cls, value: object) -> time | None:
        return _clock(value)

    @model_validator(mode="after")
    def _not_empty(self) -> InconvenientTimeItem:
        if self.end == self.start:
            raise ValueError("end: must differ from start")
        return self


class InconvenientPlaceItem(_Model):
    type: Literal["inconvenient_place"]
    place: Literal["workplace"] = "workplace"
    contact_point_id: Identifier | None = None


class LegalHoldItem(_Model):
    type: Literal["legal_hold"]
    reason: LegalHoldReason
    since: AwareDatetime
    debt_id: Identifier | None = None


RestrictionItem = Annotated[
    CeaseItem
    | AttorneyItem
    | OptOutItem
    | InconvenientTimeItem
    | InconvenientPlaceItem
    | LegalHoldItem,
    Field(discriminator="type"),
]


class Customer(_Model):
    id: Identifier
    locations: list[Location] = []
    contact_points: list[ContactPoint] = []
    consents: list[ConsentItem] = []
    restrictions: list[RestrictionItem] = []
    jurisdiction: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$")

    @model_validator(mode="after")
    def _unique_points(self) -> Customer:
        ids = [point.id for point in self.contact_points]
        if len(ids) != len(set(ids)):
            raise ValueError("contact_points: two contact points share an id")
        return self


class Request(_Model):
    channel: Channel
    contact_point_id: Identifier
    purpose: Purpose
    debt_id: Identifier | None = None
    target: str = Field(default=CUSTOMER, min_length=1)
    event_id: Identifier | None = None


class HistoryItem(_Model):
    at: AwareDatetime
    channel: Channel
    outcome: Outcome
    direction: Direction = Direction.OUTBOUND
    contact_point_id: Identifier | None = None
    debt_id: Identifier | None = None
    debt_ids: list[Identifier] = []
    purpose: Purpose | None = None
    event_id: Identifier | None = None


class Scenario(_Model):
    now: AwareDatetime
    customer: Customer
    request: Request
    history: list[HistoryItem] = []

    def facts(self) -> tuple[CustomerFacts, ContactRequest]:
        """The engine's view of this scenario."""
        customer = self.customer
        facts = customer_facts(
            customer.id,
            contact_points=[
                ContactPointRecord(
                    id=point.id,
                    channel=point.channel,
                    address=point.address,
                    status=point.status,
                    kind=point.kind,
                    source=point.source,
                )
                for point in customer.contact_points
            ],
            timezones=[location.timezone for location in customer.locations],
            consents=[
                Consent(item.purpose, item.channel, item.granted_at, item.source, item.revoked_at)
                for item in customer.consents
            ],
            restrictions=[_restriction(item) for item in customer.restrictions],
            history=[_entry(item) for item in self.history],
            jurisdiction=customer.jurisdiction,
        )
        request = self.request
        return facts, ContactRequest(
            channel=request.channel,
            contact_point_id=request.contact_point_id,
            purpose=request.purpose,
            debt_id=request.debt_id,
            target=request.target,
            event_id=request.event_id,
        )


def _restriction(
    item: CeaseItem
    | AttorneyItem
    | OptOutItem
    | InconvenientTimeItem
    | InconvenientPlaceItem
    | LegalHoldItem,
) -> Restriction:
    if isinstance(item, CeaseItem):
        return CeaseCommunication(item.received_at, item.debt_id)
    if isinstance(item, AttorneyItem):
        return AttorneyRepresentation(item.since, item.debt_id)
    if isinstance(item, OptOutItem):
        return OptOut(item.scope, item.at, item.channel, item.contact_point_id, item.purpose)
    if isinstance(item, InconvenientTimeItem):
        return InconvenientTime(item.start, item.end, frozenset(item.weekdays or ALL_WEEKDAYS))
    if isinstance(item, InconvenientPlaceItem):
        return InconvenientPlace(item.place, item.contact_point_id)
    return LegalHold(item.reason, item.since, item.debt_id)


def _entry(item: HistoryItem) -> HistoryEntry:
    debts = set(item.debt_ids)
    if item.debt_id is not None:
        debts.add(item.debt_id)
    return HistoryEntry(
        at=item.at,
        channel=item.channel,
        outcome=item.outcome,
        direction=item.direction,
        contact_point_id=item.contact_point_id,
        debt_ids=frozenset(debts),
        purpose=item.purpose,
        event_id=item.event_id,
    )


def _problems(error: ValidationError) -> list[str]:
    problems = []
    for problem in error.errors(include_input=False, include_url=False):
        path = ".".join(str(part) for part in problem["loc"]) or "scenario"
        message = problem["msg"].removeprefix("Value error, ")
        problems.append(f"{path}: {message}")
    return problems


def parse_scenario(document: str | bytes | dict[str, Any]) -> Scenario:
    """A validated scenario from JSON text or an already-decoded object; raises `ScenarioError`."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ScenarioError([f"scenario: not valid JSON ({error})"]) from None
    if not isinstance(document, dict):
        raise ScenarioError(["scenario: expected a JSON object"])
    try:
        return Scenario.model_validate(document)
    except ValidationError as error:
        raise ScenarioError(_problems(error)) from None
