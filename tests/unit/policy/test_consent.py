# SPDX-License-Identifier: Apache-2.0
"""Consent per purpose and channel, its source, and revocation by any means."""

from datetime import timedelta

import pytest

from tests.unit.policy.builders import (
    LONDON_PHONE,
    SHANGHAI_MOBILE,
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
MARKETING_SMS = request("sms", purpose="marketing", debt_id=None)


def consent(
    purpose="marketing", channel="sms", *, days_ago=30, revoked=None, source="consumer_direct"
):
    item = {
        "purpose": purpose,
        "channel": channel,
        "granted_at": iso(NOW - timedelta(days=days_ago)),
        "source": source,
    }
    if revoked is not None:
        item["revoked_at"] = iso(revoked)
    return item


def test_tcpa_marketing_text_without_consent_is_blocked():
    """47 CFR 64.1200(a)(2): telemarketing texts need prior express written consent."""
    decision = decide("us-tcpa", scenario(NOW, request_=MARKETING_SMS))
    assert reasons_of(decision, "NO_CONSENT") == ["us-tcpa/marketing-consent"]


def test_tcpa_marketing_text_with_consent_is_allowed():
    document = scenario(NOW, request_=MARKETING_SMS, consents=[consent()])
    assert decide("us-tcpa", document)["allowed"] is True


def test_consent_for_another_channel_does_not_count():
    document = scenario(NOW, request_=MARKETING_SMS, consents=[consent(channel="email")])
    assert codes(decide("us-tcpa", document)) == {"NO_CONSENT"}


def test_revocation_by_any_means_is_honoured_at_once():
    """47 CFR 64.1200(a)(10): revoked by any reasonable means; honoured here at once."""
    revoked = consent(revoked=NOW - timedelta(minutes=1))
    decision = decide("us-tcpa", scenario(NOW, request_=MARKETING_SMS, consents=[revoked]))
    assert set(reasons_of(decision, "NO_CONSENT")) == {
        "us-tcpa/marketing-consent",
        "us-tcpa/revocation",
    }
    assert decision["next_allowed_at"] is None


def test_consent_granted_again_after_revocation_counts():
    revoked = consent(days_ago=30, revoked=NOW - timedelta(days=10))
    again = consent(days_ago=2)
    document = scenario(NOW, request_=MARKETING_SMS, consents=[revoked, again])
    assert decide("us-tcpa", document)["allowed"] is True


def test_a_revocation_covers_its_own_purpose_until_revoke_all_takes_effect():
    """The revoke-all scope is waived until 2027-01-31 (DA 26-12) [S]."""
    reminder = request("sms", purpose="payment_reminder")
    before = scenario(NOW, request_=reminder, consents=[consent(revoked=NOW - timedelta(days=1))])
    assert decide("us-tcpa", before)["allowed"] is True
    later = utc("2027-02-02T11:00:00-05:00")
    after = scenario(
        later,
        request_=reminder,
        consents=[consent(revoked=utc("2027-02-01T10:00:00-05:00"))],
    )
    assert reasons_of(decide("us-tcpa", after), "NO_CONSENT") == ["us-tcpa/revocation"]


@pytest.mark.parametrize(
    ("source", "allowed"),
    [("customer_provided", True), ("app", True), ("public_record", False)],
)
def test_tcpa_prior_express_consent_follows_where_the_number_came_from(source, allowed):
    """47 CFR 64.1200(a)(1): a number the customer gave stands for prior express consent."""
    points = [point(source=source)]
    document = scenario(NOW, points=points, request_=request("sms", purpose="payment_reminder"))
    decision = decide("us-tcpa", document)
    assert decision["allowed"] is allowed
    if not allowed:
        assert reasons_of(decision, "NO_CONSENT") == ["us-tcpa/prior-express-consent"]


def test_explicit_consent_covers_a_number_from_a_public_record():
    points = [point(source="public_record")]
    document = scenario(
        NOW,
        points=points,
        request_=request("sms", purpose="payment_reminder"),
        consents=[consent("payment_reminder")],
    )
    assert decide("us-tcpa", document)["allowed"] is True


@pytest.mark.parametrize(
    ("channel", "allowed"),
    [("email", True), ("sms", True), ("voice", False)],
)
def test_eprivacy_soft_opt_in_covers_email_and_sms_only(channel, allowed):
    """Directive 2002/58/EC Art 13(2): soft opt-in for email (and SMS) only."""
    points = [point("m1", LONDON_PHONE), email()]
    target = "e1" if channel == "email" else "m1"
    document = scenario(
        utc("2026-03-03T11:00:00+00:00"),
        points=points,
        request_=request(channel, target, "marketing", debt_id=None),
        consents=[consent(channel=channel, source="soft_opt_in")],
    )
    assert decide("eu-gdpr", document)["allowed"] is allowed


def test_marketing_letters_need_no_consent_under_gdpr_but_do_in_china():
    letter = point("p1", "1 Main Street", channel="letter", kind="postal")
    for packs, zone, allowed in (
        ("eu-gdpr", "Europe/London", True),
        ("cn-collections", "Asia/Shanghai", False),
    ):
        document = scenario(
            utc("2026-03-03T03:00:00Z"),
            points=[letter, point("m1", SHANGHAI_MOBILE)],
            zones=(zone,),
            request_=request("letter", "p1", "marketing", debt_id=None),
        )
        assert decide(packs, document)["allowed"] is allowed
