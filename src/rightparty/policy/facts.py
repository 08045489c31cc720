# SPDX-License-Identifier: Apache-2.0
"""The facts the engine decides from: plain frozen values, built before the engine is called.

Nothing here parses a phone number or reads a calendar: a contact point arrives with the zones of
its number already resolved (`rightparty.usecases.policy_facts` does that with phonenumbers), so
the orchestration layer can build facts from domain objects without any JSON. A `CustomerFacts`
indexes its own history once, on first use, and every later decision about that customer reuses
the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, TypeVar
from zoneinfo import ZoneInfo

from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactPointStatus,
    ContactSource,
    Direction,
    Outcome,
    Purpose,
)
from rightparty.policy.history import HistoryIndex
from rightparty.policy.pickling import Reduced, by_fields
from rightparty.policy.restrictions import (
    AttorneyRepresentation,
    CeaseCommunication,
    InconvenientPlace,
    InconvenientTime,
    LegalHold,
    OptOut,
    Restriction,
)

CUSTOMER: Final = "customer"
"""The only `ContactRequest.target` any pack ever allows."""

PHONE_CHANNELS: Final = frozenset({Channel.SMS, Channel.VOICE})

# Traits: which kinds of fact a customer has at all, one bit each (`CustomerFacts.traits`). A rule
# that can only ever block on a fact the customer lacks is left out of the decision entirely.
CEASES: Final = 1
ATTORNEYS: Final = 1 << 1
LEGAL_HOLDS: Final = 1 << 2
OPT_OUTS: Final = 1 << 3
INCONVENIENT_TIMES: Final = 1 << 4
INCONVENIENT_PLACES: Final = 1 << 5
REVOCATIONS: Final = 1 << 6
"""A consent with a `revoked_at`."""
WORK_POINTS: Final = 1 << 7
"""A contact point of kind `work`."""
JURISDICTIONS: Final = 1 << 8
HISTORY: Final = 1 << 9
"""A history entry that counts toward some budget (one not on a wrong-party point)."""

_R = TypeVar("_R")


_ADDRESSABLE = {status: status.addressable for status in ContactPointStatus}
"""`ContactPointStatus.addressable` by status: a look-up, not a property call per point."""
_NO_CONSENTS: frozenset[tuple[Purpose, Channel]] = frozenset()

_SERVED: dict[tuple[Channel, ContactPointKind | None], frozenset[Channel]] = {}
"""`ContactPointFacts.served` by channel and kind, the only fields `serves` reads: facts are
built for every decision, and working it out again cost a sixth of building them."""


@dataclass(frozen=True, slots=True)
class ContactPointFacts:
    """One of the customer's addresses, without the address itself.

    `zones` are the time zones of a phone number (empty for email, push and letters); `source` is
    where the point came from, when known.
    """

    id: str
    channel: Channel
    status: ContactPointStatus = ContactPointStatus.VALID
    kind: ContactPointKind | None = None
    source: ContactSource | None = None
    zones: tuple[ZoneInfo, ...] = ()
    addressable: bool = field(init=False, repr=False, compare=False)
    served: frozenset[Channel] = field(init=False, repr=False, compare=False)
    """Every channel `serves`, worked out once: the contact-point rule asks on every decision."""

    def __post_init__(self) -> None:
        addressable = _ADDRESSABLE.get(self.status)
        if addressable is None:
            addressable = self.status.addressable
        object.__setattr__(self, "addressable", addressable)
        key = (self.channel, self.kind)
        served = _SERVED.get(key)
        if served is None:
            served = _SERVED[key] = frozenset(filter(self.serves, Channel))
        object.__setattr__(self, "served", served)

    def serves(self, channel: Channel) -> bool:
        """Whether a request on `channel` can use this point: a phone number serves voice and,
        unless it is a landline, text messages."""
        if channel is self.channel or channel == self.channel:
            return True
        if channel in PHONE_CHANNELS and self.channel in PHONE_CHANNELS:
            return channel == Channel.VOICE or self.kind != ContactPointKind.LANDLINE
        return False

    def __reduce__(self) -> Reduced:
        return by_fields(self)  # see `pickling`: how the compiled build copies it


@dataclass(frozen=True, slots=True)
class Consent:
    """Consent to contact for one purpose on one channel, from `granted_at` until `revoked_at`."""

    purpose: Purpose
    channel: Channel
    granted_at: datetime
    source: str
    revoked_at: datetime | None = None

    def active_at(self, now: datetime) -> bool:
        return self.granted_at <= now and (self.revoked_at is None or self.revoked_at > now)

    def __reduce__(self) -> Reduced:
        return by_fields(self)  # see `pickling`: how the compiled build copies it


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """A past attempt or inbound contact.

    `debt_ids` names every debt the contact concerned (it counts for each); empty means the debt
    was not recorded, and the entry then counts toward every debt. A `purpose` of `None` counts
    toward every purpose-scoped budget.
    """

    at: datetime
    channel: Channel
    outcome: Outcome
    direction: Direction = Direction.OUTBOUND
    contact_point_id: str | None = None
    debt_ids: frozenset[str] = frozenset()
    purpose: Purpose | None = None
    event_id: str | None = None

    def __reduce__(self) -> Reduced:
        return by_fields(self)  # see `pickling`: how the compiled build copies it


@dataclass(frozen=True, slots=True)
class ContactRequest:
    """The proposed attempt. `target` is whom it would address; only `"customer"` is ever allowed.

    `event_id` groups alerts about one event (the fraud-alert exemption counts per event).
    """

    channel: Channel
    contact_point_id: str
    purpose: Purpose
    debt_id: str | None = None
    target: str = CUSTOMER
    event_id: str | None = None

    def __reduce__(self) -> Reduced:
        return by_fields(self)  # see `pickling`: how the compiled build copies it


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """Everything the engine may know about one customer.

    Candidate zones (`zones`) are `location_zones` plus the zones of every phone number that is
    still addressable (valid or unverified): a wrong-party or dead number says nothing about where
    the customer is. `jurisdictions` are ISO 3166 country codes whose holiday calendars apply.
    """

    id: str
    contact_points: tuple[ContactPointFacts, ...] = ()
    location_zones: tuple[ZoneInfo, ...] = ()
    consents: tuple[Consent, ...] = ()
    restrictions: tuple[Restriction, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    zones: tuple[ZoneInfo, ...] = field(init=False)
    points: dict[str, ContactPointFacts] = field(init=False, repr=False, compare=False)
    ceases: tuple[CeaseCommunication, ...] = field(init=False, repr=False, compare=False)
    attorneys: tuple[AttorneyRepresentation, ...] = field(init=False, repr=False, compare=False)
    opt_outs: tuple[OptOut, ...] = field(init=False, repr=False, compare=False)
    inconvenient_times: tuple[InconvenientTime, ...] = field(init=False, repr=False, compare=False)
    inconvenient_places: tuple[InconvenientPlace, ...] = field(
        init=False, repr=False, compare=False
    )
    legal_holds: tuple[LegalHold, ...] = field(init=False, repr=False, compare=False)
    index: HistoryIndex = field(init=False, repr=False, compare=False)
    traits: int = field(init=False, repr=False, compare=False)
    consented: frozenset[tuple[Purpose, Channel]] = field(init=False, repr=False, compare=False)
    """The purpose and channel of every consent, revoked or not: a rule looking for a consent to
    a pair not here knows at once that there is none."""

    def __post_init__(self) -> None:
        # One pass over the points and nothing at all for the kinds of fact a customer lacks
        # (most have no restriction, consent or history): facts are built for every decision.
        zones = list(self.location_zones)
        points: dict[str, ContactPointFacts] = {}
        kinds: dict[str, ContactPointKind | None] = {}
        excluded: list[str] = []
        work_points = False
        for point in self.contact_points:
            if point.addressable and point.channel in PHONE_CHANNELS:
                zones.extend(point.zones)
            if point.status == ContactPointStatus.WRONG_PARTY:
                excluded.append(point.id)
            if point.kind == ContactPointKind.WORK:
                work_points = True
            points[point.id] = point
            kinds[point.id] = point.kind
        restrictions = self.restrictions
        if restrictions:
            ceases = _of_type(restrictions, CeaseCommunication)
            attorneys = _of_type(restrictions, AttorneyRepresentation)
            opt_outs = _of_type(restrictions, OptOut)
            inconvenient_times = _of_type(restrictions, InconvenientTime)
            inconvenient_places = _of_type(restrictions, InconvenientPlace)
            legal_holds = _of_type(restrictions, LegalHold)
        else:
            ceases = attorneys = opt_outs = inconvenient_times = inconvenient_places = ()
            legal_holds = ()
        consents = self.consents
        consented = (
            frozenset([(item.purpose, item.channel) for item in consents])
            if consents
            else _NO_CONSENTS
        )
        index = HistoryIndex(
            self.history, wrong_party_points=frozenset(excluded), point_kinds=kinds
        )
        # The bits are distinct: the sum of those present, as a mask.
        traits = (
            (CEASES if ceases else 0)
            | (ATTORNEYS if attorneys else 0)
            | (LEGAL_HOLDS if legal_holds else 0)
            | (OPT_OUTS if opt_outs else 0)
            | (INCONVENIENT_TIMES if inconvenient_times else 0)
            | (INCONVENIENT_PLACES if inconvenient_places else 0)
            | (REVOCATIONS if consents and _any_revoked(consents) else 0)
            | (WORK_POINTS if work_points else 0)
            | (JURISDICTIONS if self.jurisdictions else 0)
            | (HISTORY if index.size else 0)
        )
        set_field = object.__setattr__
        set_field(self, "zones", tuple(dict.fromkeys(zones)))
        set_field(self, "points", points)
        set_field(self, "ceases", ceases)
        set_field(self, "attorneys", attorneys)
        set_field(self, "opt_outs", opt_outs)
        set_field(self, "inconvenient_times", inconvenient_times)
        set_field(self, "inconvenient_places", inconvenient_places)
        set_field(self, "legal_holds", legal_holds)
        set_field(self, "consented", consented)
        set_field(self, "index", index)
        set_field(self, "traits", traits)

    def active_consent(
        self, purpose: Purpose, channel: Channel, now: datetime, sources: frozenset[str] | None
    ) -> Consent | None:
        """The first consent for `purpose` on `channel` in force at `now`, from one of `sources`
        (any source when `None`)."""
        if (purpose, channel) not in self.consented:
            return None
        for consent in self.consents:
            if (
                consent.purpose == purpose
                and consent.channel == channel
                and consent.active_at(now)
                and (sources is None or consent.source in sources)
            ):
                return consent
        return None

    def __reduce__(self) -> Reduced:
        return by_fields(self)  # see `pickling`: how the compiled build copies it


def _of_type(restrictions: tuple[Restriction, ...], kind: type[_R]) -> tuple[_R, ...]:
    return tuple(item for item in restrictions if isinstance(item, kind))


def _any_revoked(consents: tuple[Consent, ...]) -> bool:
    return any(item.revoked_at is not None for item in consents)
