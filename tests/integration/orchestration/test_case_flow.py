# SPDX-License-Identifier: Apache-2.0
"""Cases run end to end: plan, policy, attempt, sandbox outcome, diagnosis and follow-up."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from rightparty.bootstrap import sandbox_gateway
from rightparty.domain.case import CaseStatus
from rightparty.domain.restriction import OptOut
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointStatus,
    OptOutScope,
    OutcomeCategory,
    Purpose,
)
from rightparty.runtime.simulation import SimulatedRuntime
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from tests.builders import AFTERNOON_IN_NEW_YORK, a_us_customer, a_us_point

pytestmark = pytest.mark.integration


@pytest.fixture
def run(app, clock):
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    gateway = sandbox_gateway(clock)
    worker = app.case_worker(gateway)
    runtime = SimulatedRuntime(app.unit_of_work, worker, clock)

    def go(customer, purpose, *, days=2, debt_id=None):
        with app.unit_of_work() as uow:
            uow.customers.add(customer)
            uow.commit()
        case_id = open_case(
            OpenCase(customer.id, purpose, "staff:test", debt_id=debt_id), app.unit_of_work(), clock
        )
        runtime.run_until(clock.now() + timedelta(days=days))
        with app.unit_of_work() as uow:
            return uow.cases.get(case_id), uow.attempts.for_customer(customer.id), uow

    go.gateway = gateway
    return go


def test_a_delivered_email_reaches_the_customer_and_closes_the_case(app, run):
    customer = a_us_customer(
        "c1", a_us_point("e1", Channel.EMAIL, "delivered@sandbox.rightparty.test")
    )
    case, attempts, _ = run(customer, Purpose.PAYMENT_REMINDER)
    assert case.status is CaseStatus.REACHED
    assert [(a.channel, a.outcome.value) for a in attempts] == [(Channel.EMAIL, "delivered")]
    assert app.verify_audit_log().ok
    assert run.gateway.ledger.duplicates == 0


def test_a_bounced_email_moves_on_to_sms_and_marks_the_email_invalid(app, run):
    customer = a_us_customer(
        "c2",
        a_us_point("e1", Channel.EMAIL, "bounced_hard@sandbox.rightparty.test"),
        a_us_point("m1", Channel.SMS, "+12125550100", zones=("America/New_York",)),
    )
    case, attempts, _ = run(customer, Purpose.PAYMENT_REMINDER)
    assert case.status is CaseStatus.REACHED
    assert [a.outcome.value for a in attempts] == ["bounced_hard", "delivered"]
    with app.unit_of_work() as uow:
        stored = uow.customers.get("c2")
    assert stored.contact_point("e1").status is ContactPointStatus.INVALID


def test_dead_details_make_the_case_unreachable_and_ask_for_an_update(app, run):
    customer = a_us_customer(
        "c3",
        a_us_point("e1", Channel.EMAIL, "bounced_hard@sandbox.rightparty.test"),
        a_us_point("m1", Channel.SMS, "+12125550103", zones=("America/New_York",)),
        a_us_point("v1", Channel.VOICE, "+12125550107", zones=("America/New_York",)),
    )
    case, attempts, _ = run(customer, Purpose.PAYMENT_REMINDER, days=8)
    assert case.status is CaseStatus.UNREACHABLE
    assert case.unreachable_reason is OutcomeCategory.INFO_INACCURATE
    assert {a.outcome.value for a in attempts} <= {
        "bounced_hard",
        "invalid_number",
        "not_in_service",
    }
    with app.session_factory() as session:
        purposes = session.execute(text("SELECT purpose FROM cases ORDER BY opened_at")).scalars()
        assert list(purposes) == ["payment_reminder", "info_update"]


def test_an_opt_out_is_respected_recorded_and_never_followed_up(app, run):
    customer = a_us_customer(
        "c4", a_us_point("e1", Channel.EMAIL, "opted_out@sandbox.rightparty.test")
    )
    case, attempts, _ = run(customer, Purpose.SERVICE_NOTICE)
    assert (case.status, case.unreachable_reason) == (
        CaseStatus.UNREACHABLE,
        OutcomeCategory.REFUSED,
    )
    with app.unit_of_work() as uow:
        restrictions = uow.customers.get("c4").restrictions
    assert restrictions == [
        OptOut(scope=OptOutScope.CONTACT_POINT, contact_point_id="e1", at=attempts[0].finalised_at)
    ]
    with app.session_factory() as session:
        assert session.execute(text("SELECT count(*) FROM cases")).scalar_one() == 1


def test_a_night_time_call_waits_for_the_morning_in_the_customers_zone(app, run, clock):
    clock.advance_to(datetime(2026, 3, 3, 3, 0, tzinfo=UTC))  # 22:00 in New York
    customer = a_us_customer(
        "c5", a_us_point("v1", Channel.VOICE, "+12125550100", zones=("America/New_York",))
    )
    case, attempts, _ = run(customer, Purpose.COLLECTIONS, debt_id="d1")
    assert case.status is CaseStatus.REACHED
    (attempt,) = attempts
    assert attempt.created_at >= datetime(2026, 3, 3, 13, 0, tzinfo=UTC)  # 08:00 New York
    with app.session_factory() as session:
        blocked = session.execute(
            text("SELECT count(*) FROM decisions WHERE allowed = :no"), {"no": False}
        ).scalar_one()
    assert blocked >= 1


def test_every_attempt_addresses_one_of_the_customers_own_points(app, run):
    customer = a_us_customer(
        "c6",
        a_us_point("e1", Channel.EMAIL, "no_answer@sandbox.rightparty.test"),
        a_us_point("m1", Channel.SMS, "+12125550101", zones=("America/New_York",)),
    )
    run(customer, Purpose.PAYMENT_REMINDER, days=8)
    with app.session_factory() as session:
        strangers = session.execute(
            text(
                "SELECT count(*) FROM attempts a JOIN contact_points p ON p.id = a.contact_point_id"
                " WHERE p.customer_id <> a.customer_id"
            )
        ).scalar_one()
    assert strangers == 0
