# SPDX-License-Identifier: Apache-2.0
"""Superseded contact points and targeted cases in the domain model."""

from dataclasses import replace
from datetime import timedelta

import pytest

from rightparty.domain.vocabulary import Channel, ContactPointStatus, Outcome
from tests.builders import MONDAY_NOON, a_case, a_customer, a_mobile, an_email

pytestmark = pytest.mark.unit


def test_a_superseded_point_leaves_regular_use_but_keeps_its_status_and_history():
    point = a_mobile()
    point.supersede(MONDAY_NOON)
    assert point.superseded
    assert not point.addressable
    assert point.status is ContactPointStatus.VALID
    point.supersede(MONDAY_NOON + timedelta(days=1))
    assert point.superseded_at == MONDAY_NOON  # the first replacement is the one that counts
    point.record_outcome(Outcome.DELIVERED, MONDAY_NOON + timedelta(hours=1))
    assert not point.addressable  # reaching it for the notice does not bring it back


def test_a_customers_regular_points_and_zones_leave_out_a_superseded_point():
    old, new = a_mobile("m1"), a_mobile("m2", "+12125550100", time_zones=("America/New_York",))
    customer = a_customer(points=[old, new, an_email()], zones=())
    old.supersede(MONDAY_NOON)
    assert [point.id for point in customer.addressable_points(Channel.SMS)] == ["m2"]
    assert customer.candidate_time_zones() == ("America/New_York",)
    assert customer.contact_point("m1") is old  # still there for the attempts that refer to it


def test_a_case_is_targeted_only_when_it_names_points():
    assert not a_case().targeted
    assert replace(a_case(), contact_point_ids=("m1",)).targeted
    with pytest.raises(ValueError, match="at least one"):
        replace(a_case(), contact_point_ids=())
