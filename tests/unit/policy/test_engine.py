# SPDX-License-Identifier: Apache-2.0
"""What every decision carries, and how packs compose."""

import re
from datetime import datetime, tzinfo

import pytest

from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.policy import ContactPointFacts, ContactRequest, CustomerFacts, NaiveNowError
from rightparty.usecases.policy_packs import build_policy, load_pack, pack_names
from tests.unit.policy.builders import (
    US_PACKS,
    codes,
    decide,
    request,
    scenario,
    utc,
)

pytestmark = pytest.mark.unit

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_decision_json_has_exactly_the_contract_keys_in_order():
    decision = decide(US_PACKS, scenario(utc("2026-03-02T22:00:00-05:00")))
    assert list(decision) == ["allowed", "packs", "reasons", "next_allowed_at", "evaluated"]
    assert decision["packs"] == [
        {"name": name, "version": load_pack(name).version} for name in US_PACKS
    ]
    assert all(set(reason) == {"code", "rule", "message"} for reason in decision["reasons"])
    assert all(set(item) == {"rule", "result"} for item in decision["evaluated"])
    assert ISO_UTC.match(decision["next_allowed_at"])


def test_every_rule_of_every_pack_is_reported_once_in_pack_order():
    decision = decide(US_PACKS, scenario(utc("2026-03-02T12:00:00-05:00")))
    reported = [item["rule"] for item in decision["evaluated"]]
    expected = [
        rule
        for name in US_PACKS
        for rule in (
            f"{name}/third-party",
            f"{name}/contact-point",
            *(rule.id for rule in load_pack(name).rules),
        )
    ]
    assert reported == expected
    assert {item["result"] for item in decision["evaluated"]} <= {
        "pass",
        "block",
        "not_applicable",
    }


def test_a_rule_that_does_not_cover_the_channel_and_purpose_is_not_applicable():
    decision = decide("us-tcpa", scenario(utc("2026-03-02T12:00:00-05:00")))
    results = {item["rule"]: item["result"] for item in decision["evaluated"]}
    assert results["us-tcpa/marketing-consent"] == "not_applicable"
    assert results["us-tcpa/prior-express-consent"] == "pass"


def test_allowed_means_no_reasons_and_no_next_instant():
    decision = decide(US_PACKS, scenario(utc("2026-03-02T12:00:00-05:00")))
    assert decision["allowed"] is True
    assert decision["reasons"] == []
    assert decision["next_allowed_at"] is None
    assert "block" not in {item["result"] for item in decision["evaluated"]}


def test_blocking_rules_are_exactly_the_reasons():
    decision = decide(US_PACKS, scenario(utc("2026-03-02T22:00:00-05:00")))
    blocked = [item["rule"] for item in decision["evaluated"] if item["result"] == "block"]
    assert blocked == [reason["rule"] for reason in decision["reasons"]]
    assert blocked == ["us-reg-f/time-window", "bank-baseline/quiet-hours"]


def test_packs_compose_so_the_most_restrictive_wins():
    """bank-baseline's marketing hours (09:00-20:00) are stricter than us-tcpa's (08:00-21:00)."""
    marketing = request("sms", purpose="marketing", debt_id=None)
    consent = {
        "purpose": "marketing",
        "channel": "sms",
        "granted_at": "2025-01-01T00:00:00Z",
        "source": "consumer_direct",
    }
    document = scenario(utc("2026-03-03T08:30:00-05:00"), request_=marketing, consents=[consent])
    assert decide("us-tcpa", document)["allowed"] is True
    combined = decide(("us-tcpa", "bank-baseline"), document)
    assert codes(combined) == {"QUIET_HOURS"}
    assert combined["next_allowed_at"] == "2026-03-03T14:00:00Z"


def test_a_block_that_waiting_cannot_lift_clears_next_allowed_even_with_a_timed_block():
    document = scenario(
        utc("2026-03-02T22:00:00-05:00"),
        restrictions=[
            {"type": "cease_communication", "debt_id": "d1", "received_at": "2026-01-01T00:00:00Z"}
        ],
    )
    decision = decide("us-reg-f", document)
    assert codes(decision) == {"QUIET_HOURS", "CEASE_COMMUNICATION"}
    assert decision["next_allowed_at"] is None


def test_same_facts_and_instant_give_the_same_decision():
    document = scenario(utc("2026-03-02T22:00:00-05:00"))
    assert decide(pack_names(), document) == decide(pack_names(), document)


def test_naive_now_is_refused():
    policy = build_policy(["us-reg-f"])
    customer = CustomerFacts("c1", contact_points=(ContactPointFacts("m1", Channel.VOICE),))
    naive = datetime(2026, 3, 2, 12)  # noqa: DTZ001 - the point of the test
    with pytest.raises(NaiveNowError):
        policy.evaluate(customer, ContactRequest(Channel.VOICE, "m1", Purpose.COLLECTIONS), naive)


class _NoOffset(tzinfo):
    """A zone that knows no offset: Python counts a datetime in it as naive."""

    def utcoffset(self, dt):
        return None


def test_now_in_a_zone_without_an_offset_is_refused_as_naive():
    policy = build_policy(["us-reg-f"])
    customer = CustomerFacts("c1", contact_points=(ContactPointFacts("m1", Channel.VOICE),))
    now = datetime(2026, 3, 2, 12, tzinfo=_NoOffset())
    with pytest.raises(NaiveNowError):
        policy.evaluate(customer, ContactRequest(Channel.VOICE, "m1", Purpose.COLLECTIONS), now)


def test_compiled_policies_are_shared_per_ordered_set_of_packs():
    assert build_policy(["us-reg-f", "us-tcpa"]) is build_policy(["us-reg-f", "us-tcpa"])
    assert build_policy(["us-reg-f", "us-tcpa"]) is not build_policy(["us-tcpa", "us-reg-f"])
