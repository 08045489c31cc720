# SPDX-License-Identifier: Apache-2.0
"""Only the customer, only at the customer's own usable points, in every pack, always."""

import pytest

from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.policy import ContactPointFacts, ContactRequest, CustomerFacts, Pack, Policy
from rightparty.usecases.policy_packs import PackFormatError, pack_names, parse_pack
from tests.unit.policy.builders import (
    codes,
    decide,
    email,
    point,
    reasons_of,
    request,
    scenario,
    utc,
)

pytestmark = pytest.mark.unit

NOW = utc("2026-03-03T11:00:00-05:00")


@pytest.mark.parametrize("target", ["spouse", "guarantor", "employer", "Customer", ""])
def test_any_target_but_the_customer_is_forbidden_by_every_pack(target):
    packs = pack_names()
    document = scenario(NOW, request_=request(target=target or " "))
    decision = decide(packs, document)
    assert decision["allowed"] is False
    assert sorted(reasons_of(decision, "THIRD_PARTY_FORBIDDEN")) == sorted(
        f"{name}/third-party" for name in packs
    )
    assert decision["next_allowed_at"] is None


def test_unknown_contact_point_is_blocked():
    decision = decide("us-reg-f", scenario(NOW, request_=request(contact_point_id="m9")))
    assert codes(decision) == {"CONTACT_POINT_UNKNOWN"}
    assert decision["next_allowed_at"] is None


@pytest.mark.parametrize("status", ["invalid", "wrong_party"])
def test_invalid_and_wrong_party_points_are_blocked(status):
    document = scenario(NOW, points=[point(status=status)], zones=("America/New_York",))
    decision = decide("us-reg-f", document)
    assert codes(decision) == {"CONTACT_POINT_INVALID"}
    assert decision["next_allowed_at"] is None


@pytest.mark.parametrize(
    ("points", "request_", "allowed"),
    [
        ([point(kind="mobile")], request("sms"), True),
        ([point(kind="landline")], request("sms"), False),
        ([point(channel="sms")], request("voice"), True),
        ([point(), email()], request("email", "m1"), False),
        ([point(), email()], request("voice", "e1"), False),
    ],
)
def test_a_point_serves_only_the_channels_it_can_take(points, request_, allowed):
    decision = decide("us-reg-f", scenario(NOW, points=points, request_=request_))
    assert decision["allowed"] is allowed
    if not allowed:
        assert codes(decision) == {"CHANNEL_NOT_ALLOWED"}


def test_a_pack_cannot_declare_or_replace_the_third_party_rule():
    text = """
name: loose
version: "1"
title: tries to allow third parties
rules:
  - {id: third-party, type: opt_out, source: none}
"""
    with pytest.raises(PackFormatError, match="reserved"):
        parse_pack(text, "loose.yaml")
    with pytest.raises(PackFormatError, match="type"):
        parse_pack(text.replace("id: third-party, type: opt_out", "id: x, type: third_party"), "x")


def test_a_pack_without_rules_still_forbids_third_parties():
    """The engine adds the rule itself: a pack with no rules at all still blocks a third party."""
    policy = Policy([Pack("empty", "0", "no rules", ())])
    customer = CustomerFacts("c1", contact_points=(ContactPointFacts("m1", Channel.VOICE),))
    decision = policy.evaluate(
        customer, ContactRequest(Channel.VOICE, "m1", Purpose.COLLECTIONS, target="spouse"), NOW
    )
    assert decision.codes == {"THIRD_PARTY_FORBIDDEN"}
