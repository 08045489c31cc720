# SPDX-License-Identifier: Apache-2.0
"""Changing a customer's contact details, and telling them on the old and on the new address.

A change of phone number or email is how an account is taken over, so every change opens two
`account_notice` cases targeted at specific points: one at the replaced point, which is kept for
history (attempts refer to it) and taken out of regular use (`ContactPoint.superseded_at`), and
one at the new point. The policy engine still decides each attempt of both.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rightparty.domain.clock import Clock
from rightparty.domain.contact_point import ContactPoint
from rightparty.domain.customer import Customer
from rightparty.domain.errors import RightpartyError
from rightparty.domain.vocabulary import Channel, ContactPointKind, ContactSource, Purpose
from rightparty.usecases.contact_normalisation import (
    AddressInvalid,
    PhoneFacts,
    describe_address,
)
from rightparty.usecases.customers import IdFactory, random_id
from rightparty.usecases.orchestration.cases import OpenCase, open_case_in
from rightparty.usecases.plans.catalogue import PlanCatalogue, default_plans
from rightparty.usecases.ports import UnitOfWork

NOTICE = Purpose.ACCOUNT_NOTICE
_DEFAULT_KINDS = {
    Channel.EMAIL: ContactPointKind.PERSONAL,
    Channel.PUSH: ContactPointKind.PUSH_TOKEN,
    Channel.LETTER: ContactPointKind.POSTAL,
}


class ChangeRefusal(StrEnum):
    ADDRESS_INVALID = "address_invalid"
    CHANNEL_MISMATCH = "channel_mismatch"
    ALREADY_SUPERSEDED = "already_superseded"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    NOT_NOTIFIABLE = "not_notifiable"


class ContactChangeRefused(RightpartyError):
    """The change was refused and nothing was written; the message never repeats the address."""

    code = "CONTACT_CHANGE_REFUSED"

    def __init__(self, customer_id: str, reason: ChangeRefusal, detail: str) -> None:
        super().__init__(f"contact change for customer {customer_id} refused ({reason}): {detail}")
        self.customer_id = customer_id
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ChangeContactPoint:
    """`address` as the customer gave it; `replaces` names the point whose address changes, or is
    None to add a new point on `channel`. `region` reads phone numbers without a `+` (default:
    the customer's jurisdiction)."""

    customer_id: str
    channel: Channel
    address: str
    source: ContactSource
    actor: str
    replaces: str | None = None
    kind: ContactPointKind | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class ContactChange:
    """The new point, the points told on the old side, and the notice cases opened."""

    contact_point_id: str
    notified_old: tuple[str, ...]
    notice_case_ids: tuple[str, ...]


def change_contact_point(
    command: ChangeContactPoint,
    uow: UnitOfWork,
    clock: Clock,
    *,
    plans: PlanCatalogue | None = None,
    new_id: IdFactory = random_id,
) -> ContactChange:
    """Record the change and open its notices, all in one transaction or not at all.

    Raises `CustomerNotFound`, `ContactPointNotFound` (an unknown `replaces`) or
    `ContactChangeRefused`.
    """
    catalogue = plans or default_plans()
    notice_channels = {step.channel for step in catalogue.for_purpose(NOTICE).steps}
    with uow:
        now = clock.now()
        customer = uow.customers.get(command.customer_id)
        old = customer.contact_point(command.replaces) if command.replaces else None
        address, phone = _validated_address(command, customer, old, notice_channels)
        old_side = _old_side(customer, old, notice_channels)
        point = _new_point(command, address, phone, new_id())
        if old is not None:
            old.supersede(now)
        customer.contact_points.append(point)
        customer.updated_at = now
        uow.customers.save(customer)
        cases = [
            open_case_in(
                OpenCase(command.customer_id, NOTICE, command.actor, contact_point_ids=targets),
                uow,
                now,
                plans=catalogue,
                new_id=new_id,
            )
            for targets in (old_side, (point.id,))
            if targets
        ]
        uow.audit.record(
            "contact_point.changed",
            command.actor,
            customer.id,
            _audit_payload(point, old, old_side, cases),
            now,
        )
        uow.commit()
    return ContactChange(point.id, old_side, tuple(cases))


def _validated_address(
    command: ChangeContactPoint,
    customer: Customer,
    old: ContactPoint | None,
    notice_channels: set[Channel],
) -> tuple[str, PhoneFacts | None]:
    def refuse(reason: ChangeRefusal, detail: str) -> ContactChangeRefused:
        return ContactChangeRefused(customer.id, reason, detail)

    if old is not None and old.channel is not command.channel:
        detail = f"point {old.id} is on {old.channel.value}, not {command.channel.value}"
        raise refuse(ChangeRefusal.CHANNEL_MISMATCH, detail)
    if old is not None and old.superseded:
        raise refuse(ChangeRefusal.ALREADY_SUPERSEDED, f"point {old.id} was already replaced")
    if command.channel not in notice_channels:
        detail = f"the {NOTICE.value} plan cannot tell the customer on {command.channel.value}"
        raise refuse(ChangeRefusal.NOT_NOTIFIABLE, detail)
    region = command.region or customer.jurisdiction.split("-", 1)[0]
    try:
        address, phone = describe_address(command.channel, command.address, region)
    except AddressInvalid as error:
        raise refuse(ChangeRefusal.ADDRESS_INVALID, str(error)) from error
    if old is not None and old.address == address:
        raise refuse(ChangeRefusal.UNCHANGED, f"point {old.id} already has that address")
    for point in customer.addressable_points(command.channel):
        if point.address == address:
            raise refuse(ChangeRefusal.DUPLICATE, f"point {point.id} already has that address")
    return address, phone


def _old_side(
    customer: Customer, old: ContactPoint | None, notice_channels: set[Channel]
) -> tuple[str, ...]:
    """Where the customer could be told before the change: the replaced point itself while it
    is not known to be dead or someone else's; otherwise (or when a point is only added) every
    point in regular use on a channel the notice plan covers. May be empty."""
    if old is not None and old.status.addressable:
        return (old.id,)
    return tuple(
        point.id
        for point in customer.contact_points
        if point.addressable and point.channel in notice_channels
    )


def _new_point(
    command: ChangeContactPoint, address: str, phone: PhoneFacts | None, point_id: str
) -> ContactPoint:
    default = phone.kind if phone is not None else _DEFAULT_KINDS[command.channel]
    return ContactPoint(
        id=point_id,
        channel=command.channel,
        address=address,
        kind=command.kind or default,
        source=command.source,
        time_zones=phone.time_zones if phone is not None else (),
    )


def _audit_payload(
    point: ContactPoint,
    old: ContactPoint | None,
    old_side: tuple[str, ...],
    cases: list[str],
) -> dict[str, object]:
    """What changed, by reference only: ids, channel, kind and source, never an address."""
    return {
        "contact_point_id": point.id,
        "channel": point.channel.value,
        "kind": point.kind.value,
        "source": point.source.value,
        "superseded_contact_point_id": old.id if old is not None else None,
        "notified_old": list(old_side),
        "notice_case_ids": cases,
    }
