# SPDX-License-Identifier: Apache-2.0
from datetime import timedelta

import pytest

from rightparty.domain.attempt import AttemptStatus
from rightparty.domain.case import CaseStatus, unreachable_reason
from rightparty.domain.errors import AttemptAlreadyFinal, CaseClosed
from rightparty.domain.vocabulary import Outcome, OutcomeCategory
from tests.builders import MONDAY_NOON, a_case, an_attempt

pytestmark = pytest.mark.unit

INACCURATE = OutcomeCategory.INFO_INACCURATE
DEVICE = OutcomeCategory.DEVICE_OR_NETWORK
REFUSED = OutcomeCategory.REFUSED


@pytest.mark.parametrize(
    ("categories", "reason"),
    [
        ([INACCURATE, INACCURATE], INACCURATE),
        ([INACCURATE, DEVICE], DEVICE),
        ([DEVICE, REFUSED, INACCURATE], REFUSED),
        ([DEVICE], DEVICE),
        ([], DEVICE),
    ],
)
def test_unreachable_reason_follows_design_section_6(categories, reason):
    assert unreachable_reason(categories) is reason


def test_a_case_waits_advances_and_closes_once():
    case = a_case()
    later = MONDAY_NOON + timedelta(hours=4)
    case.wait_until(later)
    assert (case.status, case.next_action_at) == (CaseStatus.WAITING, later)
    case.advance_step(later)
    assert (case.status, case.step_index) == (CaseStatus.OPEN, 1)
    case.mark_unreachable(DEVICE, later)
    assert case.status is CaseStatus.UNREACHABLE
    assert case.unreachable_reason is DEVICE
    assert case.next_action_at is None
    with pytest.raises(CaseClosed):
        case.mark_reached(later)


def test_reached_is_not_an_unreachable_reason():
    with pytest.raises(ValueError, match="not unreachable"):
        a_case().mark_unreachable(OutcomeCategory.REACHED, MONDAY_NOON)


def test_an_attempt_is_immutable_once_final():
    attempt = an_attempt()
    attempt.mark_sent("sandbox", "msg-1", MONDAY_NOON)
    attempt.finalise(Outcome.DELIVERED, MONDAY_NOON + timedelta(minutes=1))
    with pytest.raises(AttemptAlreadyFinal):
        attempt.finalise(Outcome.BOUNCED_HARD, MONDAY_NOON + timedelta(minutes=2))
    with pytest.raises(AttemptAlreadyFinal):
        attempt.mark_sent("sandbox", "msg-2", MONDAY_NOON)
    assert attempt.outcome is Outcome.DELIVERED


def test_only_a_queued_attempt_is_marked_dispatching_and_then_it_may_be_sent():
    attempt = an_attempt()
    attempt.mark_dispatching()
    assert attempt.status is AttemptStatus.DISPATCHING
    assert not attempt.final
    with pytest.raises(AttemptAlreadyFinal):
        attempt.mark_dispatching()
    with pytest.raises(AttemptAlreadyFinal):
        attempt.withdraw(MONDAY_NOON)  # it may have gone out: too late to withdraw
    attempt.mark_sent("sandbox", "SB1", MONDAY_NOON)
    assert attempt.status is AttemptStatus.SENT
