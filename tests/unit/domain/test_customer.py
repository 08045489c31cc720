# SPDX-License-Identifier: Apache-2.0
from datetime import time, timedelta

import pytest

from rightparty.domain.consent import ConsentAction, ConsentEntry, ConsentSource, current_consents
from rightparty.domain.customer import Customer
from rightparty.domain.errors import ContactPointNotFound, ThirdPartyDataRefused
from rightparty.domain.restriction import InconvenientTime, OptOut
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointStatus,
    OptOutScope,
    Purpose,
)
from tests.builders import MONDAY_NOON, a_customer, a_mobile, an_email

pytestmark = pytest.mark.unit


def test_candidate_zones_join_locations_and_valid_phone_zones_without_duplicates():
    customer = a_customer(
        zones=("America/Los_Angeles",),
        points=[
            a_mobile("m1", "+12125550100", channel=Channel.VOICE, time_zones=("America/New_York",)),
            a_mobile("m2", time_zones=("Asia/Shanghai",), status=ContactPointStatus.WRONG_PARTY),
            a_mobile("m3", "+12125550101", time_zones=("America/New_York",)),
            an_email(),
        ],
    )
    assert customer.candidate_time_zones() == ("America/Los_Angeles", "America/New_York")


def test_an_unknown_contact_point_is_a_typed_error_without_the_address():
    customer = a_customer()
    with pytest.raises(ContactPointNotFound) as caught:
        customer.contact_point("nope")
    assert "+86" not in str(caught.value)
    assert caught.value.contact_point_id == "nope"


def test_addressable_points_skip_dead_numbers():
    customer = a_customer(
        points=[a_mobile("m1"), a_mobile("m2", status=ContactPointStatus.INVALID), an_email()]
    )
    assert [point.id for point in customer.addressable_points(Channel.SMS)] == ["m1"]


def test_the_customer_model_has_no_place_for_anyone_elses_details():
    forbidden = {"contacts", "phone_book", "address_book", "emergency_contacts", "references"}
    assert not set(Customer.__dataclass_fields__) & forbidden
    assert "rightparty keeps no one's details" in str(ThirdPartyDataRefused("contacts"))


def test_a_later_revocation_cancels_a_grant():
    grant = ConsentEntry(
        Purpose.MARKETING, Channel.SMS, ConsentAction.GRANTED, ConsentSource.APP, MONDAY_NOON
    )
    revoke = ConsentEntry(
        Purpose.MARKETING,
        Channel.SMS,
        ConsentAction.REVOKED,
        ConsentSource.INBOUND_SMS,
        MONDAY_NOON + timedelta(days=1),
    )
    assert current_consents([revoke, grant]) == {}
    assert current_consents([grant]) == {(Purpose.MARKETING, Channel.SMS): grant}


def test_scoped_opt_out_must_name_what_it_covers():
    with pytest.raises(ValueError, match="must name its channel"):
        OptOut(scope=OptOutScope.CHANNEL, at=MONDAY_NOON)
    assert OptOut(scope=OptOutScope.ALL, at=MONDAY_NOON).channel is None


def test_inconvenient_time_weekdays_are_zero_to_six():
    with pytest.raises(ValueError, match="0 \\(Monday\\)"):
        InconvenientTime(weekdays=frozenset({7}), start=time(9), end=time(17))
