# SPDX-License-Identifier: Apache-2.0
"""The run summary reads what was stored; its third-party count can see a knowing repeat."""

from datetime import timedelta

import pytest
from sqlalchemy import text

from rightparty.bootstrap import sandbox_gateway
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.reports.summary import summarise
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from tests.builders import (
    AFTERNOON_IN_NEW_YORK,
    a_us_customer,
    a_us_point,
)

pytestmark = pytest.mark.integration


def _two_cases_on_a_wrong_number(app, clock):
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    point = a_us_point("m1", Channel.SMS, "+12125550104", zones=("America/New_York",))
    with app.unit_of_work() as uow:
        uow.customers.add(a_us_customer("c1", point))
        uow.commit()
    worker = app.case_worker(sandbox_gateway(clock))
    cases = [
        open_case(OpenCase("c1", Purpose.INFO_UPDATE, "staff:t"), app.unit_of_work(), clock)
        for _ in range(2)
    ]
    first = worker.run_step(cases[0])
    worker.dispatch(first.attempt_id, first.message)
    return worker, cases


def test_a_found_wrong_number_is_never_messaged_again_and_the_summary_says_zero(app, clock):
    worker, cases = _two_cases_on_a_wrong_number(app, clock)
    clock.advance(timedelta(minutes=1))
    assert worker.run_step(cases[1]).attempt_id is None  # the point is wrong_party now
    with app.session_factory() as session:
        summary = summarise(session, ["c1"], audit_verified=True)
    assert (summary.attempts, summary.third_party_contacts) == (1, 0)
    assert summary.outcomes == {"wrong_number": 1}


def test_the_summary_counts_a_send_to_a_number_already_known_to_be_someone_elses(app, clock):
    _worker, cases = _two_cases_on_a_wrong_number(app, clock)
    with app.session_factory() as session:
        # What a faulty path would leave behind: a later send to the same point.
        session.execute(
            text(
                "INSERT INTO attempts (id, case_id, customer_id, contact_point_id, channel,"
                " purpose, idempotency_key, reference_code_bidx, reference_code_ct, status,"
                " created_at, sent_at)"
                " SELECT 'forged', :case_id, customer_id, contact_point_id, channel, purpose,"
                " 'forged-key', 0, reference_code_ct, 'sent', created_at, :later"
                " FROM attempts"
            ),
            {"case_id": cases[1], "later": (clock.now() + timedelta(hours=1)).replace(tzinfo=None)},
        )
        session.commit()
        summary = summarise(session, ["c1"], audit_verified=True)
    assert summary.third_party_contacts == 1
