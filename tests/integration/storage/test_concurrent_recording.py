# SPDX-License-Identifier: Apache-2.0
"""Two workers recording attempts at once on one PostgreSQL database, each over its own engine
and connections, for customers of their own (the runtime's queue is partitioned by customer):
every attempt is stored and the one hash-chained audit log they both append to verifies intact.

Each chunk's audit entries take the next indexes of the log and extend its chain from the saved
state, so two transactions that read the same state would write the same indexes (`SqlAuditStore`
locks the state row against that). The workers start every chunk together, so their commits
overlap again and again; SQLite serialises writers by itself, so this runs on PostgreSQL only."""

import json
import threading

import pytest
from sqlalchemy import text

from rightparty.bootstrap import Application, assemble
from rightparty.config import Settings
from rightparty.db import migrate
from rightparty.db.engine import build_engine
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.policy.facts import ContactRequest
from rightparty.privacy.keys import InMemoryKeyProvider
from rightparty.usecases.orchestration.facts import customer_facts
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction
from rightparty.usecases.orchestration.recording import (
    DecidedAttempt,
    attempt_key,
    record_attempts,
)
from tests.builders import a_case, a_customer, a_mobile

pytestmark = pytest.mark.integration

WORKERS = ("a", "b")
CUSTOMERS_PER_WORKER = 4
CHUNKS = 30
CHUNK = 4
TIMEOUT = 60.0


@pytest.fixture
def apps(fresh_postgres_url, clock):
    """One application per worker, each with an engine (and so connections) of its own; they
    share the key material, as the worker processes of one deployment do."""
    engine = build_engine(fresh_postgres_url)
    migrate.upgrade(engine)
    engine.dispose()
    keys = InMemoryKeyProvider.generate()
    made = {
        worker: assemble(Settings(), build_engine(fresh_postgres_url), keys, clock)
        for worker in WORKERS
    }
    yield made
    for app in made.values():
        app.close()


def _chunks(app: Application, worker: str) -> list[list[DecidedAttempt]]:
    """The worker's customers and cases, stored; each chunk's attempts already decided."""
    customers = [
        a_customer(
            f"{worker}-cust-{n}",
            external_ref=f"{worker.upper()}{n}",
            points=[a_mobile(f"{worker}-m{n}", f"+86138{ord(worker):03d}{n:05d}")],
        )
        for n in range(CUSTOMERS_PER_WORKER)
    ]
    cases = [
        a_case(f"{worker}-case-{n}", customer_id=customers[n % len(customers)].id)
        for n in range(CHUNKS * CHUNK)
    ]
    with app.unit_of_work() as uow:
        uow.customers.add_many(customers)
        uow.cases.add_many(cases)
        uow.commit()
    by_id = {customer.id: customer for customer in customers}
    decided = []
    for case in cases:
        customer = by_id[case.customer_id]
        point = customer.contact_points[0].id
        request = ContactRequest(Channel.SMS, point, Purpose.PAYMENT_REMINDER)
        policy = policy_for_jurisdiction(customer.jurisdiction)
        decision = policy.evaluate(customer_facts(customer, []), request, app.clock.now())
        assert decision.allowed
        decided.append(DecidedAttempt(case, customer, point, decision))
    return [decided[start : start + CHUNK] for start in range(0, len(decided), CHUNK)]


def _audited_attempt_ids(app: Application) -> list[str]:
    with app.session_factory() as session:
        rows = session.execute(text('SELECT event_bytes FROM audit_entries ORDER BY "index"'))
        events = [json.loads(bytes(row[0])) for row in rows]
    return [event["subject"] for event in events if event["type"] == "attempt.recorded"]


def test_concurrent_recording_keeps_every_attempt_and_the_audit_chain(apps):
    work = {worker: _chunks(app, worker) for worker, app in apps.items()}
    size_before = apps["a"].verify_audit_log().size
    start_together = threading.Barrier(len(WORKERS), timeout=TIMEOUT)
    recorded: dict[str, list[str]] = {worker: [] for worker in WORKERS}
    errors: list[BaseException] = []

    def run(worker: str) -> None:
        app = apps[worker]
        try:
            for chunk in work[worker]:
                start_together.wait()
                result = record_attempts(chunk, app.unit_of_work(), app.clock)
                recorded[worker] += [attempt.id for attempt in result.attempts]
        except Exception as error:  # noqa: BLE001 - handed to the test, which asserts on it
            errors.append(error)
            start_together.abort()  # the other worker stops waiting for this one

    threads = [threading.Thread(target=run, args=(worker,)) for worker in WORKERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    total = len(WORKERS) * CHUNKS * CHUNK
    everyone = [attempt_id for worker in WORKERS for attempt_id in recorded[worker]]
    assert len(set(everyone)) == total
    with apps["a"].unit_of_work() as uow:
        for chunk in (chunk for chunks in work.values() for chunk in chunks):
            for item in chunk:
                stored = uow.attempts.by_idempotency_key(
                    attempt_key(item.case, item.contact_point_id)
                )
                assert stored is not None
                assert stored.customer_id == item.customer.id
    report = apps["b"].verify_audit_log()
    assert report.ok, report
    assert report.size == size_before + total
    assert sorted(_audited_attempt_ids(apps["a"])) == sorted(everyone)
