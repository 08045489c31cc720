# SPDX-License-Identifier: Apache-2.0
"""Purposes: urgent alerts around the clock within caps, exemptions and their conditions."""

from datetime import timedelta

import pytest

from tests.unit.policy.builders import (
    SHANGHAI_MOBILE,
    US_PACKS,
    call,
    codes,
    decide,
    iso,
    next_allowed,
    point,
    reasons_of,
    request,
    scenario,
    utc,
)

pytestmark = pytest.mark.unit

NIGHT = utc("2026-03-03T03:00:00-05:00")
ALERT = request("sms", purpose="security_alert", debt_id=None, event_id="ev1")


def _alerts(count, start, event="ev1", channel="sms"):
    return [
        call(
            start + timedelta(hours=hour),
            "delivered",
            debt=None,
            purpose="security_alert",
            channel=channel,
            event_id=event,
        )
        for hour in range(count)
    ]


def test_security_alert_goes_out_in_the_middle_of_the_night():
    assert decide(US_PACKS, scenario(NIGHT, request_=ALERT))["allowed"] is True


def test_a_payment_reminder_text_waits_for_the_morning():
    reminder = request("sms", purpose="payment_reminder")
    assert codes(decide(US_PACKS, scenario(NIGHT, request_=reminder))) == {"QUIET_HOURS"}


def test_fraud_alert_exemption_allows_three_messages_per_event_in_three_days():
    """FCC 2015 Omnibus Order paras 127-139 [S]: at most 3 messages per event over 3 days."""
    first = NIGHT - timedelta(days=2)
    history = _alerts(3, first)
    decision = decide("us-tcpa", scenario(NIGHT, request_=ALERT, history=history))
    assert reasons_of(decision, "FREQUENCY_CAP") == ["us-tcpa/fraud-alert-cap"]
    assert next_allowed(decision) == first + timedelta(hours=72)
    assert decide("us-tcpa", scenario(NIGHT, history=_alerts(2, first), request_=ALERT))["allowed"]


def test_fraud_alert_cap_counts_per_event():
    history = _alerts(3, NIGHT - timedelta(days=1), event="ev0")
    assert decide("us-tcpa", scenario(NIGHT, request_=ALERT, history=history))["allowed"] is True


def test_consent_to_security_alerts_makes_the_exemption_and_its_cap_unnecessary():
    history = _alerts(3, NIGHT - timedelta(days=1))
    granted = {
        "purpose": "security_alert",
        "channel": "sms",
        "granted_at": iso(NIGHT - timedelta(days=30)),
        "source": "app",
    }
    document = scenario(NIGHT, request_=ALERT, history=history, consents=[granted])
    assert decide("us-tcpa", document)["allowed"] is True


def test_a_fraud_alert_may_not_carry_collection_content():
    alert = request("sms", purpose="security_alert", debt_id="d1", event_id="ev1")
    decision = decide("us-tcpa", scenario(NIGHT, request_=alert))
    assert codes(decision) == {"COLLECTION_CONTENT_FORBIDDEN"}
    assert decision["next_allowed_at"] is None


def test_bank_caps_security_alerts_at_ten_a_day_on_every_channel():
    history = _alerts(6, NIGHT - timedelta(hours=12)) + _alerts(
        4, NIGHT - timedelta(hours=5), event="ev2", channel="voice"
    )
    decision = decide("bank-baseline", scenario(NIGHT, request_=ALERT, history=history))
    assert reasons_of(decision, "FREQUENCY_CAP") == ["bank-baseline/security-alert-cap"]


def test_collections_never_use_push():
    points = [point(), point("t1", "token", channel="push", kind="push_token")]
    document = scenario(
        utc("2026-03-03T11:00:00-05:00"), points=points, request_=request("push", "t1")
    )
    assert reasons_of(decide("bank-baseline", document), "CHANNEL_NOT_ALLOWED") == [
        "bank-baseline/no-collections-by-push"
    ]


MARKETING = request("sms", purpose="marketing", debt_id=None)
MARKETING_CONSENT = {
    "purpose": "marketing",
    "channel": "sms",
    "granted_at": "2025-01-01T00:00:00Z",
    "source": "consumer_direct",
}


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        ("2026-02-14T11:00:00+08:00", True),  # Saturday worked in lieu of the Spring Festival
        ("2026-02-15T11:00:00+08:00", False),  # an ordinary Sunday
        ("2026-02-17T11:00:00+08:00", False),  # Spring Festival
        ("2026-02-24T11:00:00+08:00", True),  # a Tuesday
    ],
)
def test_house_marketing_waits_for_working_days_of_the_customers_country(now, allowed):
    document = scenario(
        utc(now),
        points=[point("m1", SHANGHAI_MOBILE)],
        request_=MARKETING,
        consents=[MARKETING_CONSENT],
    )
    decision = decide("bank-baseline", document)
    assert decision["allowed"] is allowed
    if not allowed:
        assert codes(decision) == {"HOLIDAY"}


def test_house_marketing_rest_days_follow_an_explicit_jurisdiction():
    """A US number, but the customer's declared jurisdiction is Saudi Arabia (Friday-Saturday
    weekend): Sunday is a working day there, Saturday is not."""
    saturday = utc("2026-03-07T11:00:00-05:00")
    sunday = utc("2026-03-08T11:00:00-04:00")
    document = scenario(saturday, request_=MARKETING, consents=[MARKETING_CONSENT])
    assert codes(decide("bank-baseline", document)) == {"HOLIDAY"}
    document["customer"]["jurisdiction"] = "SA"
    assert codes(decide("bank-baseline", document)) == {"HOLIDAY"}
    document["now"] = iso(sunday)
    assert decide("bank-baseline", document)["allowed"] is True
