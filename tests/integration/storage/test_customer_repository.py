# SPDX-License-Identifier: Apache-2.0
"""The customer repository on both backends: round trips, blind-index look-ups, ciphertext only."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import text

from rightparty.db.types import NaiveDatetimeRefused
from rightparty.domain.consent import ConsentAction, ConsentEntry, ConsentSource
from rightparty.domain.errors import CustomerNotFound
from rightparty.domain.restriction import (
    CeaseCommunication,
    InconvenientTime,
    LegalHold,
    OptOut,
)
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointStatus,
    LegalHoldReason,
    OptOutScope,
    Outcome,
    Purpose,
)
from tests.builders import MONDAY_NOON, a_customer, a_mobile, an_email

pytestmark = pytest.mark.integration


def _store(app, customer):
    with app.unit_of_work() as uow:
        uow.customers.add(customer)
        uow.commit()


def test_a_customer_round_trips_with_points_consents_and_restrictions(app):
    customer = a_customer()
    customer.consents.append(
        ConsentEntry(
            Purpose.MARKETING, Channel.SMS, ConsentAction.GRANTED, ConsentSource.APP, MONDAY_NOON
        )
    )
    customer.restrictions += [
        CeaseCommunication(debt_id="d1", received_at=MONDAY_NOON),
        OptOut(scope=OptOutScope.CHANNEL, channel=Channel.EMAIL, at=MONDAY_NOON),
        InconvenientTime(weekdays=frozenset(range(5)), start=time(9), end=time(17)),
        LegalHold(reason=LegalHoldReason.BANKRUPTCY, since=MONDAY_NOON),
    ]
    _store(app, customer)
    with app.unit_of_work() as uow:
        loaded = uow.customers.get(customer.id)
    assert loaded == customer


def test_changes_to_points_and_ledgers_are_saved(app):
    customer = a_customer()
    _store(app, customer)
    later = MONDAY_NOON + timedelta(days=1)
    with app.unit_of_work() as uow:
        stored = uow.customers.get(customer.id)
        stored.contact_point("m1").record_outcome(Outcome.WRONG_NUMBER, later)
        stored.contact_points.append(a_mobile("m2", "+8613912345678"))
        stored.consents.append(
            ConsentEntry(
                Purpose.MARKETING, Channel.SMS, ConsentAction.REVOKED, ConsentSource.PORTAL, later
            )
        )
        stored.restrictions.append(OptOut(scope=OptOutScope.ALL, at=later))
        uow.customers.save(stored)
        uow.commit()
    with app.unit_of_work() as uow:
        again = uow.customers.get(customer.id)
    assert again.contact_point("m1").status is ContactPointStatus.WRONG_PARTY
    assert again.contact_point("m1").health.last_outcome_at == later
    assert [point.id for point in again.contact_points] == ["m1", "e1", "m2"]
    assert [entry.action for entry in again.consents] == [ConsentAction.REVOKED]
    assert again.restrictions == [OptOut(scope=OptOutScope.ALL, at=later)]


def test_lookup_by_phone_finds_the_holder_on_both_phone_channels_only(app):
    first = a_customer("c-1", external_ref="R1")
    second = a_customer(
        "c-2", external_ref="R2", points=[a_mobile("m9", "+8613700000000"), an_email("e9")]
    )
    _store(app, first)
    _store(app, second)
    with app.unit_of_work() as uow:
        by_sms = uow.customers.by_address(Channel.SMS, "+8613812345678")
        by_voice = uow.customers.by_address(Channel.VOICE, "+8613812345678")
        by_email = uow.customers.by_address(Channel.EMAIL, "wxm@example.com")
        nobody = uow.customers.by_address(Channel.SMS, "+8613899999999")
        assert uow.customers.by_external_ref("R2").id == "c-2"
        assert uow.customers.by_external_ref("R3") is None
        assert uow.customers.count() == 2
    assert [customer.id for customer in by_sms] == ["c-1"]
    assert [customer.id for customer in by_voice] == ["c-1"]
    assert sorted(customer.id for customer in by_email) == ["c-1", "c-2"]
    assert nobody == []


def test_an_unknown_customer_is_a_typed_error(app):
    with app.unit_of_work() as uow, pytest.raises(CustomerNotFound):
        uow.customers.get("missing")


def test_personal_data_is_stored_only_as_ciphertext(app, storage):
    customer = a_customer(name="王小明")
    _store(app, customer)
    with app.session_factory() as session:
        name_ct = session.execute(text("SELECT name_ct FROM customers")).scalar_one()
        addresses = session.execute(text("SELECT address_ct FROM contact_points")).scalars().all()
    assert "王小明".encode() not in bytes(name_ct)
    assert all(b"+8613812345678" not in bytes(value) for value in addresses)
    assert all(b"wxm@example.com" not in bytes(value) for value in addresses)
    assert storage.backend in ("sqlite", "postgresql")


def test_a_rolled_back_unit_of_work_leaves_no_customer_no_key_and_no_audit_entry(app):
    customer = a_customer()
    with app.unit_of_work() as uow:
        uow.customers.add(customer)
        uow.audit.record("customer.created", "system:test", customer.id, {}, MONDAY_NOON)
    with app.session_factory() as session:
        counts = [
            session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - fixed names
            for table in ("customers", "data_keys", "audit_entries")
        ]
    assert counts == [0, 0, 0]
    _store(app, customer)
    with app.unit_of_work() as uow:
        assert uow.customers.get(customer.id).name == customer.name


def test_a_restriction_with_a_naive_instant_is_refused_not_read_as_local_time(app):
    customer = a_customer()
    customer.restrictions.append(
        CeaseCommunication(received_at=datetime(2026, 3, 2, 9, 0), debt_id="d1")  # noqa: DTZ001 - the naive value under test
    )
    with app.unit_of_work() as uow, pytest.raises(NaiveDatetimeRefused):
        uow.customers.add(customer)
    with app.unit_of_work() as uow:
        assert uow.customers.count() == 0
