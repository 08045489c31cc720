# SPDX-License-Identifier: Apache-2.0
"""The engine's shortcuts never change a decision (rules left out for a customer's traits, the
lazily built history index, the reused shapes of blocked decisions, formatted clock times), and a
policy does its one-off work when it is compiled, not while deciding."""

import copy
import pickle
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.domain.vocabulary import Channel, Outcome
from rightparty.policy import Counter, CustomerFacts, Policy, ScopeKey
from rightparty.policy.facts import (
    ATTORNEYS,
    CEASES,
    HISTORY,
    INCONVENIENT_PLACES,
    INCONVENIENT_TIMES,
    JURISDICTIONS,
    LEGAL_HOLDS,
    OPT_OUTS,
    REVOCATIONS,
    WORK_POINTS,
)
from rightparty.policy.history import UNATTRIBUTED, HistoryIndex
from rightparty.policy.localtime import DAY, HOUR, clock_text
from rightparty.usecases.policy_packs import (
    JURISDICTION_PACKS,
    build_policy,
    load_pack,
    pack_names,
)
from tests.unit.policy.strategies import DEBTS, customers, history, instants, requests

pytestmark = pytest.mark.unit

EVERY_TRAIT = (
    CEASES
    | ATTORNEYS
    | LEGAL_HOLDS
    | OPT_OUTS
    | INCONVENIENT_TIMES
    | INCONVENIENT_PLACES
    | REVOCATIONS
    | WORK_POINTS
    | JURISDICTIONS
    | HISTORY
)
POLICIES = [build_policy(names) for names in JURISDICTION_PACKS.values()]
POLICIES.append(build_policy(pack_names()))


def _with_every_trait(customer: CustomerFacts) -> CustomerFacts:
    """The same facts, claiming every trait: the engine then runs every rule."""
    twin = CustomerFacts(
        customer.id,
        contact_points=customer.contact_points,
        location_zones=customer.location_zones,
        consents=customer.consents,
        restrictions=customer.restrictions,
        history=customer.history,
        jurisdictions=customer.jurisdictions,
    )
    object.__setattr__(twin, "traits", EVERY_TRAIT)
    return twin


@given(policy=st.sampled_from(POLICIES), now=instants(), data=st.data())
def test_leaving_out_rules_for_missing_traits_never_changes_a_decision(policy, now, data):
    customer = data.draw(customers(now, with_restrictions=data.draw(st.booleans())))
    request = data.draw(requests())
    later = now + timedelta(seconds=data.draw(st.integers(0, 2 * DAY)))
    for moment in (now, later, now):
        decided = policy.evaluate(customer, request, moment)
        assert decided == policy.evaluate(_with_every_trait(customer), request, moment)
        assert decided.to_json() == policy.evaluate(customer, request, moment).to_json()


def test_a_customer_has_exactly_the_traits_of_its_facts():
    bare = CustomerFacts("c1")
    assert bare.traits == 0
    assert CustomerFacts("c1", jurisdictions=("US",)).traits == JURISDICTIONS


def _brute_force(index_entries, counter, values):
    """The definition: an entry counts toward a value it has or a key it has no value on."""
    found = []
    for entry in index_entries:
        if entry.channel not in counter.channels or entry.outcome not in counter.outcomes:
            continue
        if entry.direction not in counter.directions:
            continue
        if counter.purposes is not None and entry.purpose not in (None, *counter.purposes):
            continue
        have = {
            ScopeKey.DEBT: tuple(entry.debt_ids) or (UNATTRIBUTED,),
            ScopeKey.CONTACT_POINT: (entry.contact_point_id or UNATTRIBUTED,),
            ScopeKey.CHANNEL: (entry.channel,),
            ScopeKey.EVENT: (entry.event_id or UNATTRIBUTED,),
        }
        if all(
            value is None or value in have[key] or have[key] == (UNATTRIBUTED,)
            for key, value in zip(counter.scope, values, strict=True)
        ):
            found.append(entry.at.timestamp())
    return tuple(sorted(found))


SCOPES = st.sampled_from(
    [
        (),
        (ScopeKey.DEBT,),
        (ScopeKey.EVENT,),
        (ScopeKey.DEBT, ScopeKey.CONTACT_POINT),
        (ScopeKey.CHANNEL, ScopeKey.DEBT, ScopeKey.EVENT),
    ]
)


@given(now=instants(), scope=SCOPES, data=st.data())
def test_the_index_counts_what_the_definition_counts(now, scope, data):
    entries = data.draw(history(now))
    index = HistoryIndex(entries)
    counter = Counter(
        channels=frozenset({Channel.VOICE, Channel.SMS}),
        outcomes=frozenset({Outcome.NO_ANSWER, Outcome.CONVERSATION, Outcome.DELIVERED}),
        scope=scope,
    )
    choices = {
        ScopeKey.DEBT: st.sampled_from((*DEBTS, None)),
        ScopeKey.CONTACT_POINT: st.sampled_from(("m1", "m2", None)),
        ScopeKey.CHANNEL: st.sampled_from((Channel.VOICE, Channel.SMS, None)),
        ScopeKey.EVENT: st.sampled_from(("ev1", "ev2", None)),
    }
    for _ in range(3):
        values = tuple(data.draw(choices[key]) for key in scope)
        expected = _brute_force(entries, counter, values)
        assert index.instants(counter, values) == expected
        assert index.instants(counter, values) == expected  # and again, from the index
        assert len(expected) <= index.size == len(entries)


def test_clock_text_reads_every_minute_of_the_day_and_beyond():
    for seconds in (*range(0, DAY + 1, 59), 59.9, DAY - 0.5, DAY + 60, 30 * HOUR, -60):
        whole = int(seconds)
        assert clock_text(seconds) == f"{whole // HOUR:02d}:{whole % HOUR // 60:02d}"


def test_equal_counters_share_a_token_and_a_copy_is_rebuilt_from_its_fields():
    made = Counter(channels=frozenset({Channel.VOICE}), outcomes=frozenset({Outcome.BUSY}))
    again = Counter(channels=frozenset({Channel.VOICE}), outcomes=frozenset({Outcome.BUSY}))
    other = Counter(channels=frozenset({Channel.SMS}), outcomes=frozenset({Outcome.BUSY}))
    assert made.token == again.token != other.token
    pickled = pickle.loads(pickle.dumps(made))  # noqa: S301 - bytes this test just made
    for copied in (pickled, copy.deepcopy(made), copy.copy(made)):
        assert copied == made
        assert copied.token == made.token
        assert hash(copied) == hash(made)


def test_a_policy_asks_for_its_packs_fixed_calendars_when_it_is_compiled():
    asked = []

    def source(code):
        asked.append(code)

    Policy([load_pack("cn-collections"), load_pack("bank-baseline")], calendars=source)
    assert asked == ["CN"]  # bank-baseline's calendar is the customer's: not known yet
