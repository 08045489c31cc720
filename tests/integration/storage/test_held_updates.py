# SPDX-License-Identifier: Apache-2.0
"""Row updates a unit of work holds back (cases, contact points, attempts) on both backends:
sent together, one statement per table, yet never missed by a read of the same unit of work
and never lost when a narrower update follows a wider one."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from rightparty.domain.vocabulary import Outcome
from tests.builders import MONDAY_NOON, a_case, a_customer, a_mobile, an_attempt, an_email
from tests.integration.stored import committed_attempt

pytestmark = pytest.mark.integration

LATER = MONDAY_NOON + timedelta(hours=3)


@contextmanager
def updates_sent(app) -> Iterator[Counter[str]]:
    """Counts the UPDATE statements sent to the database, by table (an executemany is one)."""
    seen: Counter[str] = Counter()

    def count(*arguments):  # (conn, cursor, statement, parameters, context, executemany)
        statement = arguments[2]
        if statement.startswith("UPDATE"):
            seen[statement.split()[1]] += 1

    event.listen(app.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(app.engine, "before_cursor_execute", count)


def _stored_cases(app) -> None:
    """Three cases due at noon."""
    cases = [a_case("case-1"), a_case("case-2"), a_case("case-3")]
    for case in cases:
        case.wait_until(MONDAY_NOON)
    with app.unit_of_work() as uow:
        uow.customers.add(a_customer(points=[a_mobile(), an_email()]))
        uow.cases.add_many(cases)
        uow.commit()


def test_cases_saved_in_a_unit_of_work_are_written_with_one_statement(app):
    _stored_cases(app)
    with updates_sent(app) as sent, app.unit_of_work() as uow:
        cases = uow.cases.get_many(["case-1", "case-2", "case-3"])
        for case in cases.values():
            case.wait_until(LATER)
            uow.cases.save(case)
        cases["case-1"].wait_until(LATER + timedelta(hours=1))  # saved twice: the last counts
        uow.cases.save(cases["case-1"])
        assert sent["cases"] == 0
        uow.commit()
    assert sent["cases"] == 1
    with app.unit_of_work() as uow:
        stored = uow.cases.get_many(["case-1", "case-2", "case-3"])
        assert [case.next_action_at for case in stored.values()] == [
            LATER + timedelta(hours=1),
            LATER,
            LATER,
        ]


def test_a_due_query_sees_the_case_updates_its_own_unit_of_work_holds(app):
    _stored_cases(app)
    with app.unit_of_work() as uow:
        assert len(uow.cases.due(MONDAY_NOON, 10)) == 3
        case = uow.cases.get("case-2")
        case.wait_until(LATER)
        uow.cases.save(case)
        assert [due.id for due in uow.cases.due(MONDAY_NOON, 10)] == ["case-1", "case-3"]
        assert uow.cases.next_action_at() == MONDAY_NOON


def test_held_updates_are_never_written_when_the_unit_of_work_rolls_back(app):
    _stored_cases(app)
    with app.unit_of_work() as uow:
        case = uow.cases.get("case-1")
        case.wait_until(LATER)
        uow.cases.save(case)
    with app.unit_of_work() as uow:
        assert uow.cases.get("case-1").next_action_at == MONDAY_NOON


def test_a_point_readdressed_then_updated_keeps_its_new_address(app):
    """The health update after a new address merges into the held wider update, which also
    writes the address; sent on its own, the narrow one would keep the old ciphertext."""
    _stored_cases(app)
    with app.unit_of_work() as uow:
        customer = uow.customers.get("cust-1")
        customer.contact_points[0].address = "+8613899999999"
        uow.customers.save(customer)
        customer.contact_points[0].record_outcome(Outcome.NO_ANSWER, LATER)
        uow.customers.save(customer)
        uow.commit()
    with app.unit_of_work() as uow:
        point = uow.customers.get("cust-1").contact_points[0]
        assert (point.address, point.health.last_outcome) == ("+8613899999999", Outcome.NO_ANSWER)
        assert [found.id for found in uow.customers.by_address(point.channel, point.address)] == [
            "cust-1"
        ]


def test_health_updates_of_several_points_go_in_one_statement_and_read_back(app):
    _stored_cases(app)
    with updates_sent(app) as sent, app.unit_of_work() as uow:
        customer = uow.customers.get("cust-1")
        for point in customer.contact_points:
            point.record_outcome(Outcome.BOUNCED_HARD, LATER)
            uow.customers.save(customer)
        # A query of the table sees them before the commit.
        statuses = uow.session.execute(text("SELECT status FROM contact_points")).all()
        assert statuses == [("valid",), ("valid",)]  # held until a repository reads
        assert uow.customers.needing_confirmation(MONDAY_NOON, 10) == []  # now invalid: none
        uow.commit()
    assert sent["contact_points"] == 1
    with app.unit_of_work() as uow:
        stored = uow.customers.get("cust-1")
        assert [point.status.value for point in stored.contact_points] == ["invalid", "invalid"]


def test_an_attempt_saved_twice_is_written_once_with_its_last_state(app):
    attempt = committed_attempt(app)
    with updates_sent(app) as sent, app.unit_of_work() as uow:
        stored = uow.attempts.get(attempt.id)
        stored.mark_sent("sandbox", "sb-1", LATER)
        uow.attempts.save(stored)
        stored.finalise(Outcome.DELIVERED, LATER)
        uow.attempts.save(stored)
        uow.commit()
    assert sent["attempts"] == 1
    with app.unit_of_work() as uow:
        assert uow.attempts.get(attempt.id).outcome is Outcome.DELIVERED


def test_cases_added_are_inserted_together_before_a_query_or_an_attempt_needs_them(app):
    with app.unit_of_work() as uow:
        uow.customers.add(a_customer())
        uow.commit()
    added = [a_case("case-a"), a_case("case-b")]
    for case in added:
        case.wait_until(MONDAY_NOON)
    with app.unit_of_work() as uow:
        uow.cases.add(added[0])
        uow.cases.add(added[1])
        count = "SELECT count(*) FROM cases"
        assert uow.session.execute(text(count)).all() == [(0,)]  # held
        assert [case.id for case in uow.cases.due(MONDAY_NOON, 10)] == ["case-a", "case-b"]
        uow.cases.add(a_case("case-c"))
        uow.attempts.add(an_attempt("att-c", case=a_case("case-c")))  # its case goes first
        uow.commit()
    with app.unit_of_work() as uow:
        assert uow.session.execute(text(count)).all() == [(3,)]


def test_cases_added_in_a_unit_of_work_that_rolls_back_are_never_inserted(app):
    with app.unit_of_work() as uow:
        uow.customers.add(a_customer())
        uow.commit()
    with app.unit_of_work() as uow:
        uow.cases.add(a_case("case-a"))
    with app.unit_of_work() as uow:
        uow.commit()
        assert uow.session.execute(text("SELECT count(*) FROM cases")).all() == [(0,)]
