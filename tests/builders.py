# SPDX-License-Identifier: Apache-2.0
"""Builders for domain objects: the one place tests make customers, points, cases and attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rightparty.domain.attempt import Attempt
from rightparty.domain.case import Case, Priority
from rightparty.domain.contact_point import ContactPoint
from rightparty.domain.customer import Customer, Location
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactPointStatus,
    ContactSource,
    Purpose,
)

MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
# Monday 2026-03-02 18:00 UTC is 13:00 in New York: inside every pack's calling window.
AFTERNOON_IN_NEW_YORK = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
NEW_YORK = ("America/New_York",)


def a_mobile(
    point_id: str = "m1",
    address: str = "+8613812345678",
    *,
    channel: Channel = Channel.SMS,
    status: ContactPointStatus = ContactPointStatus.VALID,
    time_zones: tuple[str, ...] = ("Asia/Shanghai",),
) -> ContactPoint:
    return ContactPoint(
        id=point_id,
        channel=channel,
        address=address,
        kind=ContactPointKind.MOBILE,
        source=ContactSource.CUSTOMER_PROVIDED,
        status=status,
        time_zones=time_zones,
    )


def an_email(point_id: str = "e1", address: str = "wxm@example.com") -> ContactPoint:
    return ContactPoint(
        id=point_id,
        channel=Channel.EMAIL,
        address=address,
        kind=ContactPointKind.PERSONAL,
        source=ContactSource.APP,
        status=ContactPointStatus.VALID,
    )


def a_customer(
    customer_id: str = "cust-1",
    *,
    external_ref: str = "C0001",
    name: str = "王小明",
    points: list[ContactPoint] | None = None,
    zones: tuple[str, ...] = ("Asia/Shanghai",),
    jurisdiction: str = "CN",
) -> Customer:
    return Customer(
        id=customer_id,
        external_ref=external_ref,
        name=name,
        locale="zh-CN",
        jurisdiction=jurisdiction,
        locations=[Location(timezone=zone, source="address") for zone in zones],
        contact_points=points if points is not None else [a_mobile(), an_email()],
        created_at=MONDAY_NOON,
        updated_at=MONDAY_NOON,
    )


def a_case(
    case_id: str = "case-1",
    *,
    customer_id: str = "cust-1",
    purpose: Purpose = Purpose.PAYMENT_REMINDER,
    debt_id: str | None = None,
) -> Case:
    return Case(
        id=case_id,
        customer_id=customer_id,
        purpose=purpose,
        plan=purpose.value,
        priority=Priority.NORMAL,
        opened_at=MONDAY_NOON,
        deadline=MONDAY_NOON + timedelta(days=7),
        debt_id=debt_id,
    )


def an_attempt(attempt_id: str = "att-1", *, case: Case | None = None) -> Attempt:
    case = case or a_case()
    return Attempt(
        id=attempt_id,
        case_id=case.id,
        customer_id=case.customer_id,
        contact_point_id="m1",
        channel=Channel.SMS,
        purpose=case.purpose,
        idempotency_key=f"{case.id}:0:{attempt_id}",
        reference_code="RP7K2Q9X",
        created_at=MONDAY_NOON,
        debt_id=case.debt_id,
    )


def a_us_point(
    point_id: str,
    channel: Channel,
    address: str,
    *,
    kind: ContactPointKind = ContactPointKind.MOBILE,
    zones: tuple[str, ...] | None = None,
) -> ContactPoint:
    """A valid, customer-provided point; phone numbers are in New York unless `zones` says."""
    phone = channel in (Channel.SMS, Channel.VOICE)
    return ContactPoint(
        id=point_id,
        channel=channel,
        address=address,
        kind=kind,
        source=ContactSource.CUSTOMER_PROVIDED,
        status=ContactPointStatus.VALID,
        time_zones=zones if zones is not None else (NEW_YORK if phone else ()),
    )


def a_us_customer(customer_id: str, *points: ContactPoint) -> Customer:
    return Customer(
        id=customer_id,
        external_ref=f"R-{customer_id}",
        name="Zoë Washington",
        locale="en-US",
        jurisdiction="US",
        locations=[Location("America/New_York", "address")],
        contact_points=list(points),
        created_at=AFTERNOON_IN_NEW_YORK,
        updated_at=AFTERNOON_IN_NEW_YORK,
    )
