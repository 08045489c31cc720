# SPDX-License-Identifier: Apache-2.0
"""Pure parts of orchestration: reference codes, plan files, pack resolution, facts.

Message text is tested with the templates (tests/unit/templates)."""

import random
from datetime import timedelta

import pytest

from rightparty.domain.attempt import AttemptHistoryEntry
from rightparty.domain.consent import ConsentAction, ConsentEntry, ConsentSource
from rightparty.domain.vocabulary import Channel, Outcome, Purpose
from rightparty.policy.facts import ContactRequest
from rightparty.usecases.orchestration.facts import consent_periods, customer_facts
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction
from rightparty.usecases.orchestration.reference_codes import (
    ALPHABET,
    LENGTH,
    new_reference_code,
    normalise_reference_code,
)
from rightparty.usecases.plans.catalogue import (
    InvalidPlans,
    default_plans,
    parse_duration,
    parse_plans,
)
from tests.builders import MONDAY_NOON, a_customer

pytestmark = pytest.mark.unit


def test_reference_codes_are_long_unambiguous_and_survive_how_people_type_them():
    codes = {new_reference_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == LENGTH and set(code) <= set(ALPHABET) for code in codes)
    assert not set("ILOU") & set(ALPHABET)
    code = new_reference_code(random.Random(1).randrange)  # noqa: S311 - a repeatable test draw
    typed = " " + code.lower()[:5] + "-" + code.lower()[5:] + " "
    assert normalise_reference_code(typed) == code
    assert normalise_reference_code("o1l") == "011"


def test_a_reference_code_is_one_uniform_draw_over_every_code():
    draws: list[int] = []

    def record(bound: int) -> int:
        draws.append(bound)
        return bound - 1

    assert new_reference_code(record) == ALPHABET[-1] * LENGTH
    assert draws == [len(ALPHABET) ** LENGTH]
    assert new_reference_code(lambda _: 0) == ALPHABET[0] * LENGTH
    assert new_reference_code(lambda _: 33) == "11" + ALPHABET[0] * (LENGTH - 2)


def test_the_shipped_plans_cover_every_purpose_with_urgent_security_alerts():
    plans = default_plans()
    assert set(plans.plans) == set(Purpose)
    security = plans.for_purpose(Purpose.SECURITY_ALERT)
    assert security.deadline <= timedelta(hours=1)
    assert [step.channel for step in security.steps] == [Channel.PUSH, Channel.SMS, Channel.VOICE]
    assert plans.for_purpose(Purpose.INFO_UPDATE).steps[-1].channel is Channel.LETTER
    assert security.step(99) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("version: '1'\nplans: {}\n", "no plan for"),
        (
            "version: '1'\nplans:\n  marketing: {priority: loud, deadline: 1d, steps: []}\n",
            "priority",
        ),
        ("not: [yaml", "expected"),
    ],
)
def test_a_bad_plan_file_is_refused_with_the_reason(text, problem):
    with pytest.raises(InvalidPlans, match=problem):
        parse_plans(text)


def test_durations_read_like_people_write_them():
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("4h") == timedelta(hours=4)
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")


@pytest.mark.parametrize(
    ("jurisdiction", "packs"),
    [
        ("US", {"us-reg-f", "us-tcpa", "bank-baseline"}),
        ("US-MA", {"us-reg-f", "us-tcpa", "us-ma", "bank-baseline"}),
        ("US-NY", {"us-reg-f", "us-tcpa", "bank-baseline"}),
        ("CN", {"cn-collections", "bank-baseline"}),
        ("DE", {"eu-gdpr", "bank-baseline"}),
        ("JP", {"bank-baseline"}),
    ],
)
def test_each_jurisdiction_gets_its_packs_and_never_none(jurisdiction, packs):
    policy = policy_for_jurisdiction(jurisdiction)
    customer = customer_facts(a_customer(jurisdiction=jurisdiction), [])
    decision = policy.evaluate(
        customer, ContactRequest(Channel.EMAIL, "e1", Purpose.SERVICE_NOTICE), MONDAY_NOON
    )
    assert {pack.name for pack in decision.packs} == packs


def test_consent_periods_pair_grants_with_their_revocations():
    def entry(action, days):
        return ConsentEntry(
            Purpose.MARKETING,
            Channel.SMS,
            action,
            ConsentSource.APP,
            MONDAY_NOON + timedelta(days=days),
        )

    periods = consent_periods(
        [
            entry(ConsentAction.GRANTED, 0),
            entry(ConsentAction.REVOKED, 2),
            entry(ConsentAction.GRANTED, 5),
        ]
    )
    assert [(p.granted_at, p.revoked_at) for p in periods] == [
        (MONDAY_NOON, MONDAY_NOON + timedelta(days=2)),
        (MONDAY_NOON + timedelta(days=5), None),
    ]


def test_attempts_still_in_flight_count_in_the_history():
    def past(channel, outcome):
        return AttemptHistoryEntry(
            "a", "c", "m1", channel, Purpose.COLLECTIONS, "k", MONDAY_NOON, "d1", outcome, None
        )

    facts = customer_facts(
        a_customer(),
        [past(Channel.VOICE, None), past(Channel.SMS, None), past(Channel.VOICE, Outcome.BUSY)],
    )
    assert [entry.outcome for entry in facts.history] == [
        Outcome.NO_ANSWER,
        Outcome.DELIVERED,
        Outcome.BUSY,
    ]
