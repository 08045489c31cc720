# SPDX-License-Identifier: Apache-2.0
"""Customers with their contact points, consent ledger and restrictions; personal data encrypted."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from rightparty.db.bulk_insert import BulkUpdate
from rightparty.db.protection import FieldProtection
from rightparty.db.repositories.customer_rows import (
    CONSENTS,
    CONSENTS_OF,
    CUSTOMER_INSERT,
    CUSTOMERS,
    CUSTOMERS_BY_ID,
    CUSTOMERS_READ,
    INSERT_CUSTOMERS,
    INSERT_POINTS,
    POINT_INSERT,
    POINTS,
    POINTS_OF,
    RESTRICTIONS,
    RESTRICTIONS_OF,
    STORED_POINT_IDS,
    UNKNOWN_RESTRICTIONS,
    UPDATE_POINT,
    StoredCustomer,
    by_customer,
    consent_values,
    customer_columns,
    customer_from_row,
    locations_of,
    ordered,
    point_state,
    point_state_values,
    restriction_values,
    state_update,
)
from rightparty.db.repositories.held_updates import FlushHeld, HeldUpdates
from rightparty.db.repositories.restrictions import restriction_to_row
from rightparty.db.tables import CaseRow, ConsentRow, ContactPointRow, CustomerRow, RestrictionRow
from rightparty.domain.case import CaseStatus
from rightparty.domain.contact_point import (
    DEGRADED_AFTER_FAILURES,
    ContactPoint,
)
from rightparty.domain.customer import Customer
from rightparty.domain.errors import CustomerNotFound
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointStatus,
    Purpose,
)

_ADDRESSABLE = tuple(status.value for status in ContactPointStatus if status.addressable)
_INDEX_KIND = {
    Channel.SMS: "phone",
    Channel.VOICE: "phone",
    Channel.EMAIL: "email",
    Channel.PUSH: "push",
    Channel.LETTER: "postal",
}


def address_index_kind(channel: Channel) -> str:
    """Phones share one index across SMS and voice, so one number is found on both."""
    return _INDEX_KIND[channel]


class SqlCustomerRepository:
    def __init__(
        self,
        session: Session,
        protection: FieldProtection,
        flush_held: FlushHeld | None = None,
    ) -> None:
        self._session = session
        self._protection = protection
        self._stored: dict[str, StoredCustomer] = {}
        self._loaded: dict[str, Customer] = {}
        # Contact point updates (an outcome's health, a new address) are sent together.
        self._held = HeldUpdates(session)
        self._flush_held = self.flush if flush_held is None else flush_held

    def flush(self) -> None:
        """Write the contact point updates `save` holds."""
        self._held.flush()

    def add(self, customer: Customer) -> None:
        self.add_many([customer])

    def add_many(self, customers: Sequence[Customer]) -> None:
        """New customers with their points, consents and restrictions, in one executemany per
        table (parents first); names and addresses are encrypted here, as in `save`."""
        rows: list[dict[str, Any]] = []
        points: list[dict[str, Any]] = []
        consents: list[dict[str, Any]] = []
        restrictions: list[dict[str, Any]] = []
        if any(
            customer.created_at is None or customer.updated_at is None for customer in customers
        ):
            message = "a customer needs created_at and updated_at before it is stored"
            raise ValueError(message)
        for customer in customers:
            rows.append(self._customer_values(customer))
            points.extend(
                self._point_values(customer.id, position, point)
                for position, point in enumerate(customer.contact_points)
            )
            consents.extend(consent_values(customer.id, entry) for entry in customer.consents)
            restrictions.extend(
                restriction_values(customer.id, restriction)
                for restriction in customer.restrictions
            )
        connection = self._session.connection()
        INSERT_CUSTOMERS.execute(connection, ordered(rows, CUSTOMER_INSERT))
        INSERT_POINTS.execute(connection, ordered(points, POINT_INSERT))
        for table, values in ((CONSENTS, consents), (RESTRICTIONS, restrictions)):
            if values:
                self._session.execute(insert(table), values)
        for customer in customers:
            self._loaded[customer.id] = customer
            self._remember(customer)

    def save(self, customer: Customer) -> None:
        """Rewrites only what differs from what this unit of work read or wrote."""
        stored = self._stored.get(customer.id) or self._snapshot_of_rows(customer.id)
        values: dict[str, Any] = {}
        if customer.name != stored.name:
            values["name_ct"] = self._encrypt(customer.id, "customers", "name", customer.name)
        if customer_columns(customer) != stored.columns:
            values.update(
                locale=customer.locale,
                jurisdiction=customer.jurisdiction,
                locations=locations_of(customer),
            )
            if customer.updated_at is not None:
                values["updated_at"] = customer.updated_at
        if values:
            self._session.execute(
                update(CUSTOMERS).where(CUSTOMERS.c.id == customer.id).values(values)
            )
        self._write_children(customer, stored)

    def get(self, customer_id: str) -> Customer:
        held = self._loaded.get(customer_id)
        return held if held is not None else self.get_many([customer_id])[customer_id]

    def get_many(self, customer_ids: Collection[str]) -> dict[str, Customer]:
        """`get` for many at once: a handful of queries, not four per customer."""
        wanted = [customer_id for customer_id in customer_ids if customer_id not in self._loaded]
        if wanted:
            self._flush_held()
            rows = list(self._session.execute(CUSTOMERS_BY_ID, {"ids": wanted}))
            if len(rows) < len(set(wanted)):
                missing = sorted(set(wanted) - {row.id for row in rows})[0]
                raise CustomerNotFound(missing)
            self._load_many(rows)
        return {customer_id: self._loaded[customer_id] for customer_id in customer_ids}

    def by_external_ref(self, external_ref: str) -> Customer | None:
        row = self._session.execute(
            CUSTOMERS_READ.where(CUSTOMERS.c.external_ref == external_ref)
        ).first()
        return self._load_many([row])[0] if row is not None else None

    def existing_refs(self, external_refs: Collection[str]) -> dict[str, str]:
        query = select(CustomerRow.external_ref, CustomerRow.id).where(
            CustomerRow.external_ref.in_(list(external_refs))
        )
        return {row.external_ref: row.id for row in self._session.execute(query)}

    def _customer_values(self, customer: Customer) -> dict[str, Any]:
        return {
            "id": customer.id,
            "external_ref": customer.external_ref,
            "name_ct": self._encrypt(customer.id, "customers", "name", customer.name),
            "locale": customer.locale,
            "jurisdiction": customer.jurisdiction,
            "locations": locations_of(customer),
            "created_at": customer.created_at,
            "updated_at": customer.updated_at,
        }

    def _point_values(self, customer_id: str, position: int, point: ContactPoint) -> dict[str, Any]:
        last_outcome = point.health.last_outcome
        return {
            "id": point.id,
            "customer_id": customer_id,
            "position": position,
            "channel": point.channel.value,
            "kind": point.kind.value,
            "source": point.source.value,
            "status": point.status.value,
            "address_ct": self._encrypt(customer_id, "contact_points", "address", point.address),
            "address_bidx": self._protection.index(
                address_index_kind(point.channel), point.address
            ),
            "time_zones": list(point.time_zones),
            "verified_at": point.verified_at,
            "last_confirmed_at": point.last_confirmed_at,
            "consecutive_failures": point.health.consecutive_failures,
            "last_outcome": last_outcome.value if last_outcome else None,
            "last_outcome_at": point.health.last_outcome_at,
            "superseded_at": point.superseded_at,
        }

    def by_address(self, channel: Channel, normalised_address: str) -> list[Customer]:
        kind = address_index_kind(channel)
        blind = self._protection.index(kind, normalised_address)
        kinds = [c.value for c in Channel if address_index_kind(c) == kind]
        self._flush_held()
        query = select(ContactPointRow.customer_id).where(
            ContactPointRow.channel.in_(kinds), ContactPointRow.address_bidx == blind
        )
        found = [
            self.get(customer_id) for customer_id in dict.fromkeys(self._session.scalars(query))
        ]
        return [
            customer
            for customer in found
            if any(point.address == normalised_address for point in customer.contact_points)
        ]

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(CustomerRow)) or 0

    def needing_confirmation(
        self, confirmed_before: datetime, limit: int, among: Collection[str] | None = None
    ) -> list[str]:
        point = ContactPointRow
        stale = or_(point.last_confirmed_at.is_(None), point.last_confirmed_at < confirmed_before)
        degraded = point.consecutive_failures >= DEGRADED_AFTER_FAILURES
        open_update = select(CaseRow.customer_id).where(
            CaseRow.purpose == Purpose.INFO_UPDATE.value,
            CaseRow.status.in_((CaseStatus.OPEN.value, CaseStatus.WAITING.value)),
        )
        query = (
            select(point.customer_id)
            .where(
                point.status.in_(_ADDRESSABLE),
                point.superseded_at.is_(None),
                or_(stale, degraded),
                point.customer_id.not_in(open_update),
            )
            .distinct()
            .order_by(point.customer_id)
            .limit(limit)
        )
        if among is not None:
            query = query.where(point.customer_id.in_(list(among)))
        self._flush_held()
        return list(self._session.scalars(query))

    def _encrypt(self, customer_id: str, table: str, field: str, plaintext: str) -> bytes:
        return self._protection.encrypt(customer_id, table, field, plaintext)

    def _write_children(self, customer: Customer, stored: StoredCustomer) -> None:
        states = self._write_points(customer, stored)
        self._append_consents(customer, stored)
        if tuple(customer.restrictions) != stored.restrictions:
            self._replace_restrictions(customer)
        self._remember(customer, states)

    def _remember(
        self, customer: Customer, states: dict[str, tuple[Any, ...]] | None = None
    ) -> None:
        """`states`: the points' `point_state`s by id when the caller has them already."""
        if states is None:
            states = {
                point.id: point_state(position, point)
                for position, point in enumerate(customer.contact_points)
            }
        self._stored[customer.id] = StoredCustomer(
            name=customer.name,
            addresses={point.id: point.address for point in customer.contact_points},
            consents=len(customer.consents),
            restrictions=tuple(customer.restrictions),
            columns=customer_columns(customer),
            points=states,
        )

    def _snapshot_of_rows(self, customer_id: str) -> StoredCustomer:
        """For a customer saved without being read here first: assume everything changed."""
        if (
            self._session.scalar(select(CUSTOMERS.c.id).where(CUSTOMERS.c.id == customer_id))
            is None
        ):
            raise CustomerNotFound(customer_id)
        consents = self._session.scalar(
            select(func.count())
            .select_from(ConsentRow)
            .where(ConsentRow.customer_id == customer_id)
        )
        return StoredCustomer(
            name="", addresses={}, consents=consents or 0, restrictions=UNKNOWN_RESTRICTIONS
        )

    def _write_points(
        self, customer: Customer, stored: StoredCustomer
    ) -> dict[str, tuple[Any, ...]]:
        """Insert new points, update changed ones, delete dropped ones: plain statements, and
        only for what differs from what this unit of work read (a health update rewrites one
        row, its address not re-encrypted). Returns the points' states by id, as written."""
        before = stored.points
        if before is None:
            ids = self._session.scalars(STORED_POINT_IDS, {"customer": customer.id})
            before = dict.fromkeys(ids, ())
        added: list[dict[str, Any]] = []
        readdressed: list[dict[str, Any]] = []
        changed: list[tuple[BulkUpdate, dict[str, Any]]] = []
        states: dict[str, tuple[Any, ...]] = {}
        for position, point in enumerate(customer.contact_points):
            state = states[point.id] = point_state(position, point)
            if point.id not in before:
                added.append(self._point_values(customer.id, position, point))
            elif stored.addresses.get(point.id) != point.address:
                readdressed.append(self._point_values(customer.id, position, point))
            elif before[point.id] != state:
                update = state_update(before[point.id], state)
                changed.append((update, point_state_values(point.id, state)))
        dropped = before.keys() - {point.id for point in customer.contact_points}
        if dropped:
            self._held.drop(dropped)
            self._session.execute(delete(POINTS).where(POINTS.c.id.in_(sorted(dropped))))
        INSERT_POINTS.execute(self._session.connection(), ordered(added, POINT_INSERT))
        for row in readdressed:
            self._held.hold(row["id"], UPDATE_POINT, row)
        for statement, row in changed:
            self._held.hold(row["id"], statement, row)
        return states

    def _append_consents(self, customer: Customer, stored: StoredCustomer) -> None:
        for entry in customer.consents[stored.consents :]:
            self._session.add(
                ConsentRow(
                    customer_id=customer.id,
                    purpose=entry.purpose.value,
                    channel=entry.channel.value,
                    action=entry.action.value,
                    source=entry.source.value,
                    evidence=entry.evidence,
                    at=entry.at,
                )
            )

    def _replace_restrictions(self, customer: Customer) -> None:
        self._session.execute(
            delete(RestrictionRow).where(RestrictionRow.customer_id == customer.id)
        )
        for restriction in customer.restrictions:
            self._session.add(restriction_to_row(customer.id, restriction))

    def _children(self, statement: Select[Any], ids: list[str]) -> dict[str, list[Row[Any]]]:
        """The rows of `statement` for `ids`, by customer.

        The customers' own query went through the session, which flushed what it held; these
        go straight to its connection, without the session's per-call work."""
        return by_customer(self._session.connection().execute(statement, {"ids": ids}))

    def _load_many(self, rows: Sequence[Sequence[Any]]) -> list[Customer]:
        """Customers for `rows` (`CUSTOMERS_READ` columns), children read for all of them at
        once; a customer this unit of work already holds is that same object (one identity, so
        no copy can be saved over another's changes)."""
        # Plain rows (Core), not ORM entities, unpacked by position: reading customers is the
        # hottest path of a run, and `save` writes plain statements for what changed.
        new = [row for row in rows if row[0] not in self._loaded]
        if new:
            ids = [row[0] for row in new]
            self._protection.prepare(ids, for_encryption=False)  # their keys, in one read
            points = self._children(POINTS_OF, ids)
            consents = self._children(CONSENTS_OF, ids)
            restrictions = self._children(RESTRICTIONS_OF, ids)
            for row in new:
                customer, stored = customer_from_row(
                    row,
                    points.get(row[0], ()),
                    consents.get(row[0], ()),
                    restrictions.get(row[0], ()),
                    self._protection.decrypt,
                )
                self._loaded[customer.id] = customer
                self._stored[customer.id] = stored
        return [self._loaded[row[0]] for row in rows]
