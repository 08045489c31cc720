# SPDX-License-Identifier: Apache-2.0
"""Follow-ups, update reminders, resuming dispatch and late outcomes, on both backends."""

from datetime import timedelta

import pytest
from sqlalchemy import text

from rightparty.bootstrap import sandbox_gateway
from rightparty.domain.attempt import AttemptStatus
from rightparty.domain.case import CaseStatus
from rightparty.domain.messages import DeliveryResult, DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome, OutcomeCategory, Purpose
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from rightparty.usecases.orchestration.reminders import open_update_reminders
from rightparty.usecases.orchestration.steps import StepResult
from tests.builders import (
    AFTERNOON_IN_NEW_YORK,
    a_us_customer,
    a_us_point,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def worker(app, clock):
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    return app.case_worker(sandbox_gateway(clock))


def _store(app, customer):
    with app.unit_of_work() as uow:
        uow.customers.add(customer)
        uow.commit()


def _purposes(app):
    with app.session_factory() as session:
        return list(
            session.execute(text("SELECT purpose, plan FROM cases ORDER BY opened_at, id")).all()
        )


def test_a_device_failure_earns_exactly_one_retry_the_next_day(app, clock, worker):
    _store(
        app,
        a_us_customer("c1", a_us_point("e1", Channel.EMAIL, "powered_off@sandbox.rightparty.test")),
    )
    case_id = open_case(
        OpenCase("c1", Purpose.SERVICE_NOTICE, "staff:t"), app.unit_of_work(), clock
    )
    for _ in range(6):
        report = worker.run_step(case_id)
        if report.message is not None:
            worker.dispatch(report.attempt_id, report.message)
        clock.advance(timedelta(days=3))
    with app.unit_of_work() as uow:
        case = uow.cases.get(case_id)
    assert (case.status, case.unreachable_reason) == (
        CaseStatus.UNREACHABLE,
        OutcomeCategory.DEVICE_OR_NETWORK,
    )
    assert [row[1] for row in _purposes(app)] == ["service_notice", "service_notice:retry"]


def test_a_queued_attempt_is_sent_once_when_dispatch_resumes_after_a_crash(app, clock, worker):
    _store(
        app,
        a_us_customer("c2", a_us_point("e1", Channel.EMAIL, "delivered@sandbox.rightparty.test")),
    )
    case_id = open_case(
        OpenCase("c2", Purpose.SERVICE_NOTICE, "staff:t"), app.unit_of_work(), clock
    )
    report = worker.run_step(case_id)
    assert report.result is StepResult.ATTEMPT_RECORDED
    # The process died before dispatch: a new runtime knows only the attempt id.
    assert worker.dispatch(report.attempt_id) is Outcome.DELIVERED
    assert worker.dispatch(report.attempt_id) is None
    assert worker.gateway.ledger.times_sent(report.message.idempotency_key) == 1
    with app.unit_of_work() as uow:
        attempt = uow.attempts.get(report.attempt_id)
        assert (attempt.status, uow.cases.get(case_id).status) == (
            AttemptStatus.FINAL,
            CaseStatus.REACHED,
        )
    assert worker.record_outcome(report.attempt_id, Outcome.BOUNCED_HARD, clock.now()) is False


class _AcceptsNowReportsLater:
    """A provider that accepts a message and tells its fate later, by status callback."""

    def send(self, message):
        return DeliveryResult(DeliveryStatus.ACCEPTED, "callbacks", f"SM-{message.attempt_id}")


def test_a_late_outcome_from_a_status_callback_closes_the_case_once(app, clock):
    worker = app.case_worker(_AcceptsNowReportsLater())
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    _store(app, a_us_customer("c3", a_us_point("e1", Channel.EMAIL, "z@example.com")))
    case_id = open_case(
        OpenCase("c3", Purpose.SERVICE_NOTICE, "staff:t"), app.unit_of_work(), clock
    )
    report = worker.run_step(case_id)
    assert worker.dispatch(report.attempt_id, report.message) is None
    with app.unit_of_work() as uow:
        sent = uow.attempts.get(report.attempt_id)
        assert (sent.status, sent.provider_message_id) == (AttemptStatus.SENT, f"SM-{sent.id}")
        assert uow.cases.get(case_id).status is CaseStatus.WAITING
    clock.advance(timedelta(minutes=3))
    assert worker.record_outcome(report.attempt_id, Outcome.READ, clock.now()) is True
    assert worker.record_outcome(report.attempt_id, Outcome.BOUNCED_HARD, clock.now()) is False
    with app.unit_of_work() as uow:
        assert uow.attempts.get(report.attempt_id).outcome is Outcome.READ
        assert uow.cases.get(case_id).status is CaseStatus.REACHED


def test_update_reminders_ask_customers_with_stale_or_degraded_details_once(app, clock):
    fresh = a_us_customer("fresh", a_us_point("e1", Channel.EMAIL, "a@example.com"))
    fresh.contact_points[0].last_confirmed_at = clock.now() - timedelta(days=30)
    stale = a_us_customer("stale", a_us_point("e2", Channel.EMAIL, "b@example.com"))
    stale.contact_points[0].last_confirmed_at = clock.now() - timedelta(days=400)
    degraded = a_us_customer("degraded", a_us_point("e3", Channel.EMAIL, "c@example.com"))
    degraded.contact_points[0].last_confirmed_at = clock.now() - timedelta(days=10)
    degraded.contact_points[0].health.consecutive_failures = 3
    for customer in (fresh, stale, degraded):
        _store(app, customer)
    with app.unit_of_work() as uow:
        opened = open_update_reminders(uow, clock.now())
        uow.commit()
    with app.unit_of_work() as uow:
        again = open_update_reminders(uow, clock.now())
        customers = sorted(uow.cases.get(case_id).customer_id for case_id in opened)
    assert customers == ["degraded", "stale"]
    assert again == []
