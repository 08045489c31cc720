# SPDX-License-Identifier: Apache-2.0
"""Worker processes killed with SIGKILL at seeded random points, then restarted: no attempt is
lost and none is sent twice, on SQLite and on PostgreSQL (DESIGN.md §5, ADR 0002)."""

from __future__ import annotations

import bisect
import json
import random
import signal
import sys
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from rightparty.domain.attempt import Attempt, AttemptStatus
from rightparty.domain.case import Case
from rightparty.domain.vocabulary import Outcome
from rightparty.runtime.durable import system_database_url
from tests.integration.runtime.conftest import BANK, Bank
from tests.integration.runtime.ledger import DurableLedger

pytestmark = pytest.mark.integration
SEED = 20260302
RANDOM_KILLS = 3
SETTLE_TIMEOUT = 25.0
MARGIN = timedelta(minutes=30)
"""Settled: nothing queued, and every open case waits at least this long, so stopping the worker
cannot cut a step short."""


_UNSENT = (AttemptStatus.QUEUED, AttemptStatus.DISPATCHING)


def _state(bank: Bank) -> tuple[list[Case], list[Attempt]]:
    with bank.app.unit_of_work() as uow:
        cases = [uow.cases.get(case_id) for case_id in _case_ids(bank)]
        attempts = [
            a
            for customer in {c.customer_id for c in cases}
            for a in uow.attempts.for_customer(customer)
        ]
    return cases, attempts


def _case_ids(bank: Bank) -> list[str]:
    with bank.app.session_factory() as session:
        return list(session.execute(text("SELECT id FROM cases ORDER BY id")).scalars())


def _settled(bank: Bank, now: datetime, margin: timedelta) -> bool:
    cases, attempts = _state(bank)
    waiting_on = [c for c in cases if not c.status.closed]
    return all(a.status not in _UNSENT for a in attempts) and all(
        c.next_action_at is not None and c.next_action_at > now + margin for c in waiting_on
    )


def test_killed_workers_lose_no_attempt_and_send_none_twice(bank: Bank) -> None:
    rng = random.Random(SEED)  # noqa: S311 - seeded kill points, not a secret
    started = time.monotonic()
    # A kill right after a provider send, before "sent" is committed: the window that matters.
    first = bank.spawn("--kill-after-sends", str(rng.randint(2, 5)))
    assert first.wait(timeout=20) == -signal.SIGKILL
    for _ in range(RANDOM_KILLS):
        worker = bank.spawn()
        time.sleep(rng.uniform(0.05, 0.8))
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    # The last worker runs until the bank looks settled and is stopped cleanly; its state is
    # then checked with no worker running. A step caught by the stop is resumed by another run.
    for _ in range(3):
        last = bank.spawn()
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while not _settled(bank, bank.clock.now(), MARGIN):
            assert time.monotonic() < deadline, "the cases did not settle"
            time.sleep(0.2)
        stopped_at = bank.clock.now()
        last.send_signal(signal.SIGTERM)
        assert last.wait(timeout=10) == 0
        if _settled(bank, stopped_at, timedelta(0)):
            break
    else:
        pytest.fail("a stopped worker left work behind three times")
    elapsed = time.monotonic() - started

    cases, attempts = _state(bank)
    ledger = DurableLedger(bank.ledger)
    requests = ledger.requests()
    sent_keys = [send.idempotency_key for send in ledger.sends]
    sys.stdout.write(
        f"\n{len(cases)} cases, {len(attempts)} attempts, {len(sent_keys)} sends,"
        f" {sum(n > 1 for n in requests.values())} keys asked for again, {elapsed:.1f}s\n"
    )
    # Sent at most once: every key the sandbox delivered, it delivered once...
    assert ledger.duplicates == 0
    assert len(sent_keys) == len(set(sent_keys))
    # ...although the worker did ask again for the key whose "sent" the first kill lost.
    assert any(count > 1 for count in requests.values())
    # No attempt lost: every attempt reached the provider and none is left queued.
    assert {a.idempotency_key for a in attempts} <= set(requests)
    assert all(a.status not in _UNSENT for a in attempts)
    accepted = {a.idempotency_key for a in attempts if a.provider_message_id}
    assert set(sent_keys) == accepted
    # Every allowed decision has its attempt, and every attempt its allowed decision.
    with bank.app.session_factory() as session:
        orphans = session.execute(
            text(
                "SELECT count(*) FROM decisions d LEFT JOIN attempts a ON a.id = d.attempt_id"
                " WHERE d.allowed = :yes AND a.id IS NULL"
            ),
            {"yes": True},
        ).scalar_one()
        allowed = session.execute(
            text("SELECT count(*) FROM decisions WHERE allowed = :yes"), {"yes": True}
        ).scalar_one()
    assert orphans == 0
    assert allowed == len(attempts)
    # Every case is closed, or waits for a stated reason (a step's wait or a policy's).
    for case in cases:
        waits = case.next_action_at is not None and case.next_action_at > stopped_at
        assert case.status.closed or waits, case
    assert bank.app.verify_audit_log().ok
    _assert_customers_serialised(bank)


def _assert_customers_serialised(bank: Bank) -> None:
    """No two step workflows of one customer ran at the same time.

    A workflow cut short by a kill resumes in the next process, so each workflow's recorded DBOS
    steps (millisecond timestamps) are split by the process that ran them; per customer, every
    such stretch ends before the next one begins.
    """
    url = system_database_url(bank.url)
    schema = "" if url.startswith("sqlite") else "dbos."
    query = text(
        "SELECT w.queue_partition_key, w.workflow_uuid, o.started_at_epoch_ms,"  # noqa: S608 - a constant schema
        " o.completed_at_epoch_ms"
        f" FROM {schema}operation_outputs o JOIN {schema}workflow_status w"
        " ON w.workflow_uuid = o.workflow_uuid WHERE w.name = 'rightparty.case_step'"
    )
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    finally:
        engine.dispose()
    stretches: dict[tuple[str, str, int], tuple[int, int]] = {}
    for customer, workflow, started, completed in rows:
        key = (customer, workflow, bisect.bisect_right(bank.spawned_ms, started))
        first, last = stretches.get(key, (started, completed))
        stretches[key] = (min(first, started), max(last, completed))
    assert {customer for customer, *_ in stretches} == set(BANK)
    ended: dict[str, int] = {}
    for (customer, *_), (started, completed) in sorted(
        stretches.items(), key=lambda item: (item[0][0], item[1][0])
    ):
        assert started >= ended.get(customer, 0), customer
        ended[customer] = completed


def _run_until_settled(bank: Bank) -> datetime:
    last = bank.spawn("--no-dedup")
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while not _settled(bank, bank.clock.now(), MARGIN):
        assert time.monotonic() < deadline, "the cases did not settle"
        time.sleep(0.2)
    stopped_at = bank.clock.now()
    last.send_signal(signal.SIGTERM)
    assert last.wait(timeout=10) == 0
    return stopped_at


def _audited_event_types(bank: Bank) -> list[str]:
    with bank.app.session_factory() as session:
        rows = session.execute(text('SELECT event_bytes FROM audit_entries ORDER BY "index"'))
        return [json.loads(bytes(row[0]))["type"] for row in rows]


def test_a_provider_that_forgets_keys_never_gets_a_cut_short_send_again(bank: Bank) -> None:
    """Like SMTP, this sandbox would deliver a key again after a restart. The send a kill cut
    short (delivered, "sent" never committed) is not asked for again: its attempt is settled as
    `timeout`, fate unknown, and counts as the message it may have been."""
    first = bank.spawn("--no-dedup", "--kill-after-sends", "3")
    assert first.wait(timeout=20) == -signal.SIGKILL
    _run_until_settled(bank)

    _, attempts = _state(bank)
    ledger = DurableLedger(bank.ledger)
    sent_keys = [send.idempotency_key for send in ledger.sends]
    assert ledger.duplicates == 0
    assert set(ledger.requests().values()) == {1}, "no key was asked for twice"
    assert all(a.status not in _UNSENT for a in attempts)
    unknown = [a for a in attempts if a.outcome is Outcome.TIMEOUT and a.provider is None]
    assert unknown, "the kill left at least the send it cut short unrecorded"
    # Every message the sandbox delivered is accounted for: its send was recorded, or its attempt
    # was settled as fate unknown (the kill cut it short after the sandbox had it).
    recorded = {a.idempotency_key for a in attempts if a.provider is not None}
    assert set(sent_keys) <= recorded | {a.idempotency_key for a in unknown}
    assert _audited_event_types(bank).count("attempt.fate_unknown") == len(unknown)
    assert bank.app.verify_audit_log().ok
