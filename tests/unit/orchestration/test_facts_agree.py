# SPDX-License-Identifier: Apache-2.0
"""The worker and `rightparty policy check` must decide alike: the facts the worker builds from
a stored customer equal the facts `policy check` builds from the same customer's plain records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rightparty.domain.attempt import AttemptHistoryEntry
from rightparty.domain.consent import ConsentAction, ConsentEntry, ConsentSource
from rightparty.domain.restriction import OptOut
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointStatus,
    Direction,
    OptOutScope,
    Outcome,
    Purpose,
)
from rightparty.policy.facts import HistoryEntry
from rightparty.usecases import policy_facts
from rightparty.usecases.contact_normalisation import describe_phone
from rightparty.usecases.orchestration import facts as worker_facts
from tests.builders import MONDAY_NOON, a_customer, a_mobile, an_email

pytestmark = pytest.mark.unit

BOSTON_MOBILE = "+16175550123"


def _massachusetts_customer():
    points = [
        a_mobile("m1", BOSTON_MOBILE, time_zones=describe_phone(BOSTON_MOBILE, None).time_zones),
        a_mobile("m2", "+8613812345678", status=ContactPointStatus.WRONG_PARTY),
        an_email("e1"),
    ]
    customer = a_customer(points=points, zones=("America/New_York",), jurisdiction="us-ma")
    customer.consents = [
        ConsentEntry(
            Purpose.MARKETING, Channel.SMS, ConsentAction.GRANTED, ConsentSource.APP, MONDAY_NOON
        ),
        ConsentEntry(
            Purpose.MARKETING,
            Channel.SMS,
            ConsentAction.REVOKED,
            ConsentSource.CONSUMER_DIRECT,
            MONDAY_NOON + timedelta(days=1),
        ),
    ]
    customer.restrictions = [
        OptOut(scope=OptOutScope.CHANNEL, channel=Channel.EMAIL, at=MONDAY_NOON)
    ]
    return customer


def _attempts() -> list[AttemptHistoryEntry]:
    return [
        AttemptHistoryEntry(
            id=f"a{day}",
            case_id="case-1",
            contact_point_id="m1",
            channel=Channel.VOICE,
            purpose=Purpose.COLLECTIONS,
            idempotency_key=f"k{day}",
            created_at=MONDAY_NOON - timedelta(days=day),
            debt_id="debt-1",
            outcome=Outcome.NO_ANSWER,
            sent_at=MONDAY_NOON - timedelta(days=day, minutes=-1),
        )
        for day in (3, 1, 2)
    ]


def test_the_worker_and_policy_check_build_the_same_facts():
    customer = _massachusetts_customer()
    attempts = _attempts()
    from_worker = worker_facts.customer_facts(customer, attempts)
    from_records = policy_facts.customer_facts(
        customer.id,
        contact_points=[
            policy_facts.ContactPointRecord(
                point.id, point.channel, point.address, point.status, point.kind, point.source
            )
            for point in customer.contact_points
        ],
        timezones=[location.timezone for location in customer.locations],
        consents=worker_facts.consent_periods(customer.consents),
        restrictions=customer.restrictions,
        history=[
            HistoryEntry(
                at=attempt.sent_at or attempt.created_at,
                channel=attempt.channel,
                outcome=attempt.outcome or Outcome.NO_ANSWER,
                direction=Direction.OUTBOUND,
                contact_point_id=attempt.contact_point_id,
                debt_ids=frozenset({"debt-1"}),
                purpose=attempt.purpose,
            )
            for attempt in attempts
        ],
        jurisdiction=customer.jurisdiction,
    )
    assert from_worker == from_records
    assert from_worker.jurisdictions == ("US-MA",), "Massachusetts holidays apply"
