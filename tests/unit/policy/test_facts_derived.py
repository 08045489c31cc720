# SPDX-License-Identifier: Apache-2.0
"""What `CustomerFacts` works out when it is made (zones, restriction kinds, consented pairs,
traits, the history index) is what its definition says, whatever facts a customer has: the
short ways for the facts most customers lack change no value."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.domain.vocabulary import Channel, ContactPointKind, ContactPointStatus, Purpose
from rightparty.policy import facts as facts_module
from rightparty.policy.facts import (
    PHONE_CHANNELS,
    Consent,
    ContactPointFacts,
    CustomerFacts,
)
from rightparty.policy.restrictions import (
    AttorneyRepresentation,
    CeaseCommunication,
    InconvenientPlace,
    InconvenientTime,
    LegalHold,
    OptOut,
)
from tests.unit.policy.strategies import START, ZONES, history, restrictions

pytestmark = pytest.mark.unit

KINDS = (*ContactPointKind, None)


@st.composite
def contact_points(draw):
    count = draw(st.integers(0, 4))
    return tuple(
        ContactPointFacts(
            f"p{draw(st.integers(0, 3))}",  # ids may repeat: the last point of an id wins
            draw(st.sampled_from(list(Channel))),
            draw(st.sampled_from(list(ContactPointStatus))),
            draw(st.sampled_from(KINDS)),
            zones=tuple(draw(st.lists(st.sampled_from(ZONES), max_size=2))),
        )
        for _ in range(count)
    )


consents = st.lists(
    st.builds(
        Consent,
        purpose=st.sampled_from([Purpose.MARKETING, Purpose.COLLECTIONS]),
        channel=st.sampled_from([Channel.SMS, Channel.EMAIL]),
        granted_at=st.just(START),
        source=st.just("consumer_direct"),
        revoked_at=st.sampled_from([None, START + timedelta(days=1)]),
    ),
    max_size=3,
).map(tuple)


@st.composite
def customer_facts(draw):
    return CustomerFacts(
        "c1",
        contact_points=draw(contact_points()),
        location_zones=tuple(draw(st.lists(st.sampled_from(ZONES), max_size=2))),
        consents=draw(consents),
        restrictions=tuple(draw(st.lists(restrictions(START), max_size=3))),
        history=draw(history(START)),
        jurisdictions=draw(st.sampled_from([(), ("US",), ("CN", "US-MA")])),
    )


def _of_type(facts, kind):
    return tuple(item for item in facts.restrictions if isinstance(item, kind))


@given(customer_facts())
def test_derived_facts_follow_their_definitions(facts):
    zones = list(facts.location_zones)
    for point in facts.contact_points:
        if point.channel in PHONE_CHANNELS and point.status.addressable:
            zones.extend(point.zones)
    assert facts.zones == tuple(dict.fromkeys(zones))
    assert facts.points == {point.id: point for point in facts.contact_points}
    kinds = {
        "ceases": CeaseCommunication,
        "attorneys": AttorneyRepresentation,
        "opt_outs": OptOut,
        "inconvenient_times": InconvenientTime,
        "inconvenient_places": InconvenientPlace,
        "legal_holds": LegalHold,
    }
    for name, kind in kinds.items():
        assert getattr(facts, name) == _of_type(facts, kind)
    assert facts.consented == {(item.purpose, item.channel) for item in facts.consents}
    present = (
        (facts_module.CEASES, facts.ceases),
        (facts_module.ATTORNEYS, facts.attorneys),
        (facts_module.LEGAL_HOLDS, facts.legal_holds),
        (facts_module.OPT_OUTS, facts.opt_outs),
        (facts_module.INCONVENIENT_TIMES, facts.inconvenient_times),
        (facts_module.INCONVENIENT_PLACES, facts.inconvenient_places),
        (facts_module.REVOCATIONS, [c for c in facts.consents if c.revoked_at is not None]),
        (
            facts_module.WORK_POINTS,
            [p for p in facts.contact_points if p.kind == ContactPointKind.WORK],
        ),
        (facts_module.JURISDICTIONS, facts.jurisdictions),
        (facts_module.HISTORY, facts.index.size),
    )
    assert facts.traits == sum(bit for bit, found in present if found)
    wrong_party = {
        point.id for point in facts.contact_points if point.status == ContactPointStatus.WRONG_PARTY
    }
    counted = [
        entry
        for entry in facts.history
        if entry.contact_point_id is None or entry.contact_point_id not in wrong_party
    ]
    assert facts.index.size == len(counted)


@pytest.mark.parametrize("status", list(ContactPointStatus))
def test_a_point_is_addressable_exactly_when_its_status_is(status):
    point = ContactPointFacts("p1", Channel.SMS, status)
    assert point.addressable is status.addressable
