# SPDX-License-Identifier: Apache-2.0
"""Bulk repository writes (`add_many`, `existing_refs`) on both backends: what goes in in one
executemany reads back as if it had been added one by one, and is encrypted on disk."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from rightparty.domain.attempt import AttemptStatus
from rightparty.domain.consent import ConsentAction, ConsentEntry, ConsentSource
from rightparty.domain.restriction import CeaseCommunication
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.ports import DecisionEntry
from tests.builders import MONDAY_NOON, a_case, a_customer, a_mobile, an_attempt, an_email

pytestmark = pytest.mark.integration


def _customers():
    first = a_customer("cust-1", external_ref="C1")
    first.consents.append(
        ConsentEntry(
            Purpose.MARKETING, Channel.SMS, ConsentAction.GRANTED, ConsentSource.APP, MONDAY_NOON
        )
    )
    first.restrictions.append(CeaseCommunication(received_at=MONDAY_NOON, debt_id="d1"))
    second = a_customer(
        "cust-2",
        external_ref="C2",
        name="Erika Mustermann",
        points=[a_mobile("m2", "+4915123456789"), an_email("e2", "erika@example.com")],
    )
    return [first, second]


def _raw_in(uow, sql):
    return uow.session.execute(text(sql)).all()


def _raw(app, sql):
    with app.session_factory() as session:
        return session.execute(text(sql)).all()


def test_customers_added_in_bulk_read_back_with_points_consents_and_restrictions(app):
    customers = _customers()
    with app.unit_of_work() as uow:
        uow.customers.add_many(customers)
        uow.commit()
    with app.unit_of_work() as uow:
        assert [uow.customers.get(customer.id) for customer in customers] == customers
        assert [c.id for c in uow.customers.by_address(Channel.SMS, "+4915123456789")] == ["cust-2"]


def test_customers_added_in_bulk_reach_the_disk_only_encrypted(app):
    with app.unit_of_work() as uow:
        uow.customers.add_many(_customers())
        uow.commit()
    stored = [bytes(value) for (value,) in _raw(app, "SELECT name_ct FROM customers")]
    stored += [bytes(value) for (value,) in _raw(app, "SELECT address_ct FROM contact_points")]
    plaintexts = ["王小明", "Erika Mustermann", "+4915123456789", "erika@example.com"]
    assert len(stored) == 6
    assert not [value for value in stored for plain in plaintexts if plain.encode() in value]
    assert _raw(app, "SELECT count(*) FROM data_keys") == [(2,)]


def test_a_customer_added_in_bulk_is_saved_in_the_same_unit_of_work(app):
    customer = a_customer()
    with app.unit_of_work() as uow:
        uow.customers.add_many([customer])
        customer.name = "王大明"
        customer.contact_points.append(an_email("e9", "new@example.com"))
        uow.customers.save(customer)
        uow.commit()
    with app.unit_of_work() as uow:
        assert uow.customers.get(customer.id) == customer


def test_adding_no_customers_writes_nothing(app):
    with app.unit_of_work() as uow:
        uow.customers.add_many([])
        uow.cases.add_many([])
        uow.attempts.add_many([])
        uow.decisions.add_many([])
        uow.commit()
    assert _raw(app, "SELECT count(*) FROM customers") == [(0,)]


def test_a_customer_without_timestamps_is_refused_before_anything_is_written(app):
    undated = replace(a_customer("cust-3", external_ref="C3"), created_at=None)
    with app.unit_of_work() as uow, pytest.raises(ValueError, match="created_at"):
        uow.customers.add_many([a_customer(), undated])
    assert _raw(app, "SELECT count(*) FROM customers") == [(0,)]
    assert _raw(app, "SELECT count(*) FROM data_keys") == [(0,)]


def test_existing_refs_names_only_stored_customers_each_with_its_id(app):
    with app.unit_of_work() as uow:
        uow.customers.add_many(_customers())
        uow.commit()
    with app.unit_of_work() as uow:
        assert uow.customers.existing_refs(["C2", "C9", "C1"]) == {"C1": "cust-1", "C2": "cust-2"}
        assert uow.customers.existing_refs([]) == {}


def test_cases_attempts_and_decisions_added_in_bulk_read_back(app):
    customer = a_customer()
    cases = [a_case("case-1"), a_case("case-2", debt_id="d1")]
    cases[1].wait_until(MONDAY_NOON + timedelta(hours=1))
    attempts = [an_attempt("att-1", case=cases[0]), an_attempt("att-2", case=cases[1])]
    attempts[1].reference_code = "ZZ9PLURAL"
    document = {"allowed": True, "packs": [], "reasons": []}
    with app.unit_of_work() as uow:
        uow.customers.add(customer)
        uow.cases.add_many(cases)
        uow.attempts.add_many(attempts)
        uow.decisions.add_many(
            [
                DecisionEntry("case-1", "att-1", document, MONDAY_NOON),
                DecisionEntry("case-2", None, {"allowed": False}, MONDAY_NOON),
            ]
        )
        uow.commit()
    with app.unit_of_work() as uow:
        assert [uow.cases.get(case.id) for case in cases] == cases
        assert [uow.attempts.get(attempt.id) for attempt in attempts] == attempts
        assert uow.attempts.by_reference_code("ZZ9PLURAL") == [attempts[1]]
    assert _raw(app, "SELECT case_id, attempt_id, allowed FROM decisions ORDER BY id") == [
        ("case-1", "att-1", True),
        ("case-2", None, False),
    ]
    codes = [bytes(value) for (value,) in _raw(app, "SELECT reference_code_ct FROM attempts")]
    assert not [value for value in codes if b"ZZ9PLURAL" in value or b"RP7K2Q9X" in value]


def test_attempts_added_one_by_one_are_in_place_before_decisions_added_in_bulk(app):
    case = a_case()
    with app.unit_of_work() as uow:
        uow.customers.add(a_customer())
        uow.cases.add(case)
        uow.attempts.add(an_attempt("att-1", case=case))
        uow.decisions.add_many([DecisionEntry(case.id, "att-1", {"allowed": True}, MONDAY_NOON)])
        uow.commit()
    assert _raw(app, "SELECT attempt_id FROM decisions") == [("att-1",)]


def test_a_bulk_of_attempts_repeating_a_stored_idempotency_key_writes_none_of_them(app):
    case = a_case()
    with app.unit_of_work() as uow:
        uow.customers.add(a_customer())
        uow.cases.add(case)
        uow.attempts.add_many([an_attempt("att-1", case=case)])
        uow.commit()
    again = replace(an_attempt("att-1", case=case), id="att-3")
    with app.unit_of_work() as uow:
        uow.attempts.add_many([an_attempt("att-2", case=case), again])
        with pytest.raises(IntegrityError):  # held until the commit: refused then, all of it
            uow.commit()
    assert _raw(app, "SELECT id FROM attempts") == [("att-1",)]


def test_new_attempts_are_held_until_a_read_or_the_commit_and_keep_later_changes(app):
    case = a_case()
    with app.unit_of_work() as uow:
        uow.customers.add(a_customer())
        uow.cases.add(case)
        attempt = an_attempt("att-1", case=case)
        uow.attempts.add(attempt)
        uow.decisions.add(case.id, attempt.id, {"allowed": True}, MONDAY_NOON)
        assert _raw_in(uow, "SELECT count(*) FROM attempts") == [(0,)]  # held, not written
        assert uow.attempts.get(attempt.id) == attempt  # found among the held ones
        attempt.mark_dispatching()
        uow.attempts.save(attempt)
        assert [found.id for found in uow.attempts.for_customer(case.customer_id)] == ["att-1"]
        assert _raw_in(uow, "SELECT count(*) FROM attempts") == [(1,)]  # the query flushed it
        second = an_attempt("att-2", case=case)
        uow.attempts.add(second)
        uow.commit()
    with app.unit_of_work() as uow:
        assert uow.attempts.get("att-1").status is AttemptStatus.DISPATCHING
        assert uow.attempts.get("att-2") == second
    assert _raw(app, "SELECT attempt_id FROM decisions") == [("att-1",)]


def test_decisions_added_one_by_one_are_written_at_commit_in_the_order_they_came(app):
    case = a_case()
    with app.unit_of_work() as uow:
        uow.customers.add(a_customer())
        uow.cases.add(case)
        uow.decisions.add(case.id, None, {"allowed": False, "n": 1}, MONDAY_NOON)
        assert _raw_in(uow, "SELECT count(*) FROM decisions") == [(0,)]  # held, not written
        uow.decisions.add_many([DecisionEntry(case.id, None, {"allowed": False}, MONDAY_NOON)])
        assert _raw_in(uow, "SELECT count(*) FROM decisions") == [(2,)]  # the held one first
        uow.decisions.add(case.id, None, {"allowed": True}, MONDAY_NOON)
        uow.commit()
    assert [
        json.loads(document) if isinstance(document, str) else document
        for (document,) in _raw(
            app,
            "SELECT x.document FROM decisions d JOIN decision_documents x "
            "ON x.digest = d.document_digest ORDER BY d.id",
        )
    ] == [{"allowed": False, "n": 1}, {"allowed": False}, {"allowed": True}]


def test_decisions_held_by_a_unit_of_work_that_rolls_back_are_never_written(app):
    case = a_case()
    with app.unit_of_work() as uow:
        uow.customers.add(a_customer())
        uow.cases.add(case)
        uow.commit()
    with app.unit_of_work() as uow:
        uow.decisions.add(case.id, None, {"allowed": False}, MONDAY_NOON)
    with app.unit_of_work() as uow:
        uow.commit()
    assert _raw(app, "SELECT count(*) FROM decisions") == [(0,)]


def test_each_part_of_a_sent_attempt_is_written_with_the_save_and_found_by_its_id(app):
    case = a_case()
    attempt = an_attempt("att-1", case=case)
    with app.unit_of_work() as uow:
        uow.customers.add(a_customer())
        uow.cases.add(case)
        uow.attempts.add(attempt)
        uow.commit()
    with app.unit_of_work() as uow:
        stored = uow.attempts.get(attempt.id)
        stored.mark_sent("twilio", "SM1,SM2", MONDAY_NOON)
        uow.attempts.save(stored)
        # Read through the repository: the held parts are written before the lookup.
        found = uow.attempts.by_provider_message_id("twilio", "SM2")
        assert found is not None
        assert found.id == attempt.id
        uow.commit()
    assert _raw(app, "SELECT message_id, part FROM provider_messages ORDER BY part") == [
        ("SM1", 1),
        ("SM2", 2),
    ]
