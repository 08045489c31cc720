# SPDX-License-Identifier: Apache-2.0
"""A queued attempt is decided again when it is sent late: it never goes out in quiet hours, to a
number that turned out to be someone else's, or after a cease notice."""

from datetime import UTC, datetime, timedelta

import pytest

from rightparty.bootstrap import sandbox_gateway
from rightparty.domain.attempt import AttemptStatus
from rightparty.domain.restriction import CeaseCommunication
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from rightparty.usecases.orchestration.steps import StepResult
from tests.builders import a_us_customer, a_us_point

pytestmark = pytest.mark.integration
NINE_TO_NINE_PM_NEW_YORK = datetime(2026, 3, 3, 1, 59, tzinfo=UTC)  # 20:59 EST


@pytest.fixture
def worker(app, clock):
    clock.advance_to(NINE_TO_NINE_PM_NEW_YORK)
    return app.case_worker(sandbox_gateway(clock))


def _customer_with(app, customer_id, *points):
    with app.unit_of_work() as uow:
        uow.customers.add(a_us_customer(customer_id, *points))
        uow.commit()


def _record(app, clock, worker, customer_id, purpose, *, debt_id=None):
    case_id = open_case(
        OpenCase(customer_id, purpose, "staff:t", debt_id=debt_id), app.unit_of_work(), clock
    )
    report = worker.run_step(case_id)
    assert report.result is StepResult.ATTEMPT_RECORDED
    return case_id, report


def test_a_call_recorded_at_2059_and_resumed_at_2329_is_withdrawn_not_made(app, clock, worker):
    _customer_with(
        app, "c1", a_us_point("v1", Channel.VOICE, "+12125550100", zones=("America/New_York",))
    )
    case_id, report = _record(app, clock, worker, "c1", Purpose.COLLECTIONS, debt_id="d1")
    clock.advance(timedelta(hours=2, minutes=30))
    assert worker.dispatch(report.attempt_id) is None
    assert worker.gateway.ledger.times_requested(report.message.idempotency_key) == 0
    with app.unit_of_work() as uow:
        attempt = uow.attempts.get(report.attempt_id)
        case = uow.cases.get(case_id)
    assert attempt.status is AttemptStatus.WITHDRAWN
    assert case.next_action_at == clock.now()
    # The case carries on under the same rules: nothing more tonight.
    assert worker.run_step(case_id).result is not StepResult.ATTEMPT_RECORDED


def test_a_second_message_to_a_number_found_to_be_someone_elses_is_withdrawn(app, clock, worker):
    clock.advance_to(datetime(2026, 3, 3, 17, 0, tzinfo=UTC))  # noon in New York
    _customer_with(
        app, "c2", a_us_point("m1", Channel.SMS, "+12125550104", zones=("America/New_York",))
    )
    _, first = _record(app, clock, worker, "c2", Purpose.INFO_UPDATE)
    _, second = _record(app, clock, worker, "c2", Purpose.INFO_UPDATE)
    worker.dispatch(first.attempt_id)
    assert worker.dispatch(second.attempt_id) is None
    ledger = worker.gateway.ledger
    assert ledger.times_requested(first.message.idempotency_key) == 1
    assert ledger.times_requested(second.message.idempotency_key) == 0
    with app.unit_of_work() as uow:
        assert uow.attempts.get(second.attempt_id).status is AttemptStatus.WITHDRAWN


def test_a_cease_notice_that_arrives_before_sending_stops_the_call(app, clock, worker):
    clock.advance_to(datetime(2026, 3, 3, 17, 0, tzinfo=UTC))
    _customer_with(
        app, "c3", a_us_point("v1", Channel.VOICE, "+12125550100", zones=("America/New_York",))
    )
    _, report = _record(app, clock, worker, "c3", Purpose.COLLECTIONS, debt_id="d1")
    clock.advance(timedelta(minutes=1))
    with app.unit_of_work() as uow:
        customer = uow.customers.get("c3")
        customer.restrictions.append(CeaseCommunication(received_at=clock.now(), debt_id="d1"))
        uow.customers.save(customer)
        uow.commit()
    clock.advance(timedelta(seconds=1))
    assert worker.dispatch(report.attempt_id) is None
    assert worker.gateway.ledger.times_requested(report.message.idempotency_key) == 0


def test_a_still_valid_attempt_is_sent_when_resumed_and_does_not_count_against_itself(
    app, clock, worker
):
    clock.advance_to(datetime(2026, 3, 3, 17, 0, tzinfo=UTC))
    _customer_with(app, "c4", a_us_point("e1", Channel.EMAIL, "delivered@sandbox.rightparty.test"))
    _, report = _record(app, clock, worker, "c4", Purpose.SERVICE_NOTICE)
    clock.advance(timedelta(minutes=5))
    assert worker.dispatch(report.attempt_id) is not None
    assert worker.gateway.ledger.times_sent(report.message.idempotency_key) == 1
