# SPDX-License-Identifier: Apache-2.0
"""China: daily dial and conversation caps, quiet hours and the statutory holiday calendar.

CBA 2026 consumer-loan collection guideline [S]: at most 6 unanswered dials to one contact method
a day. GB/T 45251-2025 [S]: at most 3 effective conversations with a debtor a day.
"""

from datetime import timedelta

import pytest

from tests.unit.policy.builders import (
    SHANGHAI_MOBILE,
    SHANGHAI_MOBILE_2,
    call,
    codes,
    decide,
    next_allowed,
    point,
    request,
    scenario,
    utc,
)

pytestmark = pytest.mark.unit

POINTS = [point("m1", SHANGHAI_MOBILE), point("m2", SHANGHAI_MOBILE_2)]
MORNING = utc("2026-03-03T09:00:00+08:00")  # a Tuesday
NOON = utc("2026-03-03T12:00:00+08:00")


def _dials(count, outcome="no_answer", start=MORNING, **kwargs):
    return [call(start + timedelta(minutes=5 * i), outcome, **kwargs) for i in range(count)]


def _decide(now, history, request_=None):
    return decide(
        "cn-collections", scenario(now, points=POINTS, history=history, request_=request_)
    )


def test_cba_2026_sixth_unanswered_dial_of_the_day_is_allowed():
    assert _decide(NOON, _dials(5))["allowed"] is True


def test_cba_2026_seventh_unanswered_dial_to_one_number_in_a_day_is_blocked():
    decision = _decide(NOON, _dials(6))
    assert codes(decision) == {"DAILY_DIAL_CAP"}
    assert next_allowed(decision) == utc("2026-03-04T08:00:00+08:00")


@pytest.mark.parametrize("outcome", ["busy", "powered_off", "declined", "voicemail", "timeout"])
def test_cba_2026_every_dial_that_reached_no_one_counts_as_unanswered(outcome):
    assert codes(_decide(NOON, _dials(6, outcome))) == {"DAILY_DIAL_CAP"}


def test_cba_2026_dial_cap_is_per_contact_point():
    decision = _decide(NOON, _dials(6), request_=request(contact_point_id="m2"))
    assert decision["allowed"] is True


def test_cba_2026_yesterdays_dials_do_not_count_today():
    yesterday = MORNING - timedelta(days=1)
    assert _decide(NOON, _dials(6, start=yesterday))["allowed"] is True


def test_cba_2026_answered_calls_are_not_unanswered_dials():
    history = _dials(5) + _dials(2, "conversation", start=MORNING + timedelta(hours=1))
    assert _decide(NOON, history)["allowed"] is True


def test_gb_t_45251_fourth_conversation_of_the_day_is_blocked():
    history = _dials(3, "conversation")
    decision = _decide(NOON, history, request_=request(contact_point_id="m2"))
    assert codes(decision) == {"DAILY_CONVERSATION_CAP"}
    assert next_allowed(decision) == utc("2026-03-04T08:00:00+08:00")


def test_gb_t_45251_counts_conversations_across_the_debtors_numbers():
    history = _dials(2, "conversation") + _dials(
        1, "answered_right_party", start=MORNING + timedelta(hours=1), point_id="m2"
    )
    assert codes(_decide(NOON, history)) == {"DAILY_CONVERSATION_CAP"}


def test_gb_t_45251_calls_the_debtor_made_do_not_count():
    history = _dials(3, "conversation", direction="inbound")
    assert _decide(NOON, history)["allowed"] is True


def test_daily_caps_reset_at_beijing_midnight():
    history = _dials(6)
    assert _decide(utc("2026-03-03T23:59:59+08:00"), history)["allowed"] is False
    assert _decide(utc("2026-03-04T08:00:00+08:00"), history)["allowed"] is True


@pytest.mark.parametrize(
    ("now", "code"),
    [
        ("2026-02-17T10:00:00+08:00", "HOLIDAY"),  # Spring Festival
        ("2026-01-02T10:00:00+08:00", "HOLIDAY"),  # a Friday off in lieu of Sunday 4 January
        ("2026-02-14T10:00:00+08:00", None),  # a Saturday worked in lieu (调休)
        ("2026-01-04T10:00:00+08:00", None),  # a Sunday worked in lieu
    ],
)
def test_collection_calls_follow_the_statutory_holiday_calendar(now, code):
    decision = _decide(utc(now), [])
    assert codes(decision) == ({code} if code else set())


def test_holiday_block_lifts_on_the_first_day_that_is_not_a_holiday():
    """Saturday 21 February falls inside the 2026 Spring Festival break but is an ordinary
    weekend day, not a holiday or a day off in lieu; the rule covers holidays only."""
    decision = _decide(utc("2026-02-17T10:00:00+08:00"), [])
    assert next_allowed(decision) == utc("2026-02-21T08:00:00+08:00")


def test_holidays_do_not_stop_a_security_alert():
    document = scenario(
        utc("2026-02-17T10:00:00+08:00"),
        points=POINTS,
        request_=request("sms", purpose="security_alert", debt_id=None),
    )
    assert decide("cn-collections", document)["allowed"] is True
