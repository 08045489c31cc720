# SPDX-License-Identifier: Apache-2.0
"""Time windows: half-open, in every candidate zone, never a default zone."""

import pytest

from tests.unit.policy.builders import (
    DENVER_PHONE,
    LA_MOBILE,
    LONDON_PHONE,
    SHANGHAI_MOBILE,
    codes,
    decide,
    email,
    next_allowed,
    point,
    request,
    scenario,
    utc,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("local_now", "allowed"),
    [
        ("2026-03-02T07:59:59-05:00", False),
        ("2026-03-02T08:00:00-05:00", True),
        ("2026-03-02T20:59:59-05:00", True),
        ("2026-03-02T21:00:00-05:00", False),
        ("2026-03-02T23:30:00-05:00", False),
    ],
)
def test_reg_f_window_is_half_open_8_to_21_local(local_now, allowed):
    """12 CFR 1006.6(b)(1)(i): before 8:00 a.m. and after 9:00 p.m. is inconvenient; 21:00:00
    itself is uncertain [U] and blocked."""
    decision = decide("us-reg-f", scenario(utc(local_now)))
    assert decision["allowed"] is allowed
    assert codes(decision) == (set() if allowed else {"QUIET_HOURS"})


def test_blocked_call_names_the_next_window_opening():
    decision = decide("us-reg-f", scenario(utc("2026-03-02T21:00:00-05:00")))
    assert next_allowed(decision) == utc("2026-03-03T08:00:00-05:00")
    assert decision["next_allowed_at"] == "2026-03-03T13:00:00Z"


@pytest.mark.parametrize(
    ("eastern_now", "allowed"),
    [
        ("2026-03-02T10:59:59-05:00", False),
        ("2026-03-02T11:00:00-05:00", True),
        ("2026-03-02T20:59:59-05:00", True),
        ("2026-03-02T21:00:00-05:00", False),
    ],
)
def test_comment_6b1i_2_eastern_mobile_and_pacific_address_allow_11_to_21_eastern(
    eastern_now, allowed
):
    """Comment 6(b)(1)(i)-2: mobile in Eastern, address in Pacific: 11:00-21:00 Eastern."""
    document = scenario(utc(eastern_now), zones=("America/Los_Angeles",))
    assert decide("us-reg-f", document)["allowed"] is allowed


@pytest.mark.parametrize(
    ("eastern_now", "allowed"),
    [
        ("2026-03-02T09:59:59-05:00", False),
        ("2026-03-02T10:00:00-05:00", True),
        ("2026-03-02T20:59:59-05:00", True),
    ],
)
def test_comment_6b1i_2_eastern_mobile_and_mountain_landline_allow_10_to_21_eastern(
    eastern_now, allowed
):
    """Comment 6(b)(1)(i)-2: mobile in Eastern, landline in Mountain: 10:00-21:00 Eastern."""
    points = [point(), point("l1", DENVER_PHONE, kind="landline")]
    assert decide("us-reg-f", scenario(utc(eastern_now), points=points))["allowed"] is allowed


def test_next_allowed_is_the_opening_of_the_intersection_of_zones():
    document = scenario(utc("2026-03-02T09:00:00-05:00"), zones=("America/Los_Angeles",))
    decision = decide("us-reg-f", document)
    assert next_allowed(decision) == utc("2026-03-02T11:00:00-05:00")


def test_reg_f_window_covers_email_sent_at_night():
    """Comment 6(b)(1)(i)-1: an email occurs when sent; every medium is covered."""
    document = scenario(
        utc("2026-03-02T21:30:00-05:00"),
        points=[point(), email()],
        request_=request("email", "e1", "payment_reminder"),
    )
    assert codes(decide("us-reg-f", document)) == {"QUIET_HOURS"}


def test_which_channels_a_window_covers_is_the_packs_to_say():
    document = scenario(
        utc("2026-03-02T21:30:00-05:00"),
        points=[point(), email()],
        request_=request("email", "e1", "payment_reminder"),
    )
    assert decide("bank-baseline", document)["allowed"] is True


def test_customer_without_any_zone_is_blocked_and_waiting_does_not_help():
    document = scenario(
        utc("2026-03-02T15:00:00-05:00"),
        points=[email()],
        request_=request("email", "e1", "collections"),
    )
    decision = decide("us-reg-f", document)
    assert codes(decision) == {"UNKNOWN_TIMEZONE"}
    assert decision["next_allowed_at"] is None


@pytest.mark.parametrize("status", ["invalid", "wrong_party"])
def test_a_number_that_is_not_the_customers_gives_no_zone(status):
    """07:00 in Los Angeles would block, but that number is invalid or someone else's."""
    points = [point(), point("m2", LA_MOBILE, status=status)]
    document = scenario(utc("2026-03-02T10:00:00-05:00"), points=points)
    assert decide("us-reg-f", document)["allowed"] is True


def test_unverified_numbers_still_give_candidate_zones():
    points = [point(), point("m2", LA_MOBILE, status="unverified")]
    document = scenario(utc("2026-03-02T10:00:00-05:00"), points=points)
    assert codes(decide("us-reg-f", document)) == {"QUIET_HOURS"}


@pytest.mark.parametrize(
    ("beijing_now", "allowed"),
    [
        ("2026-03-02T07:59:59+08:00", False),
        ("2026-03-02T08:00:00+08:00", True),
        ("2026-03-02T21:59:59+08:00", True),
        ("2026-03-02T22:00:00+08:00", False),
    ],
)
def test_china_collection_is_not_made_22_to_08(beijing_now, allowed):
    """CBA 2026 collection guideline [S]: no collection of any kind 22:00-08:00."""
    document = scenario(utc(beijing_now), points=[point("m1", SHANGHAI_MOBILE)])
    assert decide("cn-collections", document)["allowed"] is allowed


def test_china_window_also_holds_in_beijing_time_for_a_customer_abroad():
    """Which clock applies abroad is uncertain [U]; the pack also requires Beijing time."""
    document = scenario(
        utc("2026-03-02T15:00:00+00:00"), points=[point("m1", LONDON_PHONE, kind="landline")]
    )
    decision = decide("cn-collections", document)
    assert codes(decision) == {"QUIET_HOURS"}
    assert "Asia/Shanghai" in decision["reasons"][0]["message"]
    assert next_allowed(decision) == utc("2026-03-03T08:00:00+00:00")
