# SPDX-License-Identifier: Apache-2.0
"""Cases, attempts and decisions on both backends."""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from rightparty.db.repositories import cases as case_repositories
from rightparty.db.repositories.held_updates import FixedColumnChanged
from rightparty.db.tables import DecisionDocumentRow, DecisionRow
from rightparty.domain.attempt import AttemptStatus
from rightparty.domain.case import CaseStatus
from rightparty.domain.errors import CaseNotFound, CustomerNotFound
from rightparty.domain.vocabulary import Outcome, OutcomeCategory
from rightparty.usecases.ports import DecisionEntry
from tests.builders import MONDAY_NOON, a_case, a_customer, a_mobile, an_attempt, an_email

pytestmark = pytest.mark.integration


@pytest.fixture
def customer(app):
    customer = a_customer()
    with app.unit_of_work() as uow:
        uow.customers.add(customer)
        uow.commit()
    return customer


def _stored(app, case, *attempts):
    """`case` and `attempts` added and committed."""
    with app.unit_of_work() as uow:
        uow.cases.add(case)
        for attempt in attempts:
            uow.attempts.add(attempt)
        uow.commit()


def test_a_case_round_trips_and_its_changes_are_saved(app, customer):
    case = a_case(debt_id="d1")
    _stored(app, case)
    with app.unit_of_work() as uow:
        stored = uow.cases.get(case.id)
        assert stored == case
        stored.mark_unreachable(OutcomeCategory.INFO_INACCURATE, MONDAY_NOON)
        uow.cases.save(stored)
        uow.commit()
    with app.unit_of_work() as uow:
        again = uow.cases.get(case.id)
        assert (again.status, again.unreachable_reason) == (
            CaseStatus.UNREACHABLE,
            OutcomeCategory.INFO_INACCURATE,
        )
        with pytest.raises(CaseNotFound):
            uow.cases.get("nope")


def test_due_cases_come_earliest_first_and_closed_ones_never(app, customer):
    cases = [a_case(f"case-{n}") for n in range(4)]
    cases[0].wait_until(MONDAY_NOON + timedelta(hours=3))
    cases[1].wait_until(MONDAY_NOON + timedelta(hours=1))
    cases[2].wait_until(MONDAY_NOON + timedelta(days=2))
    cases[3].wait_until(MONDAY_NOON)
    cases[3].mark_reached(MONDAY_NOON)
    with app.unit_of_work() as uow:
        for case in cases:
            uow.cases.add(case)
        uow.commit()
    with app.unit_of_work() as uow:
        due = uow.cases.due(MONDAY_NOON + timedelta(hours=4), limit=10)
        limited = uow.cases.due(MONDAY_NOON + timedelta(hours=4), limit=1)
    assert [case.id for case in due] == ["case-1", "case-0"]
    assert [case.id for case in limited] == ["case-1"]


def test_an_attempt_round_trips_with_its_reference_code_and_final_outcome(app, customer):
    attempt = _stored_attempt(app)
    with app.unit_of_work() as uow:
        stored = uow.attempts.by_idempotency_key(attempt.idempotency_key)
        assert stored == attempt
        stored.mark_sent("sandbox", "SM123", MONDAY_NOON)
        stored.finalise(Outcome.DELIVERED, MONDAY_NOON + timedelta(minutes=1))
        uow.attempts.save(stored)
        uow.commit()
    with app.unit_of_work() as uow:
        final = uow.attempts.get(attempt.id)
        assert (final.status, final.outcome) == (AttemptStatus.FINAL, Outcome.DELIVERED)
        assert [found.id for found in uow.attempts.by_reference_code("RP7K2Q9X")] == [attempt.id]
        assert uow.attempts.by_reference_code("RP000000") == []
        assert [found.id for found in uow.attempts.for_customer(customer.id)] == [attempt.id]
        assert uow.attempts.by_idempotency_key("unknown") is None


def test_an_idempotency_key_is_recorded_once(app, customer):
    attempt = _stored_attempt(app)

    def record_the_key_again():
        with app.unit_of_work() as uow:
            uow.attempts.add(replace(attempt, id="att-2"))
            uow.commit()

    # Refused when it is written, at the latest when the unit of work commits.
    with pytest.raises(IntegrityError):
        record_the_key_again()
    with app.unit_of_work() as uow:
        assert [stored.id for stored in uow.attempts.for_customer(attempt.customer_id)] == [
            attempt.id
        ]


def test_decisions_keep_the_whole_document(app, customer):
    case = a_case()
    document = {
        "allowed": False,
        "packs": [{"name": "us-reg-f", "version": "2026.1"}],
        "reasons": [{"code": "QUIET_HOURS", "rule": "us-reg-f/time-window", "message": "…"}],
        "next_allowed_at": "2026-03-03T13:00:00Z",
        "evaluated": [],
    }
    with app.unit_of_work() as uow:
        uow.cases.add(case)
        uow.decisions.add(case.id, None, document, MONDAY_NOON)
        uow.commit()
    with app.session_factory() as session:
        row = session.query(DecisionRow).one()
        stored = session.get(DecisionDocumentRow, row.document_digest)
        assert stored is not None
        assert (row.allowed, stored.document, row.evaluated_at) == (False, document, MONDAY_NOON)


def test_a_document_is_stored_once_however_many_decisions_share_it(app, customer):
    cases = [a_case(f"case-{number}") for number in range(3)]
    allowed = {"allowed": True, "reasons": [], "evaluated": [{"rule": "r", "result": "pass"}]}
    blocked = {"allowed": False, "reasons": [{"code": "QUIET_HOURS"}]}
    with app.unit_of_work() as uow:
        uow.cases.add_many(cases)
        uow.decisions.add_many(
            [DecisionEntry(case.id, None, dict(allowed), MONDAY_NOON) for case in cases]
        )
        uow.decisions.add(cases[0].id, None, blocked, MONDAY_NOON)
        uow.commit()
    with app.unit_of_work() as uow:  # a later transaction repeats a stored document
        uow.decisions.add(cases[1].id, None, dict(allowed), MONDAY_NOON)
        uow.commit()
    with app.session_factory() as session:
        digests = session.scalars(
            select(DecisionRow.document_digest).order_by(DecisionRow.id)
        ).all()
        documents = {row.digest: row.document for row in session.query(DecisionDocumentRow)}
    assert len(digests) == 5
    assert len(documents) == 2
    assert [documents[digest] for digest in digests] == [allowed] * 3 + [blocked, allowed]
    for digest, document in documents.items():
        assert digest == hashlib.sha256(json.dumps(document).encode()).hexdigest()


def test_a_document_object_handed_over_again_keeps_its_text_and_a_new_one_gets_its_own(
    app, customer, monkeypatch
):
    """Texts are remembered by document object across transactions. Every document here gets
    the same `id()`, as a new one can get a freed one's: each is still stored as itself."""
    monkeypatch.setattr(case_repositories, "id", lambda _document: 1, raising=False)
    cases = [a_case(f"case-{number}") for number in range(3)]
    shared = {"allowed": True, "reasons": [], "evaluated": [{"rule": "r", "result": "pass"}]}
    with app.unit_of_work() as uow:
        uow.cases.add_many(cases)
        uow.decisions.add(cases[0].id, None, shared, MONDAY_NOON)
        uow.decisions.add(cases[1].id, None, {"allowed": False, "n": 1}, MONDAY_NOON)
        uow.commit()
    expected = [shared, {"allowed": False, "n": 1}]
    for number in range(2, 5):
        with app.unit_of_work() as uow:
            uow.decisions.add(cases[2].id, None, shared, MONDAY_NOON)
            uow.decisions.add(cases[2].id, None, {"allowed": False, "n": number}, MONDAY_NOON)
            uow.commit()
        expected += [shared, {"allowed": False, "n": number}]
    with app.session_factory() as session:
        digests = session.scalars(
            select(DecisionRow.document_digest).order_by(DecisionRow.id)
        ).all()
        documents = {row.digest: row.document for row in session.query(DecisionDocumentRow)}
    assert [documents[digest] for digest in digests] == expected
    for digest, document in documents.items():
        assert digest == hashlib.sha256(json.dumps(document).encode()).hexdigest()


def test_batch_reads_equal_one_by_one_reads(app, customer):
    other = a_customer(
        "cust-2",
        external_ref="C0002",
        points=[a_mobile("m2", "+8613900000000"), an_email("e2", "other@example.com")],
    )
    cases = [a_case("case-a"), a_case("case-b"), replace(a_case("case-c"), customer_id=other.id)]
    attempts = [an_attempt(f"att-{case.id}", case=case) for case in cases]
    attempts[2] = replace(attempts[2], contact_point_id="m2")  # cust-2's own point
    with app.unit_of_work() as uow:
        uow.customers.add(other)
        uow.cases.add_many(cases)
        uow.attempts.add_many(attempts)
        uow.commit()
    ids = [attempt.id for attempt in attempts]
    with app.unit_of_work() as uow:
        one_by_one = (
            {case.id: uow.cases.get(case.id) for case in cases},
            {attempt_id: uow.attempts.get(attempt_id) for attempt_id in ids},
            {key: uow.attempts.history(key) for key in (customer.id, other.id, "nobody")},
            {key: uow.customers.get(key) for key in (customer.id, other.id)},
        )
    with app.unit_of_work() as uow:
        batched = (
            uow.cases.get_many([case.id for case in cases]),
            uow.attempts.get_many(ids),
            uow.attempts.histories([customer.id, other.id, "nobody"]),
            uow.customers.get_many([customer.id, other.id]),
        )
        assert uow.customers.get(customer.id) is batched[3][customer.id], "one identity"
        with pytest.raises(CustomerNotFound):
            uow.customers.get_many([customer.id, "nobody"])
    assert batched == one_by_one
    assert [len(entries) for entries in batched[2].values()] == [2, 1, 0]


def test_a_saved_attempt_reads_back_changed_before_and_after_the_commit(app, customer):
    attempt = _stored_attempt(app)
    with app.unit_of_work() as uow:
        stored = uow.attempts.get(attempt.id)
        stored.mark_dispatching()
        uow.attempts.save(stored)
        (read_back,) = uow.attempts.for_customer(attempt.customer_id)
        assert read_back.status is AttemptStatus.DISPATCHING
        uow.commit()
    with app.unit_of_work() as uow:
        assert uow.attempts.get(attempt.id).status is AttemptStatus.DISPATCHING


def _stored_attempt(app):
    """A queued attempt of a new case, committed."""
    case = a_case()
    attempt = an_attempt(case=case)
    with app.unit_of_work() as uow:
        uow.cases.add(case)
        uow.attempts.add(attempt)
        uow.commit()
    return attempt


@contextmanager
def _updates_sent(app) -> Iterator[list[str]]:
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_rest):
        if statement.lstrip().upper().startswith("UPDATE"):
            sent.append(statement)

    event.listen(app.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(app.engine, "before_cursor_execute", note)


def test_saves_write_only_what_a_case_or_attempt_may_change(app, customer):
    case = a_case(debt_id="d1")
    attempt = an_attempt(case=case)
    _stored(app, case, attempt)
    with _updates_sent(app) as sent, app.unit_of_work() as uow:
        stored_case = uow.cases.get(case.id)
        stored_case.wait_until(MONDAY_NOON + timedelta(hours=1))
        uow.cases.save(stored_case)
        stored = uow.attempts.get(attempt.id)
        stored.mark_sent("sandbox", "msg-1", MONDAY_NOON)
        uow.attempts.save(stored)
        uow.commit()
    set_clauses = {
        statement.split()[1].strip('"'): statement.split(" SET ")[1].split(" WHERE ")[0]
        for statement in sent
    }
    assert set(set_clauses) == {"cases", "attempts"}
    for fixed in ("customer_id", "purpose", "debt_id", "case_id", "idempotency_key"):
        assert fixed not in set_clauses["cases"] + set_clauses["attempts"]
    with app.unit_of_work() as uow:
        assert uow.cases.get(case.id) == stored_case
        assert uow.attempts.get(attempt.id) == stored


@pytest.mark.parametrize(
    ("change", "column"),
    [
        (lambda case: setattr(case, "customer_id", "cust-2"), "customer_id"),
        (lambda case: setattr(case, "deadline", case.deadline + timedelta(days=1)), "deadline"),
        (lambda case: setattr(case, "debt_id", "another-debt"), "debt_id"),
    ],
)
def test_a_case_is_never_moved_to_another_customer_or_debt(app, customer, change, column):
    """What a case fixed when it was opened is not written by a save, so a change to it is
    refused (naming the column, not the value) rather than silently dropped."""
    case = a_case(debt_id="d1")
    _stored(app, case)
    with app.unit_of_work() as uow:
        stored = uow.cases.get(case.id)
        change(stored)
        with pytest.raises(FixedColumnChanged, match=f"^a stored case's {column} cannot change$"):
            uow.cases.save(stored)
    with app.unit_of_work() as uow:
        assert uow.cases.get(case.id) == case


def test_an_attempt_is_never_moved_to_another_contact_point(app, customer):
    case = a_case()
    attempt = an_attempt(case=case)
    _stored(app, case, attempt)
    with app.unit_of_work() as uow:
        stored = replace(uow.attempts.get(attempt.id), contact_point_id="e1")
        stored.mark_sent("sandbox", "msg-1", MONDAY_NOON)
        with pytest.raises(FixedColumnChanged, match="contact_point_id"):
            uow.attempts.save(stored)
    with app.unit_of_work() as uow:
        assert uow.attempts.get(attempt.id) == attempt


@pytest.fixture
def someone_else(app):
    """Another customer, with points of their own."""
    other = a_customer(
        "cust-2", external_ref="C0002", points=[a_mobile("m2", "+8613900000000"), an_email("e2")]
    )
    with app.unit_of_work() as uow:
        uow.customers.add(other)
        uow.commit()
    return other


@pytest.mark.parametrize(
    ("case_of", "point"),
    [("cust-1", "m2"), ("cust-2", "m1"), ("cust-2", "m2")],
    ids=["another-customers-point", "another-customers-case", "another-customers-case-and-point"],
)
def test_the_database_refuses_an_attempt_on_anyone_but_its_customer(
    app, customer, someone_else, case_of, point
):
    """Whatever code builds it: an attempt of cust-1 on cust-2's point or case is refused when
    it is written, and nothing of its unit of work is stored."""
    case = a_case("case-x", customer_id=case_of)
    _stored(app, case)
    attempt = replace(an_attempt(case=case), customer_id=customer.id, contact_point_id=point)
    with pytest.raises(IntegrityError):
        _stored(app, a_case("case-y"), attempt)
    with app.unit_of_work() as uow:
        assert uow.attempts.for_customer(customer.id) == []
        assert uow.attempts.for_customer(someone_else.id) == []
        with pytest.raises(CaseNotFound):
            uow.cases.get("case-y")
