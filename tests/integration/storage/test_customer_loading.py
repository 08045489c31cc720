# SPDX-License-Identifier: Apache-2.0
"""Reading customers on both backends: what a load remembers lets an unchanged customer be saved
without a write, each customer read with others gets only its own children, and a stored value
the vocabulary does not know is a clear error."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time, timedelta

import pytest
from sqlalchemy import event, text

from rightparty.db.repositories.customer_rows import point_state
from rightparty.domain.consent import ConsentAction, ConsentEntry, ConsentSource
from rightparty.domain.restriction import InconvenientTime, OptOut
from rightparty.domain.vocabulary import Channel, ContactPointStatus, OptOutScope, Outcome, Purpose
from tests.builders import MONDAY_NOON, a_customer, a_mobile, an_email

pytestmark = pytest.mark.integration

LATER = MONDAY_NOON + timedelta(hours=5)


@contextmanager
def statements_sent(app) -> Iterator[list[str]]:
    """The statements sent to the database while entered (an executemany is one)."""
    seen: list[str] = []

    def record(*arguments):  # (conn, cursor, statement, parameters, context, executemany)
        seen.append(arguments[2])

    event.listen(app.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(app.engine, "before_cursor_execute", record)


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]


def _full_customer(customer_id: str = "cust-1", external_ref: str = "C0001"):
    """Every column a point has, set or not: zones, an outcome, a supersession, a verification."""
    tired = a_mobile("m1", time_zones=("Asia/Shanghai", "Asia/Urumqi"))
    tired.record_outcome(Outcome.NO_ANSWER, MONDAY_NOON)
    tired.verified_at = MONDAY_NOON - timedelta(days=3)
    tired.last_confirmed_at = MONDAY_NOON - timedelta(days=2)
    old = a_mobile("m0", "+8613800000000", channel=Channel.VOICE, time_zones=())
    old.supersede(MONDAY_NOON)
    customer = a_customer(
        customer_id,
        external_ref=external_ref,
        points=[tired, old, an_email(f"e-{customer_id}")],
    )
    customer.consents.append(
        ConsentEntry(
            Purpose.MARKETING, Channel.SMS, ConsentAction.GRANTED, ConsentSource.APP, MONDAY_NOON
        )
    )
    customer.restrictions.append(
        InconvenientTime(weekdays=frozenset({0, 4}), start=time(9), end=time(17))
    )
    return customer


def _store(app, *customers):
    with app.unit_of_work() as uow:
        uow.customers.add_many(list(customers))
        uow.commit()


def test_a_loaded_customer_saved_unchanged_writes_nothing(app):
    _store(app, _full_customer())
    with statements_sent(app) as sent, app.unit_of_work() as uow:
        customer = uow.customers.get("cust-1")
        uow.customers.save(customer)
        uow.customers.save(customer)
        uow.commit()
    assert _writes(sent) == []


def test_what_a_load_remembers_of_each_point_is_its_state_as_save_computes_it(app):
    _store(app, _full_customer())
    with app.unit_of_work() as uow:
        customer = uow.customers.get("cust-1")
        remembered = uow.customers._stored["cust-1"].points
    assert remembered == {
        point.id: point_state(position, point)
        for position, point in enumerate(customer.contact_points)
    }


def test_a_customer_whose_stored_positions_have_a_gap_is_saved_unchanged_without_a_write(app):
    _store(app, _full_customer())
    with app.unit_of_work() as uow:
        customer = uow.customers.get("cust-1")
        del customer.contact_points[1]  # positions 0 and 2 stay as stored
        uow.customers.save(customer)
        uow.commit()
    with statements_sent(app) as sent, app.unit_of_work() as uow:
        customer = uow.customers.get("cust-1")
        uow.customers.save(customer)
        uow.commit()
    assert _writes(sent) == []
    with app.unit_of_work() as uow:
        assert [point.id for point in uow.customers.get("cust-1").contact_points] == [
            "m1",
            "e-cust-1",
        ]


def test_a_customer_found_by_reference_saved_unchanged_writes_nothing(app):
    _store(app, _full_customer())
    with statements_sent(app) as sent, app.unit_of_work() as uow:
        customer = uow.customers.by_external_ref("C0001")
        assert customer is not None
        uow.customers.save(customer)
        uow.commit()
    assert _writes(sent) == []


def test_one_changed_point_after_a_load_is_the_only_row_written(app):
    _store(app, _full_customer())
    with statements_sent(app) as sent, app.unit_of_work() as uow:
        customer = uow.customers.get("cust-1")
        customer.contact_point("e-cust-1").record_outcome(Outcome.BOUNCED_HARD, LATER)
        uow.customers.save(customer)
        uow.commit()
    writes = _writes(sent)
    assert len(writes) == 1
    assert writes[0].startswith("UPDATE contact_points")
    # The channel leads the address index: a health update does not name it (SQLite would
    # rewrite the index entry), nor the address.
    assert "channel" not in writes[0]
    assert "address" not in writes[0]
    with app.unit_of_work() as uow:
        email = uow.customers.get("cust-1").contact_point("e-cust-1")
    assert (email.status, email.health.last_outcome_at) == (ContactPointStatus.INVALID, LATER)


def test_a_point_given_another_channel_keeps_it(app):
    _store(app, _full_customer())
    with app.unit_of_work() as uow:
        customer = uow.customers.get("cust-1")
        customer.contact_point("m1").channel = Channel.VOICE  # the same number, now for calls
        uow.customers.save(customer)
        uow.commit()
    with app.unit_of_work() as uow:
        point = uow.customers.get("cust-1").contact_point("m1")
    assert point.channel is Channel.VOICE
    assert point.health.last_outcome is Outcome.NO_ANSWER


def test_customers_read_together_each_get_only_their_own_children(app):
    bare = a_customer("c-bare", external_ref="R1")
    consenting = a_customer("c-consent", external_ref="R2", points=[an_email("e2")])
    consenting.consents.append(
        ConsentEntry(
            Purpose.MARKETING, Channel.EMAIL, ConsentAction.GRANTED, ConsentSource.APP, MONDAY_NOON
        )
    )
    restricted = a_customer("c-restricted", external_ref="R3", points=[an_email("e3")])
    restricted.restrictions.append(OptOut(scope=OptOutScope.ALL, at=MONDAY_NOON))
    _store(app, bare, consenting, restricted)
    with app.unit_of_work() as uow:
        loaded = uow.customers.get_many(["c-restricted", "c-bare", "c-consent"])
        assert uow.customers.get_many(["c-bare"])["c-bare"] is loaded["c-bare"]
    assert loaded == {"c-bare": bare, "c-consent": consenting, "c-restricted": restricted}


@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [
        ("contact_points", "channel", "'fax' is not a valid Channel"),
        ("contact_points", "status", "'fax' is not a valid ContactPointStatus"),
        ("contact_points", "last_outcome", "'fax' is not a valid Outcome"),
        ("consents", "purpose", "'fax' is not a valid Purpose"),
        ("consents", "action", "'fax' is not a valid ConsentAction"),
    ],
)
def test_a_stored_value_the_vocabulary_does_not_know_is_a_clear_error(app, table, column, expected):
    _store(app, _full_customer())
    with app.session_factory() as session:
        session.execute(text(f"UPDATE {table} SET {column} = 'fax'"))  # noqa: S608 - fixed names
        session.commit()
    with app.unit_of_work() as uow, pytest.raises(ValueError, match=expected) as raised:
        uow.customers.get("cust-1")
    assert "王小明" not in str(raised.value)
