# SPDX-License-Identifier: Apache-2.0
"""A customer can check that a message with a given reference code really came from the bank."""

import pytest
from sqlalchemy import text

from rightparty.bootstrap import sandbox_gateway
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from rightparty.usecases.verification import check_reference_code
from tests.builders import (
    AFTERNOON_IN_NEW_YORK,
    a_us_customer,
    a_us_point,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def sent_code(app, clock):
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    for customer_id in ("c1", "c2"):
        customer = a_us_customer(
            customer_id, a_us_point(f"e-{customer_id}", Channel.EMAIL, f"{customer_id}@example.com")
        )
        with app.unit_of_work() as uow:
            uow.customers.add(customer)
            uow.commit()
    worker = app.case_worker(sandbox_gateway(clock))
    case_id = open_case(
        OpenCase("c1", Purpose.PAYMENT_REMINDER, "staff:t"), app.unit_of_work(), clock
    )
    report = worker.run_step(case_id)
    worker.dispatch(report.attempt_id, report.message)
    return report.message.reference_code


def test_a_genuine_code_is_confirmed_however_it_is_typed(app, clock, sent_code):
    typed = " " + sent_code[:4].lower() + "-" + sent_code[4:].lower() + " "
    result = check_reference_code(typed, app.unit_of_work(), clock, actor="customer:c1")
    assert result.genuine
    assert (result.channel, result.purpose, result.customer_id) == (
        Channel.EMAIL,
        Purpose.PAYMENT_REMINDER,
        "c1",
    )


def test_an_unknown_or_malformed_code_is_not_genuine(app, clock, sent_code):
    for typed in ("0000000000", "not a code at all", sent_code[:-1]):
        assert not check_reference_code(typed, app.unit_of_work(), clock, actor="anon").genuine


def test_another_customers_code_looks_exactly_like_an_unknown_one(app, clock, sent_code):
    result = check_reference_code(
        sent_code, app.unit_of_work(), clock, actor="customer:c2", customer_id="c2"
    )
    assert result == check_reference_code(
        "0000000000", app.unit_of_work(), clock, actor="customer:c2", customer_id="c2"
    )


def test_every_check_is_audited(app, clock, sent_code):
    with app.session_factory() as session:
        before = session.execute(text("SELECT count(*) FROM audit_entries")).scalar_one()
    check_reference_code(sent_code, app.unit_of_work(), clock, actor="customer:c1")
    check_reference_code("0000000000", app.unit_of_work(), clock, actor="customer:c1")
    with app.session_factory() as session:
        after = session.execute(text("SELECT count(*) FROM audit_entries")).scalar_one()
    assert after == before + 2
