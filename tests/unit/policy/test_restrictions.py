# SPDX-License-Identifier: Apache-2.0
"""Cease, attorney, legal holds, opt-outs, inconvenient times and places."""

from datetime import timedelta

import pytest

from tests.unit.policy.builders import (
    US_PACKS,
    codes,
    decide,
    email,
    iso,
    point,
    reasons_of,
    request,
    scenario,
    utc,
)

pytestmark = pytest.mark.unit

NOW = utc("2026-03-03T11:00:00-05:00")  # a Tuesday


def _decide(packs, restrictions, request_=None, points=None, now=NOW):
    return decide(packs, scenario(now, restrictions=restrictions, request_=request_, points=points))


def test_cease_communication_takes_effect_at_receipt():
    """12 CFR 1006.6(c)(1), comment 6(c)(1)-1: in force once the notice is received."""
    cease = [{"type": "cease_communication", "debt_id": "d1", "received_at": iso(NOW)}]
    assert _decide("us-reg-f", cease, now=NOW - timedelta(seconds=1))["allowed"] is True
    decision = _decide("us-reg-f", cease)
    assert codes(decision) == {"CEASE_COMMUNICATION"}
    assert decision["next_allowed_at"] is None


def test_cease_communication_covers_only_its_debt():
    cease = [{"type": "cease_communication", "debt_id": "d1", "received_at": iso(NOW)}]
    assert _decide("us-reg-f", cease, request_=request(debt_id="d2"))["allowed"] is True


def test_cease_communication_covers_a_request_that_names_no_debt():
    cease = [{"type": "cease_communication", "debt_id": "d1", "received_at": iso(NOW)}]
    decision = _decide("us-reg-f", cease, request_=request(debt_id=None))
    assert codes(decision) == {"CEASE_COMMUNICATION"}


def test_cease_communication_does_not_stop_a_fraud_alert():
    cease = [{"type": "cease_communication", "debt_id": "d1", "received_at": iso(NOW)}]
    alert = request("sms", purpose="security_alert", debt_id=None)
    assert _decide(US_PACKS, cease, request_=alert)["allowed"] is True


def test_attorney_representation_blocks_that_debt_only():
    """12 CFR 1006.6(b)(2): no direct contact about a debt on which the consumer is represented."""
    attorney = [{"type": "attorney_represented", "debt_id": "d1", "since": iso(NOW)}]
    assert codes(_decide("us-reg-f", attorney)) == {"ATTORNEY_REPRESENTED"}
    assert _decide("us-reg-f", attorney, request_=request(debt_id="d2"))["allowed"] is True


@pytest.mark.parametrize(
    ("reason", "purpose", "allowed"),
    [
        ("bankruptcy", "collections", False),
        ("bankruptcy", "security_alert", True),
        ("dispute", "payment_reminder", False),
        ("deceased", "security_alert", False),
        ("deceased", "marketing", False),
    ],
)
def test_legal_holds_stop_the_purposes_they_cover(reason, purpose, allowed):
    hold = [{"type": "legal_hold", "reason": reason, "since": iso(NOW - timedelta(days=1))}]
    debt = "d1" if purpose in ("collections", "payment_reminder") else None
    decision = _decide(
        "bank-baseline", hold, request_=request("sms", purpose=purpose, debt_id=debt)
    )
    assert ("LEGAL_HOLD" not in codes(decision)) is allowed
    if not allowed:
        assert decision["next_allowed_at"] is None


@pytest.mark.parametrize(
    ("opt_out", "blocked_request", "other_request"),
    [
        (
            {"scope": "channel", "channel": "sms"},
            request("sms", purpose="payment_reminder"),
            request("voice", purpose="payment_reminder"),
        ),
        (
            {"scope": "contact_point", "contact_point_id": "m1"},
            request("sms", "m1", "payment_reminder"),
            request("email", "e1", "payment_reminder"),
        ),
        (
            {"scope": "purpose", "purpose": "payment_reminder"},
            request("sms", purpose="payment_reminder"),
            request("sms", purpose="account_notice", debt_id=None),
        ),
    ],
)
def test_opt_out_covers_exactly_its_scope(opt_out, blocked_request, other_request):
    """12 CFR 1006.14(h): a medium or an address; GDPR Art 21: a purpose."""
    restriction = [{"type": "opt_out", "at": iso(NOW - timedelta(hours=1)), **opt_out}]
    points = [point(), email()]
    blocked = _decide("bank-baseline", restriction, blocked_request, points)
    assert codes(blocked) == {"OPTED_OUT"}
    assert blocked["next_allowed_at"] is None
    assert _decide("bank-baseline", restriction, other_request, points)["allowed"] is True


def test_opt_out_of_everything_stops_even_security_alerts():
    restriction = [{"type": "opt_out", "scope": "all", "at": iso(NOW - timedelta(hours=1))}]
    alert = request("sms", purpose="security_alert", debt_id=None)
    assert codes(_decide("bank-baseline", restriction, alert)) == {"OPTED_OUT"}


def test_opt_out_applies_from_its_own_instant():
    restriction = [{"type": "opt_out", "scope": "all", "at": iso(NOW + timedelta(seconds=1))}]
    assert _decide("bank-baseline", restriction)["allowed"] is True


@pytest.mark.parametrize(
    ("local_now", "allowed"),
    [
        ("2026-03-03T08:59:59-05:00", True),
        ("2026-03-03T09:00:00-05:00", False),
        ("2026-03-03T16:59:59-05:00", False),
        ("2026-03-03T17:00:00-05:00", True),
        ("2026-03-07T12:00:00-05:00", True),  # a Saturday: not a designated weekday
    ],
)
def test_inconvenient_time_is_half_open_and_weekly(local_now, allowed):
    """12 CFR 1006.6(b)(1): a time the consumer designates; DESIGN §8.2: half-open."""
    busy = [
        {"type": "inconvenient_time", "weekdays": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}
    ]
    decision = _decide("us-reg-f", busy, now=utc(local_now))
    assert decision["allowed"] is allowed
    if not allowed:
        assert codes(decision) == {"INCONVENIENT_TIME"}
        assert decision["next_allowed_at"] == "2026-03-03T22:00:00Z"


def test_inconvenient_time_across_midnight_wraps():
    night = [{"type": "inconvenient_time", "start": "20:00", "end": "10:00"}]
    decision = _decide("us-reg-f", night, now=utc("2026-03-03T20:30:00-05:00"))
    assert codes(decision) == {"INCONVENIENT_TIME"}
    assert decision["next_allowed_at"] == "2026-03-04T15:00:00Z"


def test_workplace_restriction_blocks_the_work_number():
    """12 CFR 1006.6(b)(3): no contact at a workplace the consumer says forbids it."""
    points = [point(), point("w1", "+12125550199", kind="work")]
    restriction = [{"type": "inconvenient_place", "place": "workplace"}]
    at_work = _decide("us-reg-f", restriction, request(contact_point_id="w1"), points)
    assert codes(at_work) == {"WORKPLACE_PROHIBITED"}
    assert _decide("us-reg-f", restriction, request(), points)["allowed"] is True


def test_employer_email_needs_direct_consent():
    """12 CFR 1006.22(f)(3): no email to an address known to be employer-provided."""
    points = [point(), email("w1", kind="work")]
    work_email = request("email", "w1", "collections")
    decision = _decide("us-reg-f", [], work_email, points)
    assert reasons_of(decision, "WORKPLACE_PROHIBITED") == ["us-reg-f/employer-email"]
    consent = {
        "purpose": "collections",
        "channel": "email",
        "granted_at": iso(NOW - timedelta(days=3)),
        "source": "consumer_direct",
    }
    document = scenario(NOW, points=points, request_=work_email, consents=[consent])
    assert decide("us-reg-f", document)["allowed"] is True
