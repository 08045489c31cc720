# SPDX-License-Identifier: Apache-2.0
"""Reg F call frequency (12 CFR 1006.14(b)) as the official commentary counts it.

Dates are in 2026, when 14 August is a Friday as in the commentary's own example.
"""

from datetime import timedelta

import pytest

from tests.unit.policy.builders import (
    LA_MOBILE,
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

MONDAY_MORNING = utc("2026-08-10T09:00:00-04:00")


def _calls(count, start=MONDAY_MORNING, outcome="no_answer", **kwargs):
    return [call(start + timedelta(minutes=minute), outcome, **kwargs) for minute in range(count)]


def test_seventh_call_within_seven_days_is_allowed():
    """1006.14(b)(2)(i)(A): compliance is presumed at 7 or fewer calls."""
    document = scenario(utc("2026-08-11T10:00:00-04:00"), history=_calls(6))
    assert decide("us-reg-f", document)["allowed"] is True


def test_eighth_call_within_seven_days_is_blocked():
    """1006.14(b)(2)(i)(A): more than 7 calls within 7 consecutive days is a presumed violation."""
    document = scenario(utc("2026-08-11T10:00:00-04:00"), history=_calls(7))
    decision = decide("us-reg-f", document)
    assert codes(decision) == {"FREQUENCY_CAP"}
    assert decision["reasons"][0]["rule"] == "us-reg-f/call-frequency"


def test_call_cap_lifts_on_the_eighth_local_day_at_the_window_opening():
    """The oldest of the seven calls was on Monday 10 August (day 1); Monday 17 August is the
    first day of a 7-day window without it, and calls start at 08:00."""
    document = scenario(utc("2026-08-11T10:00:00-04:00"), history=_calls(7))
    assert next_allowed(decide("us-reg-f", document)) == utc("2026-08-17T08:00:00-04:00")


def _april(day, hour):
    return utc(f"2026-04-{day:02d}T{hour:02d}:00:00-04:00")


def _comment_14b2i_1_i_calls():
    """A call on Wednesday 1 April leaving a limited-content message, then six unanswered calls
    from Thursday 2 to Tuesday 7 April (2026 falls on the same weekdays as the commentary)."""
    first = call(_april(1, 18), "voicemail")
    return [first, *(call(_april(day, 10), "no_answer") for day in (2, 3, 4, 5, 6, 7))]


def test_comment_14b2i_1_i_a_call_on_the_eighth_day_keeps_the_presumption_of_compliance():
    """Comment 14(b)(2)(i)-1.i: seven calls from Wednesday 1 to Tuesday 7 April; the next call
    on Wednesday 8 April complies, even earlier in the day than the first call was."""
    history = _comment_14b2i_1_i_calls()
    assert decide("us-reg-f", scenario(_april(8, 9), history=history))["allowed"] is True


def test_comment_14b2ii_1_i_an_eighth_call_within_the_seven_days_is_a_presumed_violation():
    """Comment 14(b)(2)(ii)-1.i: a call on 1 April, two on each of 2, 3 and 6 April; the call
    on Tuesday 7 April is the eighth within the seven-day period starting 1 April."""
    history = [call(_april(1, 10), "voicemail")] + [
        call(_april(day, hour), "no_answer") for day in (2, 3, 6) for hour in (10, 15)
    ]
    decision = decide("us-reg-f", scenario(_april(7, 11), history=history))
    assert codes(decision) == {"FREQUENCY_CAP"}
    assert next_allowed(decision) == _april(8, 8)


def test_comment_14b4_2_i_calls_counted_toward_other_debts_do_not_count_toward_this_one():
    """Comment 14(b)(4)-2.i: seven unanswered calls counted toward each of two debts leave the
    third debt's count untouched."""
    history = _calls(7, debt="medical") + _calls(
        7, MONDAY_MORNING + timedelta(hours=2), debt="card-a"
    )
    now = utc("2026-08-11T10:00:00-04:00")
    for debt, allowed in (("medical", False), ("card-a", False), ("card-b", True)):
        document = scenario(now, history=history, request_=request(debt_id=debt))
        assert decide("us-reg-f", document)["allowed"] is allowed


def test_seven_calls_on_sunday_still_count_on_monday():
    """compliance-rules §5.4: calendar-week buckets are wrong; the window is any 7 days."""
    sunday = utc("2026-08-16T10:00:00-04:00")
    document = scenario(utc("2026-08-17T10:00:00-04:00"), history=_calls(7, sunday))
    assert codes(decide("us-reg-f", document)) == {"FREQUENCY_CAP"}


@pytest.mark.parametrize("uncounted", ["busy", "not_in_service", "invalid_number"])
def test_calls_that_did_not_connect_do_not_count(uncounted):
    """Comment 14(b)-1, 1006.14(b)(3)(ii): busy and not-in-service calls are not placed calls."""
    history = _calls(6) + _calls(5, MONDAY_MORNING + timedelta(hours=1), uncounted)
    document = scenario(utc("2026-08-11T10:00:00-04:00"), history=history)
    assert decide("us-reg-f", document)["allowed"] is True


@pytest.mark.parametrize("counted", ["no_answer", "voicemail", "answered_third_party", "hung_up"])
def test_unanswered_and_voicemail_calls_count(counted):
    """Comment 14(b)-1: a call that rang unanswered or reached voicemail is a placed call."""
    document = scenario(utc("2026-08-11T10:00:00-04:00"), history=_calls(7, outcome=counted))
    assert "FREQUENCY_CAP" in codes(decide("us-reg-f", document))


def test_texts_are_not_calls():
    history = _calls(7, outcome="delivered", channel="sms")
    document = scenario(utc("2026-08-11T10:00:00-04:00"), history=history)
    assert decide("us-reg-f", document)["allowed"] is True


def test_calls_to_every_number_of_the_person_add_up():
    """1006.14(b)(2)(i): calls to a particular person, whatever the number."""
    points = [point(), point("m2", LA_MOBILE)]
    history = _calls(4) + _calls(3, MONDAY_MORNING + timedelta(hours=2), point_id="m2")
    document = scenario(utc("2026-08-11T13:00:00-04:00"), points=points, history=history)
    assert codes(decide("us-reg-f", document)) == {"FREQUENCY_CAP"}


def test_calls_to_a_wrong_party_number_drop_out_of_the_count():
    """Comment 14(b)(2)(i)-3: calls to a number learnt not to be the person's do not count."""
    points = [point(), point("m2", LA_MOBILE, status="wrong_party")]
    history = _calls(7, point_id="m2")
    document = scenario(utc("2026-08-11T13:00:00-04:00"), points=points, history=history)
    assert decide("us-reg-f", document)["allowed"] is True


def test_a_call_about_several_debts_counts_for_each():
    """Comment 14(b)(4)-1: a call discussing several debts counts toward each of them."""
    history = _calls(7, debt=["d1", "d2"])
    now = utc("2026-08-11T10:00:00-04:00")
    for debt, allowed in (("d1", False), ("d2", False), ("d3", True)):
        document = scenario(now, history=history, request_=request(debt_id=debt))
        assert decide("us-reg-f", document)["allowed"] is allowed


def test_calls_about_another_debt_do_not_count():
    """1006.14(b)(2)(i): the count is per particular debt."""
    document = scenario(
        utc("2026-08-11T10:00:00-04:00"), history=_calls(7), request_=request(debt_id="d2")
    )
    assert decide("us-reg-f", document)["allowed"] is True


def test_a_call_recorded_without_a_debt_counts_toward_every_debt():
    document = scenario(
        utc("2026-08-11T10:00:00-04:00"),
        history=_calls(7, debt=None),
        request_=request(debt_id="d9"),
    )
    assert codes(decide("us-reg-f", document)) == {"FREQUENCY_CAP"}


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        ("2026-08-20T10:00:00-04:00", False),
        ("2026-08-21T07:59:59-04:00", False),
        ("2026-08-21T08:00:00-04:00", True),
    ],
)
def test_comment_14b2i_1_ii_conversation_on_friday_14_august_allows_a_call_on_friday_21(
    now, allowed
):
    """Comment 14(b)(2)(i)-1.ii: the conversation's date is day 1; the next call is day 8."""
    history = [call(utc("2026-08-14T15:00:00-04:00"), "conversation")]
    decision = decide("us-reg-f", scenario(utc(now), history=history))
    assert decision["allowed"] is allowed
    if not allowed:
        assert next_allowed(decision) == utc("2026-08-21T08:00:00-04:00")


def test_conversation_cooldown_reports_recent_conversation():
    history = [call(utc("2026-08-14T15:00:00-04:00"), "conversation")]
    decision = decide("us-reg-f", scenario(utc("2026-08-17T10:00:00-04:00"), history=history))
    assert codes(decision) == {"RECENT_CONVERSATION"}


def test_comment_14b2ii_1_ii_consumer_initiated_conversation_starts_the_period():
    """Comment 14(b)(2)(ii)-1.ii: a consumer-initiated conversation on Thursday 13 August allows
    the next call on Thursday 20 August."""
    history = [call(utc("2026-08-13T11:00:00-04:00"), "conversation", direction="inbound")]
    decision = decide("us-reg-f", scenario(utc("2026-08-19T11:00:00-04:00"), history=history))
    assert codes(decision) == {"RECENT_CONVERSATION"}
    assert next_allowed(decision) == utc("2026-08-20T08:00:00-04:00")


def test_a_voicemail_is_not_a_conversation():
    history = [call(utc("2026-08-14T15:00:00-04:00"), "voicemail")]
    document = scenario(utc("2026-08-15T10:00:00-04:00"), history=history)
    assert decide("us-reg-f", document)["allowed"] is True


def test_conversation_cooldown_blocks_calls_not_texts():
    history = [call(utc("2026-08-14T15:00:00-04:00"), "conversation")]
    document = scenario(
        utc("2026-08-15T10:00:00-04:00"),
        history=history,
        request_=request("sms", purpose="collections"),
    )
    assert decide("us-reg-f", document)["allowed"] is True


def test_a_conversation_about_another_debt_does_not_start_this_debts_period():
    history = [call(utc("2026-08-14T15:00:00-04:00"), "conversation", debt="d2")]
    document = scenario(utc("2026-08-15T10:00:00-04:00"), history=history)
    assert decide("us-reg-f", document)["allowed"] is True


def test_both_prongs_are_reported_when_both_block():
    history = [*_calls(6), call(MONDAY_MORNING + timedelta(hours=3), "conversation")]
    decision = decide("us-reg-f", scenario(utc("2026-08-11T10:00:00-04:00"), history=history))
    assert codes(decision) == {"FREQUENCY_CAP", "RECENT_CONVERSATION"}
    assert next_allowed(decision) == utc("2026-08-17T08:00:00-04:00")
