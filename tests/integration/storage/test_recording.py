# SPDX-License-Identifier: Apache-2.0
"""`record_attempts` on both backends: a chunk of decided attempts, its decisions and its audit
entries commit together or not at all."""

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from rightparty.domain.attempt import AttemptStatus
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.policy.facts import ContactRequest
from rightparty.usecases.orchestration.facts import customer_facts
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction
from rightparty.usecases.orchestration.recording import (
    DecidedAttempt,
    attempt_key,
    record_attempts,
)
from tests.builders import a_case, a_customer, a_mobile

pytestmark = pytest.mark.integration


@pytest.fixture
def customers(app):
    customers = [
        a_customer(
            f"cust-{n}", external_ref=f"C{n}", points=[a_mobile(f"m{n}", f"+861381234567{n}")]
        )
        for n in range(3)
    ]
    with app.unit_of_work() as uow:
        uow.customers.add_many(customers)
        uow.commit()
    return customers


def _decided(app, customer, purpose=Purpose.PAYMENT_REMINDER, case_id=None):
    case = a_case(case_id or f"case-{customer.id}", customer_id=customer.id, purpose=purpose)
    with app.unit_of_work() as uow:
        uow.cases.add(case)
        uow.commit()
    point = customer.contact_points[0].id
    request = ContactRequest(Channel.SMS, point, purpose)
    policy = policy_for_jurisdiction(customer.jurisdiction)
    decision = policy.evaluate(customer_facts(customer, []), request, app.clock.now())
    return DecidedAttempt(case, customer, point, decision)


def _rows(app, sql):
    with app.session_factory() as session:
        return session.execute(text(sql)).all()


def _events(app):
    return [json.loads(bytes(row[0]))["type"] for row in _rows(app, _EVENTS)]


_EVENTS = 'SELECT event_bytes FROM audit_entries ORDER BY "index"'


def test_allowed_attempts_are_recorded_with_their_decisions_and_audit_entries(app, customers):
    batch = [_decided(app, customer) for customer in customers]
    assert all(item.decision.allowed for item in batch)
    recorded = record_attempts(batch, app.unit_of_work(), app.clock)
    assert recorded.blocked == 0
    assert [attempt.case_id for attempt in recorded.attempts] == [item.case.id for item in batch]
    with app.unit_of_work() as uow:
        for item, attempt in zip(batch, recorded.attempts, strict=True):
            stored = uow.attempts.by_idempotency_key(attempt_key(item.case, item.contact_point_id))
            assert stored == attempt
            assert (stored.status, stored.customer_id, stored.channel) == (
                AttemptStatus.QUEUED,
                item.customer.id,
                Channel.SMS,
            )
            assert uow.attempts.by_reference_code(attempt.reference_code) == [attempt]
    decisions = _rows(app, "SELECT attempt_id, allowed FROM decisions ORDER BY id")
    assert [(row[0], bool(row[1])) for row in decisions] == [
        (attempt.id, True) for attempt in recorded.attempts
    ]
    assert _events(app) == ["attempt.recorded"] * 3


def test_a_blocked_decision_is_kept_and_audited_without_an_attempt(app, customers):
    allowed = _decided(app, customers[0])
    blocked = _decided(app, customers[1], purpose=Purpose.MARKETING)
    assert not blocked.decision.allowed
    recorded = record_attempts([allowed, blocked], app.unit_of_work(), app.clock)
    assert (len(recorded.attempts), recorded.blocked) == (1, 1)
    assert _rows(app, "SELECT count(*) FROM attempts") == [(1,)]
    assert _rows(app, "SELECT case_id, attempt_id FROM decisions ORDER BY id") == [
        (allowed.case.id, recorded.attempts[0].id),
        (blocked.case.id, None),
    ]
    assert _events(app) == ["attempt.recorded", "decision.blocked"]


def test_a_chunk_repeating_a_recorded_attempt_writes_nothing(app, customers):
    first = _decided(app, customers[0])
    record_attempts([first], app.unit_of_work(), app.clock)
    fresh = _decided(app, customers[1])
    with pytest.raises(IntegrityError):
        record_attempts([fresh, first], app.unit_of_work(), app.clock)
    assert _rows(app, "SELECT count(*) FROM attempts") == [(1,)]
    assert _rows(app, "SELECT count(*) FROM decisions") == [(1,)]
    assert _events(app) == ["attempt.recorded"]


def test_a_case_of_another_customer_is_refused_before_anything_is_written(app, customers):
    item = _decided(app, customers[0])
    wrong = DecidedAttempt(item.case, customers[1], "m1", item.decision)
    with pytest.raises(ValueError, match="another customer"):
        record_attempts([_decided(app, customers[2]), wrong], app.unit_of_work(), app.clock)
    assert _rows(app, "SELECT count(*) FROM attempts") == [(0,)]
    assert _events(app) == []


def test_the_audit_log_verifies_after_recording_a_chunk(app, customers):
    record_attempts(
        [_decided(app, customer) for customer in customers], app.unit_of_work(), app.clock
    )
    app.checkpoint_audit_log()
    assert app.verify_audit_log().ok
