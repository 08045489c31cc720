# SPDX-License-Identifier: Apache-2.0
"""Properties every decision keeps, whatever the facts."""

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.policy import ContactRequest, CustomerFacts
from rightparty.policy.localtime import ZoneClock
from rightparty.usecases.policy_packs import JURISDICTION_PACKS, build_policy, pack_names
from tests.unit.policy.strategies import (
    customers,
    dst_zone_sets,
    instants,
    points,
    requests,
    restrictions,
    zone_sets,
)

pytestmark = pytest.mark.unit

REG_F = build_policy(["us-reg-f"])
POLICIES = [build_policy(names) for names in JURISDICTION_PACKS.values()]
policies = st.sampled_from(POLICIES)
CALL = ContactRequest(Channel.VOICE, "m1", Purpose.COLLECTIONS, "d1")
TIMED_CODES = {
    "QUIET_HOURS",
    "INCONVENIENT_TIME",
    "FREQUENCY_CAP",
    "RECENT_CONVERSATION",
    "DAILY_DIAL_CAP",
    "DAILY_CONVERSATION_CAP",
    "HOLIDAY",
}


def _inside_reg_f_window(zones, now):
    clock = ZoneClock()
    return all(8 * 3600 <= clock.local(zone, now.timestamp())[1] < 21 * 3600 for zone in zones)


@given(zones=zone_sets, now=instants())
def test_a_time_restricted_call_is_allowed_exactly_when_every_candidate_zone_is_in_window(
    zones, now
):
    """Reg F comment 6(b)(1)(i)-2: neither a lawful call blocked nor an unlawful one allowed."""
    customer = CustomerFacts("c1", contact_points=points(zones), location_zones=zones)
    decision = REG_F.evaluate(customer, CALL, now)
    note(f"{decision.reasons}")
    assert decision.allowed is _inside_reg_f_window(zones, now)
    for zone in zones:
        local = now.astimezone(zone)
        if decision.allowed:
            assert 8 <= local.hour < 21


@given(zones=dst_zone_sets, now=instants())
def test_next_opening_is_in_window_everywhere_and_the_second_before_is_not(zones, now):
    """New York, Phoenix and Shanghai, often across New York's DST changes."""
    customer = CustomerFacts("c1", contact_points=points(zones), location_zones=zones)
    decision = REG_F.evaluate(customer, CALL, now)
    if decision.allowed:
        return
    opening = decision.next_allowed_at
    assert opening is not None
    assert opening > now
    assert _inside_reg_f_window(zones, opening)
    before = opening - timedelta(seconds=1)
    assert before < now or not _inside_reg_f_window(zones, before)


@given(
    policy=policies,
    now=instants(),
    data=st.data(),
    target=st.text(min_size=1, max_size=12).filter(lambda text: text != "customer"),
)
def test_no_decision_ever_allows_a_target_that_is_not_the_customer(policy, now, data, target):
    customer = data.draw(customers(now))
    request = replace(data.draw(requests()), target=target)
    decision = policy.evaluate(customer, request, now)
    assert decision.allowed is False
    forbidden = {
        reason.rule for reason in decision.reasons if reason.code == "THIRD_PARTY_FORBIDDEN"
    }
    assert forbidden == {f"{pack.name}/third-party" for pack in policy.packs}
    assert decision.next_allowed_at is None


@given(policy=policies, now=instants(), data=st.data())
def test_adding_a_restriction_never_turns_a_block_into_an_allow(policy, now, data):
    customer = data.draw(customers(now))
    request = data.draw(requests())
    added = data.draw(restrictions(now))
    stricter = replace(customer, restrictions=(*customer.restrictions, added))
    before = policy.evaluate(customer, request, now)
    after = policy.evaluate(stricter, request, now)
    note(f"added {added}")
    if not before.allowed:
        assert not after.allowed
    assert set(before.reasons) <= set(after.reasons)


@given(policy=policies, now=instants(), data=st.data())
def test_re_deciding_at_next_allowed_passes_and_a_second_earlier_does_not(policy, now, data):
    customer = data.draw(customers(now, with_restrictions=data.draw(st.booleans())))
    request = data.draw(requests())
    decision = policy.evaluate(customer, request, now)
    opening = decision.next_allowed_at
    if opening is None:
        return
    note(f"{decision.reasons} -> {opening}")
    assert {reason.code for reason in decision.reasons} <= TIMED_CODES
    assert opening > now
    later = policy.evaluate(customer, request, opening)
    assert later.allowed, later.reasons
    before = opening - timedelta(seconds=1)
    if before >= now:
        assert not policy.evaluate(customer, request, before).allowed


@given(now=instants(), data=st.data())
def test_every_pack_reports_every_rule_whatever_the_request(now, data):
    policy = build_policy(pack_names())
    customer = data.draw(customers(now))
    decision = policy.evaluate(customer, data.draw(requests()), now)
    assert [item.rule for item in decision.evaluated] == [rule.id for rule in policy.rules]
    blocked = [item.rule for item in decision.evaluated if item.result == "block"]
    assert blocked == [reason.rule for reason in decision.reasons]
