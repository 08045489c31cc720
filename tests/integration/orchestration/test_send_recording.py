# SPDX-License-Identifier: Apache-2.0
"""Recording a batch of sends reads only what the answers need: a send the provider merely
accepted changes its attempt alone, while one that settles an outcome now (a bounce, a status
held from an early callback) still updates its contact point and case."""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text

from rightparty.audit.events import payload_digest
from rightparty.domain.attempt import AttemptStatus
from rightparty.domain.case import CaseStatus
from rightparty.domain.messages import DeliveryResult, DeliveryStatus, OutboundMessage
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointStatus,
    Outcome,
    OutcomeCategory,
    Purpose,
)
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from rightparty.usecases.orchestration.steps import StepResult
from tests.builders import a_us_customer, a_us_point

pytestmark = pytest.mark.integration
NOON_IN_NEW_YORK = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)


class AnsweringGateway:
    """Accepts every message, except those to addresses listed in `bounce` or `refuse`."""

    def __init__(
        self, bounce: frozenset[str] = frozenset(), refuse: frozenset[str] = frozenset()
    ) -> None:
        self.bounce = bounce
        self.refuse = refuse

    def send(self, message: OutboundMessage) -> DeliveryResult:
        if message.address in self.bounce:
            return DeliveryResult(
                DeliveryStatus.PERMANENT_FAILURE, "fake", outcome=Outcome.BOUNCED_HARD
            )
        if message.address in self.refuse:  # the recipient blocks the sender
            return DeliveryResult(DeliveryStatus.PERMANENT_FAILURE, "fake", outcome=Outcome.BLOCKED)
        return DeliveryResult(DeliveryStatus.ACCEPTED, "fake", f"id-{message.attempt_id}")


@contextmanager
def tables_read(app) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(*arguments):  # (conn, cursor, statement, parameters, context, executemany)
        found = re.match(r"SELECT\b.*?\sFROM\s+(\w+)", arguments[2], re.DOTALL)
        if found is not None:
            seen.append(found.group(1))

    event.listen(app.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(app.engine, "before_cursor_execute", note)


def _recorded(app, clock, worker, count):
    """`count` customers with one email each, and the message of each one's recorded attempt."""
    clock.advance_to(NOON_IN_NEW_YORK)
    with app.unit_of_work() as uow:
        uow.customers.add_many(
            [
                a_us_customer(f"c{n}", a_us_point(f"e{n}", Channel.EMAIL, f"c{n}@example.com"))
                for n in range(count)
            ]
        )
        uow.commit()
    case_ids = [
        open_case(OpenCase(f"c{n}", Purpose.PAYMENT_REMINDER, "staff:t"), app.unit_of_work(), clock)
        for n in range(count)
    ]
    reports = worker.run_steps(case_ids, claim=True)
    return case_ids, [report.message for report in reports]


def test_sends_only_accepted_are_recorded_without_reading_customers_or_cases(app, clock):
    worker = app.case_worker(AnsweringGateway())
    _, messages = _recorded(app, clock, worker, 3)
    with tables_read(app) as read:
        assert worker.send_claimed(messages) == [None, None, None]
    assert "attempts" in read
    assert "customers" not in read
    assert "cases" not in read
    with app.unit_of_work() as uow:
        attempts = uow.attempts.get_many([message.attempt_id for message in messages])
    assert {attempt.status for attempt in attempts.values()} == {AttemptStatus.SENT}


def test_a_bounce_in_the_same_batch_still_marks_its_point_invalid(app, clock):
    worker = app.case_worker(AnsweringGateway(bounce=frozenset({"c1@example.com"})))
    case_ids, messages = _recorded(app, clock, worker, 3)
    assert worker.send_claimed(messages) == [None, Outcome.BOUNCED_HARD, None]
    with app.unit_of_work() as uow:
        bounced = uow.customers.get("c1").contact_point("e1")
        others = [uow.customers.get(f"c{n}").contact_point(f"e{n}") for n in (0, 2)]
        case = uow.cases.get(case_ids[1])
    assert bounced.status is ContactPointStatus.INVALID
    assert {point.status for point in others} == {ContactPointStatus.VALID}
    assert case.next_action_at == clock.now()  # moves on at once


def test_refusals_in_one_batch_read_their_histories_together_and_close_as_refused(app, clock):
    """Each refusal closes its case after a look at the case's attempts; they are read for
    the whole batch in one query (one per refusal flushed everything held so far each time),
    and the attempt refused in this very batch counts with its outcome."""
    refusing = frozenset({"c0@example.com", "c2@example.com", "c3@example.com"})
    worker = app.case_worker(AnsweringGateway(refuse=refusing))
    case_ids, messages = _recorded(app, clock, worker, 4)
    with tables_read(app) as read:
        outcomes = worker.send_claimed(messages)
    assert outcomes == [Outcome.BLOCKED, None, Outcome.BLOCKED, Outcome.BLOCKED]
    assert read.count("attempts") == 2  # the batch's attempts, then the refusers' histories
    with app.unit_of_work() as uow:
        cases = uow.cases.get_many(case_ids)
    closed = {case_id: cases[case_id] for case_id in (case_ids[0], case_ids[2], case_ids[3])}
    for case in closed.values():
        assert (case.status, case.unreachable_reason) == (
            CaseStatus.UNREACHABLE,
            OutcomeCategory.REFUSED,
        )
    assert cases[case_ids[1]].status is not CaseStatus.UNREACHABLE
    stored = _audited(app, "case.unreachable")
    assert {subject for subject, _ in stored} == set(closed)
    expected = payload_digest({"reason": "refused", "attempts": 1}).hex()
    assert {digest for _, digest in stored} == {expected}


def _audited(app, event_type):
    """(subject, payload digest) of each audit entry of `event_type`."""
    with app.session_factory() as session:
        events = [
            json.loads(bytes(row[0]))
            for row in session.execute(
                text('SELECT event_bytes FROM audit_entries ORDER BY "index"')
            )
        ]
    return [
        (event["subject"], event["payload_sha256"])
        for event in events
        if event["type"] == event_type
    ]


def test_a_status_held_before_the_send_was_recorded_settles_it(app, clock):
    worker = app.case_worker(AnsweringGateway())
    _, messages = _recorded(app, clock, worker, 2)
    held_id = f"id-{messages[0].attempt_id}"
    with app.unit_of_work() as uow:
        uow.attempts.hold_status(held_id, ["fake"], Outcome.DELIVERED, clock.now())
        uow.commit()
    assert worker.send_claimed(messages) == [Outcome.DELIVERED, None]


def test_answers_recorded_with_the_next_round_run_the_cases_they_move_on_at_once(app, clock):
    """The simulated runtime's round: last round's answers and this round's steps in one
    transaction; the bounce moves the case on to its SMS step, which runs in that same round,
    the customer read once for both."""
    clock.advance_to(NOON_IN_NEW_YORK)
    with app.unit_of_work() as uow:
        uow.customers.add(
            a_us_customer(
                "c0",
                a_us_point("e0", Channel.EMAIL, "c0@example.com"),
                a_us_point("m0", Channel.SMS, "+12125550100"),
            )
        )
        uow.commit()
    open_case(OpenCase("c0", Purpose.PAYMENT_REMINDER, "staff:t"), app.unit_of_work(), clock)
    worker = app.case_worker(AnsweringGateway(bounce=frozenset({"c0@example.com"})))
    first = worker.run_due(10, claim=True)
    answers = worker.send([report.message for report in first if report.message is not None])
    with tables_read(app) as read:
        done = worker.record_and_run_due(answers, 10, claim=True)
    outcomes, reports = done.outcomes, done.reports
    assert outcomes == [Outcome.BOUNCED_HARD]
    assert reports[-1].result is StepResult.ATTEMPT_RECORDED
    assert reports[-1].message is not None
    assert reports[-1].message.channel is Channel.SMS
    assert read.count("customers") == 1
    assert done.next_action_at == clock.now() + timedelta(days=1)  # the SMS step's wait
    with app.unit_of_work() as uow:
        email = uow.attempts.get(answers[0][0].attempt_id)
    assert (email.status, email.outcome) == (AttemptStatus.FINAL, Outcome.BOUNCED_HARD)
