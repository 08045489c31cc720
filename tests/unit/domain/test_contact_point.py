# SPDX-License-Identifier: Apache-2.0
from datetime import timedelta

import pytest

from rightparty.domain.vocabulary import ContactPointStatus, Outcome
from tests.builders import MONDAY_NOON, a_mobile

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (Outcome.ANSWERED_THIRD_PARTY, ContactPointStatus.WRONG_PARTY),
        (Outcome.WRONG_NUMBER, ContactPointStatus.WRONG_PARTY),
        (Outcome.INVALID_NUMBER, ContactPointStatus.INVALID),
        (Outcome.NOT_IN_SERVICE, ContactPointStatus.INVALID),
        (Outcome.BOUNCED_HARD, ContactPointStatus.INVALID),
        (Outcome.NO_ANSWER, ContactPointStatus.UNVERIFIED),
        (Outcome.HUNG_UP, ContactPointStatus.UNVERIFIED),
        (Outcome.DELIVERED, ContactPointStatus.VALID),
    ],
)
def test_outcome_moves_an_unverified_point_to_the_status_it_proves(outcome, status):
    point = a_mobile(status=ContactPointStatus.UNVERIFIED)
    assert point.record_outcome(outcome, MONDAY_NOON) is status
    assert point.health.last_outcome is outcome


def test_three_device_failures_in_a_row_degrade_a_point_and_reaching_it_resets():
    point = a_mobile()
    for hour in range(3):
        point.record_outcome(Outcome.POWERED_OFF, MONDAY_NOON + timedelta(hours=hour))
    assert point.health.degraded
    assert point.status is ContactPointStatus.VALID
    point.record_outcome(Outcome.ANSWERED_RIGHT_PARTY, MONDAY_NOON + timedelta(days=1))
    assert not point.health.degraded
    assert point.last_confirmed_at == MONDAY_NOON + timedelta(days=1)


def test_wrong_party_and_invalid_points_are_not_addressable():
    assert not a_mobile(status=ContactPointStatus.WRONG_PARTY).addressable
    assert not a_mobile(status=ContactPointStatus.INVALID).addressable
    assert a_mobile(status=ContactPointStatus.UNVERIFIED).addressable


def test_customer_confirmation_restores_a_point_and_clears_its_health():
    point = a_mobile(status=ContactPointStatus.INVALID)
    point.record_outcome(Outcome.NOT_IN_SERVICE, MONDAY_NOON)
    point.confirm(MONDAY_NOON + timedelta(days=2))
    assert point.status is ContactPointStatus.VALID
    assert point.health.consecutive_failures == 0
