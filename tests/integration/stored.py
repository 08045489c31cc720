# SPDX-License-Identifier: Apache-2.0
"""Stored starting points for integration tests that need rows already committed."""

from __future__ import annotations

from rightparty.bootstrap import Application
from rightparty.domain.attempt import Attempt
from tests.builders import MONDAY_NOON, a_case, a_customer, an_attempt


def committed_attempt(app: Application, *, sent_as: str | None = None) -> Attempt:
    """The builders' default customer, case and attempt, committed together; with `sent_as`,
    the attempt was sent through Twilio under those message ids (comma-separated) first."""
    case = a_case()
    attempt = an_attempt(case=case)
    with app.unit_of_work() as uow:
        uow.customers.add(a_customer())
        uow.cases.add(case)
        uow.attempts.add(attempt)
        if sent_as is not None:
            attempt.mark_sent("twilio", sent_as, MONDAY_NOON)
            uow.attempts.save(attempt)
        uow.commit()
    return attempt
