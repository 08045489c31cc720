# SPDX-License-Identifier: Apache-2.0
"""Customer rows to domain objects and back, and the statements that read and write them, for
`SqlCustomerRepository`: no session, no keys."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Row, Table, bindparam, select

from rightparty.db.bulk_insert import BulkInsert, BulkUpdate
from rightparty.db.id_lists import in_ids
from rightparty.db.repositories.restrictions import restriction_from_row, restriction_to_row
from rightparty.db.tables import ConsentRow, ContactPointRow, CustomerRow, RestrictionRow
from rightparty.domain.consent import ConsentAction, ConsentEntry, ConsentSource
from rightparty.domain.contact_point import ContactPoint, ContactPointHealth
from rightparty.domain.customer import Customer, Location
from rightparty.domain.restriction import InconvenientPlace, Restriction
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactPointStatus,
    ContactSource,
    Outcome,
    Purpose,
)

E = TypeVar("E", bound=StrEnum)


class StoredValues(dict[str, E]):
    """An enum's members by their stored value: a dict look-up, where the enum's own call costs
    ten times more on the hottest read; an unknown value is the same `ValueError` that call
    raises (enum values are vocabulary, never personal data)."""

    def __init__(self, enum: type[E]) -> None:
        super().__init__((member.value, member) for member in enum.__members__.values())
        self._enum = enum

    def __missing__(self, value: str) -> E:
        message = f"{value!r} is not a valid {self._enum.__name__}"
        raise ValueError(message)


CHANNELS = StoredValues(Channel)
_KINDS = StoredValues(ContactPointKind)
_SOURCES = StoredValues(ContactSource)
_STATUSES = StoredValues(ContactPointStatus)
_OUTCOMES = StoredValues(Outcome)
_PURPOSES = StoredValues(Purpose)
_CONSENT_ACTIONS = StoredValues(ConsentAction)
_CONSENT_SOURCES = StoredValues(ConsentSource)
AddressDecryption = Callable[[str, str, str, bytes], str]
"""`FieldProtection.decrypt`: (customer id, table, field, ciphertext) to plaintext."""


def points_from_rows(
    customer_id: str, rows: Iterable[Sequence[Any]], decrypt: AddressDecryption
) -> tuple[list[ContactPoint], dict[str, str], dict[str, tuple[Any, ...]]]:
    """A customer's contact points from their `POINTS_OF` rows (in position order), with what
    `StoredCustomer` remembers of them: addresses and `point_state`s by point id, the states
    taken from the row values rather than recomputed from the points (equal by construction,
    positions counted in load order as `point_state` is given them)."""
    points: list[ContactPoint] = []
    addresses: dict[str, str] = {}
    states: dict[str, tuple[Any, ...]] = {}
    # Unpacked by position: a `Row` attribute costs about 0.5 us here, unpacking all of them
    # about 0.1 us. The names follow `_POINT_READ`.
    for position, (
        _,
        point_id,
        address_ct,
        channel,
        kind,
        source,
        status,
        stored_zones,
        verified_at,
        last_confirmed_at,
        failures,
        stored_outcome,
        last_outcome_at,
        superseded_at,
    ) in enumerate(rows):
        address = decrypt(customer_id, "contact_points", "address", address_ct)
        time_zones = tuple(stored_zones)
        last_outcome = stored_outcome or None
        points.append(
            ContactPoint(
                id=point_id,
                channel=CHANNELS[channel],
                address=address,
                kind=_KINDS[kind],
                source=_SOURCES[source],
                status=_STATUSES[status],
                time_zones=time_zones,
                verified_at=verified_at,
                last_confirmed_at=last_confirmed_at,
                health=ContactPointHealth(
                    consecutive_failures=failures,
                    last_outcome=_OUTCOMES[last_outcome] if last_outcome else None,
                    last_outcome_at=last_outcome_at,
                ),
                superseded_at=superseded_at,
            )
        )
        addresses[point_id] = address
        states[point_id] = (
            position,
            channel,
            kind,
            source,
            status,
            list(time_zones),
            verified_at,
            last_confirmed_at,
            failures,
            last_outcome,
            last_outcome_at,
            superseded_at,
        )
    return points, addresses, states


def customer_from_row(
    row: Sequence[Any],
    point_rows: Iterable[Sequence[Any]],
    consent_rows: Iterable[Sequence[Any]],
    restriction_rows: Iterable[Row[Any]],
    decrypt: AddressDecryption,
) -> tuple[Customer, StoredCustomer]:
    """A customer from its `CUSTOMER_READ` row and its children's rows, and what `save` needs to
    remember of it: the same `StoredCustomer` that remembering the new customer would give."""
    (
        customer_id,
        external_ref,
        name_ct,
        locale,
        jurisdiction,
        locations,
        created_at,
        updated_at,
    ) = row
    points, addresses, states = points_from_rows(customer_id, point_rows, decrypt)
    customer = Customer(
        id=customer_id,
        external_ref=external_ref,
        name=decrypt(customer_id, "customers", "name", name_ct),
        locale=locale,
        jurisdiction=jurisdiction,
        locations=[Location(item["timezone"], item["source"]) for item in locations],
        contact_points=points,
        consents=[consent_from_row(entry) for entry in consent_rows],
        restrictions=[restriction_from_row(item) for item in restriction_rows],
        created_at=created_at,
        updated_at=updated_at,
    )
    stored = StoredCustomer(
        name=customer.name,
        addresses=addresses,
        consents=len(customer.consents),
        restrictions=tuple(customer.restrictions),
        columns=customer_columns(customer),
        points=states,
    )
    return customer, stored


def locations_of(customer: Customer) -> list[dict[str, str]]:
    return [{"timezone": item.timezone, "source": item.source} for item in customer.locations]


def customer_columns(customer: Customer) -> tuple[Any, ...]:
    """What `save` compares of the customer row itself, its name aside."""
    return (customer.locale, customer.jurisdiction, locations_of(customer), customer.updated_at)


def consent_values(customer_id: str, entry: ConsentEntry) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "purpose": entry.purpose.value,
        "channel": entry.channel.value,
        "action": entry.action.value,
        "source": entry.source.value,
        "evidence": entry.evidence,
        "at": entry.at,
    }


def restriction_values(customer_id: str, restriction: Restriction) -> dict[str, Any]:
    row = restriction_to_row(customer_id, restriction)
    return {"customer_id": customer_id, "type": row.type, "details": row.details}


def consent_from_row(row: Sequence[Any]) -> ConsentEntry:
    """A ledger line from its `CONSENTS_OF` row (unpacked in `_CONSENT_READ` order)."""
    _, purpose, channel, action, source, at, evidence = row
    return ConsentEntry(
        purpose=_PURPOSES[purpose],
        channel=CHANNELS[channel],
        action=_CONSENT_ACTIONS[action],
        source=_CONSENT_SOURCES[source],
        at=at,
        evidence=evidence,
    )


def by_customer(rows: Iterable[Row[Any]]) -> dict[str, list[Row[Any]]]:
    """Rows by their first column, the customer id, each customer's in the order read."""
    grouped: dict[str, list[Row[Any]]] = {}
    for row in rows:
        customer_id = row[0]
        held = grouped.get(customer_id)
        if held is None:
            grouped[customer_id] = [row]
        else:
            held.append(row)
    return grouped


POINTS: Table = ContactPointRow.__table__  # type: ignore[assignment]
CUSTOMERS: Table = CustomerRow.__table__  # type: ignore[assignment]
CONSENTS: Table = ConsentRow.__table__  # type: ignore[assignment]
RESTRICTIONS: Table = RestrictionRow.__table__  # type: ignore[assignment]
POINT_COLUMNS = tuple(ContactPointRow.__table__.c)
# Built once: the statements of the hottest read are not rebuilt per call. Each names its
# columns, first the customer id (`by_customer`), because its rows are unpacked by position.
CUSTOMER_READ = (
    "id",
    "external_ref",
    "name_ct",
    "locale",
    "jurisdiction",
    "locations",
    "created_at",
    "updated_at",
)
"""The columns of `CUSTOMERS_READ`, in the order `customer_from_row` unpacks them."""
STATE_COLUMNS = (
    "position",
    "channel",
    "kind",
    "source",
    "status",
    "time_zones",
    "verified_at",
    "last_confirmed_at",
    "consecutive_failures",
    "last_outcome",
    "last_outcome_at",
    "superseded_at",
)
"""A point's columns but its id, owner and address: what `point_state` gives, in order."""
_POINT_READ = ("customer_id", "id", "address_ct", *STATE_COLUMNS[1:])
"""`points_from_rows` unpacks them in this order (the position is counted, not read)."""
_CONSENT_READ = ("customer_id", "purpose", "channel", "action", "source", "at", "evidence")
POINTS_OF = (
    select(*(POINTS.c[name] for name in _POINT_READ))
    .where(in_ids(POINTS.c.customer_id))
    .order_by(POINTS.c.position)
)
CONSENTS_OF = (
    select(*(CONSENTS.c[name] for name in _CONSENT_READ))
    .where(in_ids(CONSENTS.c.customer_id))
    .order_by(CONSENTS.c.id)
)
RESTRICTIONS_OF = (
    select(RESTRICTIONS.c.customer_id, RESTRICTIONS.c.type, RESTRICTIONS.c.details)
    .where(in_ids(RESTRICTIONS.c.customer_id))
    .order_by(RESTRICTIONS.c.id)
)
CUSTOMERS_READ = select(*(CUSTOMERS.c[name] for name in CUSTOMER_READ))
CUSTOMERS_BY_ID = CUSTOMERS_READ.where(in_ids(CUSTOMERS.c.id))
# New customers and points go in through `BulkInsert` (one positional executemany): an import
# writes a hundred thousand of each. The names are the keys of `_customer_values` and
# `_point_values`; a customer row is written with the columns it is read with.
CUSTOMER_INSERT = CUSTOMER_READ
POINT_INSERT = tuple(column.name for column in POINT_COLUMNS)
INSERT_CUSTOMERS = BulkInsert(CUSTOMERS, CUSTOMER_INSERT)
INSERT_POINTS = BulkInsert(POINTS, POINT_INSERT)


def ordered(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> list[tuple[Any, ...]]:
    return [tuple(row[name] for name in names) for row in rows]


STORED_POINT_IDS = select(POINTS.c.id).where(POINTS.c.customer_id == bindparam("customer"))
UPDATE_POINT_STATE = BulkUpdate(POINTS, STATE_COLUMNS)
_CHANNEL = STATE_COLUMNS.index("channel")
UPDATE_POINT_HEALTH = BulkUpdate(POINTS, tuple(name for name in STATE_COLUMNS if name != "channel"))
"""`UPDATE_POINT_STATE` but the channel, for a point known to keep it (every outcome updates a
point's health): SQLite rewrites an index entry for each indexed column a SET names, changed or
not, and the channel leads the address index."""
UPDATE_POINT = BulkUpdate(POINTS, (*STATE_COLUMNS, "address_ct", "address_bidx"))
"""A point's state and its (re-encrypted, re-indexed) address; `_point_values` rows fit it."""


def point_state(position: int, point: ContactPoint) -> tuple[Any, ...]:
    """A point's columns but its id, owner and address, in `STATE_COLUMNS` order."""
    # `_value_` is where an enum member keeps its value; `.value` reads it through a descriptor
    # at several times the cost, and `save` computes this for every point it is given.
    health = point.health
    last_outcome = health.last_outcome
    return (
        position,
        point.channel._value_,
        point.kind._value_,
        point.source._value_,
        point.status._value_,
        list(point.time_zones),
        point.verified_at,
        point.last_confirmed_at,
        health.consecutive_failures,
        last_outcome._value_ if last_outcome else None,
        health.last_outcome_at,
        point.superseded_at,
    )


def state_update(before: tuple[Any, ...], state: tuple[Any, ...]) -> BulkUpdate:
    """The statement that writes `state` over `before` (empty when the stored state is unknown)."""
    if before and before[_CHANNEL] == state[_CHANNEL]:
        return UPDATE_POINT_HEALTH
    return UPDATE_POINT_STATE


def point_state_values(point_id: str, state: tuple[Any, ...]) -> dict[str, Any]:
    """`UPDATE_POINT_STATE` parameters for a point whose address is unchanged."""
    return {"id": point_id, **dict(zip(STATE_COLUMNS, state, strict=True))}


UNKNOWN_RESTRICTIONS: tuple[Restriction, ...] = (
    InconvenientPlace(place="(not read in this unit of work)"),
)
"""Compares unequal to any customer's restrictions, so they are rewritten."""


@dataclass
class StoredCustomer:
    """What this unit of work last read or wrote for a customer, so `save` re-encrypts and
    rewrites only what changed (ciphertexts are randomised, so equal values would otherwise
    produce new bytes and needless writes)."""

    name: str
    addresses: dict[str, str]
    consents: int
    restrictions: tuple[Restriction, ...]
    points: dict[str, tuple[Any, ...]] | None = None
    """Each stored point's columns but its address, by id; None when not read here."""
    columns: tuple[Any, ...] | None = None
    """The customer row's plain columns (`_columns`); None when not read here."""
