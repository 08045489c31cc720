# SPDX-License-Identifier: Apache-2.0
"""Customer handlers: import (all or nothing, upsert by `external_ref`) and the masked view."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rightparty.domain.clock import Clock
from rightparty.domain.contact_point import ContactPoint
from rightparty.domain.customer import Customer, Location
from rightparty.privacy.random_pool import random64
from rightparty.usecases import cycle_collector
from rightparty.usecases.customer_import import ImportedCustomer, ImportedPoint, ImportValidation
from rightparty.usecases.ports import UnitOfWork

IdFactory = Callable[[], str]
SYSTEM_ACTOR = "system:import"
IMPORT_CHUNK = 1000


_sequence = itertools.count()


def random_id() -> str:
    """A UUID whose leading bits are the creation time in milliseconds, then a per-process
    counter: ids sort in the order they were made (attempts made in the same simulated instant
    stay in order), and the trailing 64 random bits (the OS's CSPRNG, read in blocks) keep them
    unguessable."""
    millis = time.time_ns() // 1_000_000
    counter = next(_sequence) & 0xFFFF
    digits = f"{(millis << 80) | (counter << 64) | random64():032x}"
    # `str(uuid.UUID(int=...))` spelled out: an import makes three ids per customer, and building
    # the UUID object only to print it was a third of each id's cost.
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


class ImportRefused(ValueError):
    """The file had bad lines; nothing was written."""

    def __init__(self, validation: ImportValidation) -> None:
        super().__init__(f"{len(validation.errors)} bad line(s); nothing was imported")
        self.validation = validation


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: int
    updated: int


def import_customers(
    validation: ImportValidation,
    uow: UnitOfWork,
    clock: Clock,
    *,
    new_id: IdFactory = random_id,
    actor: str = SYSTEM_ACTOR,
    on_progress: Callable[[int], None] | None = None,
    chunk_size: int = IMPORT_CHUNK,
) -> ImportReport:
    """Store every validated customer in one transaction, or nothing when any line was bad.

    Customers go in chunks: one query finds which of a chunk's `external_ref`s exist, the
    chunk's data keys are read, created and reserved together (`prepare_customers`), new
    customers are inserted together, existing ones are read and updated one by one.
    `on_progress` gets the number of customers done after each chunk.
    """
    if not validation.ok:
        raise ImportRefused(validation)
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    with cycle_collector.paused():
        return _import(
            validation.customers,
            uow,
            clock,
            new_id=new_id,
            actor=actor,
            on_progress=on_progress,
            chunk_size=chunk_size,
        )


def _import(
    customers: Sequence[ImportedCustomer],
    uow: UnitOfWork,
    clock: Clock,
    *,
    new_id: IdFactory,
    actor: str,
    on_progress: Callable[[int], None] | None,
    chunk_size: int,
) -> ImportReport:
    created = updated = 0
    with uow:
        for start in range(0, len(customers), chunk_size):
            chunk = customers[start : start + chunk_size]
            stored = uow.customers.existing_refs([imported.external_ref for imported in chunk])
            uow.prepare_customers(list(stored.values()))  # read, then saved re-encrypted
            # The chunk's known customers in a handful of queries, not four per customer.
            known = uow.customers.get_many(list(stored.values())) if stored else {}
            fresh: dict[str, Customer] = {}
            for imported in chunk:
                now = clock.now()
                ref = imported.external_ref
                customer = fresh.get(ref)  # repeated within the chunk: still only in memory
                if customer is None and ref in stored:
                    customer = known[stored[ref]]
                if customer is None:
                    customer = _new_customer(imported, new_id, now_id=new_id())
                    customer.created_at = customer.updated_at = now
                    fresh[ref] = customer
                    created += 1
                    event = "customer.created"
                else:
                    _apply(imported, customer, new_id)
                    customer.updated_at = now
                    if ref not in fresh:
                        uow.customers.save(customer)
                    updated += 1
                    event = "customer.updated"
                uow.audit.record(event, actor, customer.id, _audit_payload(customer), now)
            uow.prepare_customers([customer.id for customer in fresh.values()])
            uow.customers.add_many(list(fresh.values()))
            if on_progress is not None:
                on_progress(start + len(chunk))
        uow.commit()
    return ImportReport(created=created, updated=updated)


def _new_customer(imported: ImportedCustomer, new_id: IdFactory, *, now_id: str) -> Customer:
    customer = Customer(
        id=now_id,
        external_ref=imported.external_ref,
        name=imported.name,
        locale=imported.locale,
        jurisdiction=imported.jurisdiction,
    )
    _apply(imported, customer, new_id)
    return customer


def _apply(imported: ImportedCustomer, customer: Customer, new_id: IdFactory) -> None:
    """Update in place; points match on (channel, address) and keep their status and health.

    A point missing from a re-import is kept: attempt history refers to it, and only the
    customer's own correction retires a detail.
    """
    customer.name = imported.name
    customer.locale = imported.locale
    customer.jurisdiction = imported.jurisdiction
    customer.locations = [Location(zone, source) for zone, source in imported.locations]
    known = {(point.channel, point.address): point for point in customer.contact_points}
    for incoming in imported.contact_points:
        point = known.get((incoming.channel, incoming.address))
        if point is None:
            customer.contact_points.append(_new_point(incoming, new_id()))
        else:
            point.kind = incoming.kind
            point.source = incoming.source
            point.time_zones = incoming.time_zones


def _new_point(incoming: ImportedPoint, point_id: str) -> ContactPoint:
    return ContactPoint(
        id=point_id,
        channel=incoming.channel,
        address=incoming.address,
        kind=incoming.kind,
        source=incoming.source,
        time_zones=incoming.time_zones,
    )


def _audit_payload(customer: Customer) -> dict[str, object]:
    """What changed, by shape only: counts and channels, never a name or an address."""
    return {
        "contact_points": sorted(point.channel.value for point in customer.contact_points),
        "locations": len(customer.locations),
        "jurisdiction": customer.jurisdiction,
    }
