# SPDX-License-Identifier: Apache-2.0
"""The customer aggregate: the only party rightparty ever contacts, with their own details only.

There is deliberately no field for anyone else's details (no phone book, no emergency contacts,
no references): what the model cannot hold, no code path can dial.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rightparty.domain.consent import ConsentEntry
from rightparty.domain.contact_point import ContactPoint
from rightparty.domain.errors import ContactPointNotFound
from rightparty.domain.restriction import Restriction
from rightparty.domain.vocabulary import Channel


@dataclass(frozen=True, slots=True)
class Location:
    """A place the customer is known to be, by its IANA time zone (`source`: address, device…)."""

    timezone: str
    source: str


@dataclass(slots=True)
class Customer:
    """`name` and contact point addresses are plaintext only in memory; storage encrypts them."""

    id: str
    external_ref: str
    name: str
    locale: str
    jurisdiction: str
    locations: list[Location] = field(default_factory=list)
    contact_points: list[ContactPoint] = field(default_factory=list)
    consents: list[ConsentEntry] = field(default_factory=list)
    restrictions: list[Restriction] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def contact_point(self, contact_point_id: str) -> ContactPoint:
        for point in self.contact_points:
            if point.id == contact_point_id:
                return point
        raise ContactPointNotFound(self.id, contact_point_id)

    def addressable_points(self, channel: Channel) -> list[ContactPoint]:
        """The customer's points on `channel` not known to be dead or someone else's."""
        return [p for p in self.contact_points if p.channel is channel and p.addressable]

    def candidate_time_zones(self) -> tuple[str, ...]:
        """Declared locations plus the zones of valid phone numbers (DESIGN.md §8.2), in order."""
        zones = [location.timezone for location in self.locations]
        for point in self.contact_points:
            if point.channel in (Channel.SMS, Channel.VOICE) and point.addressable:
                zones.extend(point.time_zones)
        return tuple(dict.fromkeys(zones))
