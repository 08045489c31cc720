# SPDX-License-Identifier: Apache-2.0
"""Steps run in chunks decide as they would one at a time, and ticks batch the simulated clock."""

from datetime import timedelta

import pytest

from rightparty.bootstrap import sandbox_gateway
from rightparty.domain.attempt import Attempt, AttemptStatus
from rightparty.domain.vocabulary import Channel, Outcome, Purpose
from rightparty.runtime.simulation import SimulatedRuntime
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from rightparty.usecases.orchestration.steps import StepResult
from tests.builders import AFTERNOON_IN_NEW_YORK, a_us_customer, a_us_point

pytestmark = pytest.mark.integration

DEBT = "debt-1"


def _store_customer_with_a_phone(app):
    customer = a_us_customer("c1", a_us_point("v1", Channel.VOICE, "+12125550100"))
    with app.unit_of_work() as uow:
        uow.customers.add(customer)
        uow.commit()
    return customer


def _collections_case(app, clock, start_at=None):
    command = OpenCase("c1", Purpose.COLLECTIONS, "staff:test", debt_id=DEBT, start_at=start_at)
    return open_case(command, app.unit_of_work(), clock)


def _unanswered_calls(app, case_id, count, clock):
    """`count` earlier calls about the debt this week, none answered."""
    with app.unit_of_work() as uow:
        for number in range(count):
            at = clock.now() - timedelta(days=1, hours=number)
            uow.attempts.add(
                Attempt(
                    id=f"earlier-{number}",
                    case_id=case_id,
                    customer_id="c1",
                    contact_point_id="v1",
                    channel=Channel.VOICE,
                    purpose=Purpose.COLLECTIONS,
                    idempotency_key=f"earlier-{number}",
                    reference_code=f"CODE{number}",
                    created_at=at,
                    debt_id=DEBT,
                    status=AttemptStatus.FINAL,
                    sent_at=at,
                    outcome=Outcome.NO_ANSWER,
                    finalised_at=at,
                )
            )
        uow.commit()


def test_a_later_case_in_a_chunk_counts_the_call_an_earlier_one_just_recorded(app, clock):
    """Reg F §1006.14(b)(2)(i): seven calls about a debt in seven days. Six were placed; of two
    cases of the same debt stepped in one chunk, the first places the seventh and the second,
    seeing it, is refused."""
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    _store_customer_with_a_phone(app)
    first, second = _collections_case(app, clock), _collections_case(app, clock)
    _unanswered_calls(app, first, 6, clock)
    worker = app.case_worker(sandbox_gateway(clock))

    reports = worker.run_steps([first, second])

    assert [report.result for report in reports] == [
        StepResult.ATTEMPT_RECORDED,
        StepResult.WAITING,
    ]
    assert "FREQUENCY_CAP" in reports[1].blocked_codes
    with app.unit_of_work() as uow:
        calls = [a for a in uow.attempts.for_customer("c1") if a.status is AttemptStatus.QUEUED]
    assert [call.case_id for call in calls] == [first]


def test_a_chunk_reports_closed_and_not_yet_due_cases_in_the_order_given(app, clock):
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    _store_customer_with_a_phone(app)
    later = open_case(
        OpenCase(
            "c1",
            Purpose.PAYMENT_REMINDER,
            "staff:test",
            start_at=clock.now() + timedelta(hours=1),
        ),
        app.unit_of_work(),
        clock,
    )
    now = _collections_case(app, clock)
    worker = app.case_worker(sandbox_gateway(clock))

    reports = worker.run_steps([later, now])

    assert [report.result for report in reports] == [
        StepResult.NOT_DUE,
        StepResult.ATTEMPT_RECORDED,
    ]


@pytest.mark.parametrize(
    ("tick", "runs_at"),
    [
        (None, timedelta(minutes=7, seconds=30)),
        (timedelta(minutes=5), timedelta(minutes=10)),
        (timedelta(minutes=1), timedelta(minutes=8)),
    ],
)
def test_with_a_tick_a_case_runs_at_the_end_of_the_tick_it_falls_due_in(app, clock, tick, runs_at):
    start = AFTERNOON_IN_NEW_YORK  # on a whole hour, so on every tick's boundary
    clock.advance_to(start)
    _store_customer_with_a_phone(app)
    _collections_case(app, clock, start_at=start + timedelta(minutes=7, seconds=30))
    runtime = SimulatedRuntime(
        app.unit_of_work, app.case_worker(sandbox_gateway(clock)), clock, tick=tick
    )

    runtime.run_until(start + timedelta(minutes=20))

    with app.unit_of_work() as uow:
        (call,) = uow.attempts.for_customer("c1")
    assert call.created_at == start + runs_at


def test_a_tick_never_carries_the_clock_past_the_end_of_a_run(app, clock):
    start = AFTERNOON_IN_NEW_YORK
    clock.advance_to(start)
    _store_customer_with_a_phone(app)
    _collections_case(app, clock, start_at=start + timedelta(minutes=2))
    runtime = SimulatedRuntime(
        app.unit_of_work, app.case_worker(sandbox_gateway(clock)), clock, tick=timedelta(hours=1)
    )

    runtime.run_until(start + timedelta(minutes=3))

    assert clock.now() == start + timedelta(minutes=3)
    with app.unit_of_work() as uow:
        (call,) = uow.attempts.for_customer("c1")
    assert call.created_at == start + timedelta(minutes=3)


def _invalid_number_called_with(app, clock, tick, run_for):
    """A collections call to a sandbox number that does not exist (refused at send), due at a
    whole hour; the call as stored after running `run_for`."""
    start = AFTERNOON_IN_NEW_YORK
    clock.advance_to(start)
    customer = a_us_customer("c1", a_us_point("v1", Channel.VOICE, "+12125550103"))
    with app.unit_of_work() as uow:
        uow.customers.add(customer)
        uow.commit()
    _collections_case(app, clock)
    runtime = SimulatedRuntime(
        app.unit_of_work, app.case_worker(sandbox_gateway(clock)), clock, tick=tick
    )
    runtime.run_until(start + run_for)
    with app.unit_of_work() as uow:
        (call,) = uow.attempts.for_customer("c1")
    return start, call


@pytest.mark.parametrize(
    ("tick", "taken_after"),
    [(None, timedelta(0)), (timedelta(minutes=1), timedelta(minutes=1))],
)
def test_with_a_tick_the_answers_to_a_rounds_sends_are_taken_at_the_next_poll(
    app, clock, tick, taken_after
):
    start, call = _invalid_number_called_with(app, clock, tick, timedelta(minutes=10))

    assert call.created_at == start
    assert call.outcome is Outcome.INVALID_NUMBER
    assert call.finalised_at == start + taken_after


def test_a_run_ending_before_the_next_poll_leaves_no_answer_unrecorded(app, clock):
    start, call = _invalid_number_called_with(
        app, clock, timedelta(minutes=1), timedelta(seconds=30)
    )

    assert call.status is AttemptStatus.FINAL
    assert call.finalised_at == start
    assert clock.now() == start + timedelta(seconds=30)


def test_a_tick_must_be_positive(app, clock):
    with pytest.raises(ValueError, match="positive"):
        SimulatedRuntime(
            app.unit_of_work,
            app.case_worker(sandbox_gateway(clock)),
            clock,
            tick=timedelta(0),
        )


def test_a_due_round_takes_the_steps_a_case_moves_on_to_at_once(app, clock):
    """A payment reminder for a customer with only a mobile: the email step has nowhere to go,
    so the same round moves on to the text, which is sent."""
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    with app.unit_of_work() as uow:
        uow.customers.add(a_us_customer("c1", a_us_point("m1", Channel.SMS, "+12125550100")))
        uow.commit()
    case_id = open_case(
        OpenCase("c1", Purpose.PAYMENT_REMINDER, "staff:test"), app.unit_of_work(), clock
    )
    worker = app.case_worker(sandbox_gateway(clock))

    reports = worker.run_due(10)

    assert [report.result for report in reports] == [
        StepResult.ADVANCED,
        StepResult.ATTEMPT_RECORDED,
    ]
    assert worker.run_due(10) == []
    with app.unit_of_work() as uow:
        (text,) = uow.attempts.for_customer("c1")
        assert uow.cases.get(case_id).step_index == 1
    assert text.channel is Channel.SMS
