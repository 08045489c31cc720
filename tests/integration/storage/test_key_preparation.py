# SPDX-License-Identifier: Apache-2.0
"""`uow.prepare_customers` on both backends: a chunk's keys in a few statements, none per field
after them, and a rollback forgets every key the preparation created or reserved."""

import json

import pytest
from sqlalchemy import event, text

from rightparty.db.data_key_store import keys_written
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.policy.facts import ContactRequest
from rightparty.privacy.errors import KeyShredded
from rightparty.usecases.customer_import import validate_import
from rightparty.usecases.customers import import_customers
from rightparty.usecases.orchestration.facts import customer_facts
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction
from rightparty.usecases.orchestration.recording import DecidedAttempt, record_attempts
from tests.builders import a_case, a_customer, a_mobile

pytestmark = pytest.mark.integration

NAME = ("customers", "name")


class Statements:
    """Counts the statements the application's connection runs while it is entered."""

    def __init__(self, storage):
        self.connection = storage.connection
        self.seen: list[str] = []

    def _record(self, **event_arguments):
        self.seen.append(event_arguments["statement"])

    def __enter__(self):
        event.listen(self.connection, "before_cursor_execute", self._record, named=True)
        return self

    def __exit__(self, *exc):
        event.remove(self.connection, "before_cursor_execute", self._record)

    def touching_keys(self):
        return [s for s in self.seen if "data_key" in s and not s.startswith("SAVEPOINT")]


def _rows(app, sql):
    with app.session_factory() as session:
        return session.execute(text(sql)).all()


def _cipher(app):
    return app.protection.cipher


def test_a_chunk_is_prepared_in_a_few_statements_and_encrypts_without_more(app, storage):
    cipher = _cipher(app)
    with app.unit_of_work() as uow:
        cipher.encrypt("old-1", *NAME, "x")
        cipher.encrypt("old-2", *NAME, "x")
        uow.commit()
    cipher.forget_cached_keys()
    customers = ["old-1", "old-2"] + [f"new-{n}" for n in range(30)]
    with app.unit_of_work() as uow, Statements(storage) as statements:
        uow.prepare_customers(customers)
        prepared = len(statements.touching_keys())
        ciphertexts = {c: cipher.encrypt(c, *NAME, c) for c in customers}
        assert len(statements.touching_keys()) == prepared
        uow.commit()
    # tombstones and keys read, existing keys checked, new keys inserted, blocks reserved
    assert prepared <= 6
    cipher.forget_cached_keys()
    with app.unit_of_work():
        for customer_id, ciphertext in ciphertexts.items():
            assert cipher.decrypt(customer_id, *NAME, ciphertext) == customer_id
    stored = dict(_rows(app, "SELECT customer_id, encryptions FROM data_keys"))
    assert stored["old-1"] == 2 * 256
    assert stored["new-7"] == 256


def test_a_rollback_forgets_every_key_the_preparation_wrote(app):
    cipher = _cipher(app)
    with app.unit_of_work() as uow:
        cipher.encrypt("old", *NAME, "x")
        uow.commit()
    cipher.forget_cached_keys()
    with app.unit_of_work() as uow:
        uow.prepare_customers(["old", "new"])
        assert keys_written(uow.session) == {"old", "new"}
        doomed = cipher.encrypt("new", *NAME, "never stored")
        cipher.encrypt("old", *NAME, "never stored")
        uow.rollback()
        assert repr(cipher) == "FieldCipher(kek_id='memory', cached_customers=0)"
    assert dict(_rows(app, "SELECT customer_id, encryptions FROM data_keys")) == {"old": 256}
    with app.unit_of_work() as uow:
        uow.prepare_customers(["new"])
        kept = cipher.encrypt("new", *NAME, "stored")
        uow.commit()
    cipher.forget_cached_keys()
    with app.unit_of_work():
        assert cipher.decrypt("new", *NAME, kept) == "stored"
        with pytest.raises(Exception):  # noqa: B017, PT011 - the rolled-back key is gone for good
            cipher.decrypt("new", *NAME, doomed)


def test_a_shredded_customer_still_raises_after_preparation(app):
    cipher = _cipher(app)
    with app.unit_of_work() as uow:
        ciphertext = cipher.encrypt("gone", *NAME, "x")
        cipher.shred("gone", retention_hold=False)
        uow.commit()
    with app.unit_of_work() as uow:
        uow.prepare_customers(["gone", "alive"])
        with pytest.raises(KeyShredded):
            cipher.decrypt("gone", *NAME, ciphertext)
        with pytest.raises(KeyShredded):
            cipher.encrypt("gone", *NAME, "again")
        cipher.encrypt("alive", *NAME, "fine")
    assert _rows(app, "SELECT count(*) FROM data_keys WHERE customer_id = 'gone'") == [(0,)]


def _line(ref):
    return json.dumps(
        {
            "external_ref": ref,
            "name": f"客户 {ref}",
            "locale": "zh-CN",
            "jurisdiction": "CN",
            "locations": [{"timezone": "Asia/Shanghai", "source": "address"}],
            "contact_points": [{"channel": "sms", "address": "+8613812345678", "source": "app"}],
        },
        ensure_ascii=False,
    )


def test_an_import_that_fails_after_a_prepared_chunk_leaves_no_key_behind(app):
    lines = [_line(f"C{n}") for n in range(5)]

    def fail_after_first_chunk(done):
        if done > 2:
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        import_customers(
            validate_import(lines),
            app.unit_of_work(),
            app.clock,
            on_progress=fail_after_first_chunk,
            chunk_size=2,
        )
    assert _rows(app, "SELECT count(*) FROM data_keys") == [(0,)]
    assert repr(_cipher(app)) == "FieldCipher(kek_id='memory', cached_customers=0)"
    report = import_customers(validate_import(lines), app.unit_of_work(), app.clock, chunk_size=2)
    assert report.created == 5
    reimport = import_customers(validate_import(lines), app.unit_of_work(), app.clock)
    assert (reimport.created, reimport.updated) == (0, 5)
    _cipher(app).forget_cached_keys()
    with app.unit_of_work() as uow:
        assert uow.customers.by_external_ref("C4").name == "客户 C4"
    assert _rows(app, "SELECT count(*) FROM data_keys") == [(5,)]


def _decided(app, customer, case_id):
    case = a_case(case_id, customer_id=customer.id, purpose=Purpose.PAYMENT_REMINDER)
    with app.unit_of_work() as uow:
        uow.cases.add(case)
        uow.commit()
    point = customer.contact_points[0].id
    request = ContactRequest(Channel.SMS, point, Purpose.PAYMENT_REMINDER)
    policy = policy_for_jurisdiction(customer.jurisdiction)
    decision = policy.evaluate(customer_facts(customer, []), request, app.clock.now())
    return DecidedAttempt(case, customer, point, decision)


def test_a_recorded_batch_that_rolls_back_forgets_its_reservations(app, storage):
    customers = [
        a_customer(f"cust-{n}", external_ref=f"C{n}", points=[a_mobile(f"m{n}", "+8613812345678")])
        for n in range(2)
    ]
    with app.unit_of_work() as uow:
        uow.customers.add_many(customers)
        uow.commit()
    _cipher(app).forget_cached_keys()
    batch = [_decided(app, customer, f"case-{customer.id}") for customer in customers]
    record_attempts(batch, app.unit_of_work(), app.clock)
    before = dict(_rows(app, "SELECT customer_id, encryptions FROM data_keys"))
    _cipher(app).forget_cached_keys()  # as a fresh worker: the batch reserves new blocks
    with (
        Statements(storage) as statements,
        pytest.raises(Exception),  # noqa: B017, PT011 - the idempotency keys are taken
    ):
        record_attempts(batch, app.unit_of_work(), app.clock)
    reservations = [s for s in statements.touching_keys() if s.startswith("UPDATE data_keys")]
    assert len(reservations) == 1  # one statement reserved both customers' blocks
    assert dict(_rows(app, "SELECT customer_id, encryptions FROM data_keys")) == before
    assert repr(_cipher(app)) == "FieldCipher(kek_id='memory', cached_customers=0)"
    again = [_decided(app, customer, f"case-2-{customer.id}") for customer in customers]
    recorded = record_attempts(again, app.unit_of_work(), app.clock)
    with app.unit_of_work() as uow:
        for attempt in recorded.attempts:
            assert uow.attempts.by_reference_code(attempt.reference_code) == [attempt]
