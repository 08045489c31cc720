# SPDX-License-Identifier: Apache-2.0
"""What `record_attempts` stores, byte for byte, on both backends: the decision text its JSON
column would have written, audit digests over the plain payloads, ciphertexts and no plaintext;
and a changed audit entry is still found."""

import hashlib
import json

import pytest
from sqlalchemy import text

from rightparty.audit.events import payload_digest
from rightparty.db.tables import DecisionDocumentRow, DecisionRow
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.policy.facts import ContactRequest
from rightparty.usecases.orchestration.closing import ACTOR
from rightparty.usecases.orchestration.facts import customer_facts
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction
from rightparty.usecases.orchestration.recording import DecidedAttempt, record_attempts
from tests.builders import a_case, a_customer, a_mobile

pytestmark = pytest.mark.integration


@pytest.fixture
def batch(app):
    customers = [
        a_customer(
            f"cust-{n}", external_ref=f"C{n}", points=[a_mobile(f"m{n}", f"+8613812345{n:03d}")]
        )
        for n in range(6)
    ]
    cases = [
        a_case(
            f"case-{n}",
            customer_id=customer.id,
            purpose=Purpose.MARKETING if n % 3 == 2 else Purpose.PAYMENT_REMINDER,
        )
        for n, customer in enumerate(customers)
    ]
    with app.unit_of_work() as uow:
        uow.customers.add_many(customers)
        uow.cases.add_many(cases)
        uow.commit()
    decided = []
    for customer, case in zip(customers, cases, strict=True):
        point = customer.contact_points[0].id
        request = ContactRequest(Channel.SMS, point, case.purpose)
        policy = policy_for_jurisdiction(customer.jurisdiction)
        decision = policy.evaluate(customer_facts(customer, []), request, app.clock.now())
        decided.append(DecidedAttempt(case, customer, point, decision))
    assert {item.decision.allowed for item in decided} == {True, False}
    return decided


def _rows(app, sql):
    with app.session_factory() as session:
        return session.execute(text(sql)).all()


def test_each_decision_row_holds_the_text_its_json_column_writes(app, batch):
    record_attempts(batch, app.unit_of_work(), app.clock)
    stored = _rows(
        app,
        "SELECT d.case_id, d.document_digest, CAST(x.document AS TEXT) FROM decisions d "
        "JOIN decision_documents x ON x.digest = d.document_digest ORDER BY d.id",
    )
    assert [row[0] for row in stored] == [item.case.id for item in batch]
    for item, (_, digest, document) in zip(batch, stored, strict=True):
        assert document == json.dumps(item.decision.to_json())
        assert digest == hashlib.sha256(document.encode()).hexdigest()
        assert list(json.loads(document)) == list(item.decision.to_json())  # contract order
    with app.session_factory() as session:
        documents = (
            session.query(DecisionDocumentRow.document)
            .join(DecisionRow, DecisionRow.document_digest == DecisionDocumentRow.digest)
            .order_by(DecisionRow.id)
            .all()
        )
    assert [row[0] for row in documents] == [item.decision.to_json() for item in batch]


def test_audit_digests_are_those_of_the_plain_payloads(app, batch):
    recorded = record_attempts(batch, app.unit_of_work(), app.clock)
    events = [json.loads(bytes(row[0])) for row in _rows(app, _EVENTS)]
    attempts = iter(recorded.attempts)
    expected = []
    for item in batch:
        document = item.decision.to_json()
        if not item.decision.allowed:
            payload = {"contact_point_id": item.contact_point_id, "decision": document}
            expected.append(("decision.blocked", item.case.id, payload))
            continue
        attempt = next(attempts)
        payload = {
            "case_id": item.case.id,
            "customer_id": item.customer.id,
            "contact_point_id": attempt.contact_point_id,
            "channel": attempt.channel.value,
            "purpose": attempt.purpose.value,
            "decision": document,
        }
        expected.append(("attempt.recorded", attempt.id, payload))
    assert [(event["type"], event["actor"], event["subject"]) for event in events] == [
        (kind, ACTOR, subject) for kind, subject, _ in expected
    ]
    assert [event["payload_sha256"] for event in events] == [
        payload_digest(payload).hex() for _, _, payload in expected
    ]


def test_reference_codes_are_stored_encrypted_and_decrypt(app, batch):
    recorded = record_attempts(batch, app.unit_of_work(), app.clock)
    stored = dict(_rows(app, "SELECT id, reference_code_ct FROM attempts"))
    assert len(stored) == len(recorded.attempts) > 0
    with app.unit_of_work() as uow:
        for attempt in recorded.attempts:
            assert attempt.reference_code.encode() not in bytes(stored[attempt.id])
            assert uow.attempts.get(attempt.id).reference_code == attempt.reference_code
            assert uow.attempts.by_reference_code(attempt.reference_code) == [attempt]


def test_a_changed_audit_entry_fails_verification(app, batch):
    record_attempts(batch, app.unit_of_work(), app.clock)
    app.checkpoint_audit_log()
    assert app.verify_audit_log().ok
    (entry,) = _rows(app, 'SELECT event_bytes FROM audit_entries WHERE "index" = 1')
    original = bytes(entry[0])
    at = original.index(b'"payload_sha256":"') + len(b'"payload_sha256":"')
    forged = original[:at] + (b"1" if original[at : at + 1] == b"0" else b"0") + original[at + 1 :]
    with app.session_factory() as session:
        session.execute(
            text('UPDATE audit_entries SET event_bytes = :forged WHERE "index" = 1'),
            {"forged": forged},
        )
        session.commit()
    assert not app.verify_audit_log().ok


_EVENTS = 'SELECT event_bytes FROM audit_entries ORDER BY "index"'
