# SPDX-License-Identifier: Apache-2.0
"""Customer rows to domain objects and back, and the statements that read and write them, for
`SqlCustomerRepository`: no session, no keys."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Table, bindparam, select

from rightparty.db.bulk_insert import BulkInsert, BulkUpdate
from rightparty.db.repositories.restrictions import restriction_to_row
from rightparty.db.tables import ConsentRow, ContactPointRow, CustomerRow, RestrictionRow
from rightparty.domain.consent import ConsentAction, ConsentEntry, ConsentSource
from rightparty.domain.contact_point import ContactPoint, ContactPointHealth
from rightparty.domain.customer import Customer
from rightparty.domain.restriction import InconvenientPlace, Restriction
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactPointStatus,
    ContactSource,
    Outcome,
    Purpose,
)


def point_from_row(row: Row[Any], address: str) -> ContactPoint:
    """A contact point from its row; `address` is the decrypted one."""
    return ContactPoint(
        id=row.id,
        channel=Channel(row.channel),
        address=address,
        kind=ContactPointKind(row.kind),
        source=ContactSource(row.source),
        status=ContactPointStatus(row.status),
        time_zones=tuple(row.time_zones),
        verified_at=row.verified_at,
        last_confirmed_at=row.last_confirmed_at,
        health=ContactPointHealth(
            consecutive_failures=row.consecutive_failures,
            last_outcome=Outcome(row.last_outcome) if row.last_outcome else None,
            last_outcome_at=row.last_outcome_at,
        ),
        superseded_at=row.superseded_at,
    )


def locations_of(customer: Customer) -> list[dict[str, str]]:
    return [{"timezone": item.timezone, "source": item.source} for item in customer.locations]


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


def consent_from_row(row: Row[Any]) -> ConsentEntry:
    return ConsentEntry(
        purpose=Purpose(row.purpose),
        channel=Channel(row.channel),
        action=ConsentAction(row.action),
        source=ConsentSource(row.source),
        at=row.at,
        evidence=row.evidence,
    )


def by_customer(rows: Iterable[Row[Any]]) -> dict[str, list[Row[Any]]]:
    grouped: dict[str, list[Row[Any]]] = {}
    for row in rows:
        grouped.setdefault(row.customer_id, []).append(row)
    return grouped


POINTS: Table = ContactPointRow.__table__  # type: ignore[assignment]
CUSTOMERS: Table = CustomerRow.__table__  # type: ignore[assignment]
CONSENTS: Table = ConsentRow.__table__  # type: ignore[assignment]
RESTRICTIONS: Table = RestrictionRow.__table__  # type: ignore[assignment]
POINT_COLUMNS = tuple(ContactPointRow.__table__.c)
CONSENT_COLUMNS = tuple(ConsentRow.__table__.c)
# Built once: the statements of the hottest read are not rebuilt per call.
POINTS_OF = (
    select(*POINT_COLUMNS)
    .where(POINTS.c.customer_id.in_(bindparam("ids", expanding=True)))
    .order_by(POINTS.c.position)
)
CONSENTS_OF = (
    select(*CONSENT_COLUMNS)
    .where(CONSENTS.c.customer_id.in_(bindparam("ids", expanding=True)))
    .order_by(CONSENTS.c.id)
)
RESTRICTIONS_OF = (
    select(RESTRICTIONS.c.customer_id, RESTRICTIONS.c.type, RESTRICTIONS.c.details)
    .where(RESTRICTIONS.c.customer_id.in_(bindparam("ids", expanding=True)))
    .order_by(RESTRICTIONS.c.id)
)
CUSTOMERS_BY_ID = select(CUSTOMERS).where(CUSTOMERS.c.id.in_(bindparam("ids", expanding=True)))
# New customers and points go in through `BulkInsert` (one positional executemany): an import
# writes a hundred thousand of each. The names are the keys of `_customer_values` and
# `_point_values`.
CUSTOMER_INSERT = (
    "id",
    "external_ref",
    "name_ct",
    "locale",
    "jurisdiction",
    "locations",
    "created_at",
    "updated_at",
)
POINT_INSERT = tuple(column.name for column in POINT_COLUMNS)
INSERT_CUSTOMERS = BulkInsert(CUSTOMERS, CUSTOMER_INSERT)
INSERT_POINTS = BulkInsert(POINTS, POINT_INSERT)


def ordered(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> list[tuple[Any, ...]]:
    return [tuple(row[name] for name in names) for row in rows]


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
STORED_POINT_IDS = select(POINTS.c.id).where(POINTS.c.customer_id == bindparam("customer"))
UPDATE_POINT_STATE = BulkUpdate(POINTS, STATE_COLUMNS)
UPDATE_POINT = BulkUpdate(POINTS, (*STATE_COLUMNS, "address_ct", "address_bidx"))
"""A point's state and its (re-encrypted, re-indexed) address; `_point_values` rows fit it."""


def point_state(position: int, point: ContactPoint) -> tuple[Any, ...]:
    """A point's columns but its id, owner and address, in `STATE_COLUMNS` order."""
    last_outcome = point.health.last_outcome
    return (
        position,
        point.channel.value,
        point.kind.value,
        point.source.value,
        point.status.value,
        list(point.time_zones),
        point.verified_at,
        point.last_confirmed_at,
        point.health.consecutive_failures,
        last_outcome.value if last_outcome else None,
        point.health.last_outcome_at,
        point.superseded_at,
    )


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
