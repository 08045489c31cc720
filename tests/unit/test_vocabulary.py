# SPDX-License-Identifier: Apache-2.0
import pytest

from rightparty.domain.vocabulary import (
    OUTCOME_CATEGORIES,
    ContactPointStatus,
    Outcome,
    OutcomeCategory,
)

pytestmark = pytest.mark.unit


def test_every_outcome_has_exactly_one_category():
    assert set(OUTCOME_CATEGORIES) == set(Outcome)


@pytest.mark.parametrize(
    ("outcome", "category"),
    [
        ("delivered", "reached"),
        ("answered_right_party", "reached"),
        ("answered_third_party", "info_inaccurate"),
        ("bounced_hard", "info_inaccurate"),
        ("powered_off", "device_or_network"),
        ("provider_error", "device_or_network"),
        ("hung_up", "refused"),
        ("opted_out", "refused"),
    ],
)
def test_outcomes_fall_in_the_design_table_category(outcome, category):
    assert Outcome(outcome).category is OutcomeCategory(category)
    assert Outcome(outcome).reached is (category == "reached")


def test_only_valid_and_unverified_points_are_addressable():
    addressable = {status for status in ContactPointStatus if status.addressable}
    assert addressable == {ContactPointStatus.VALID, ContactPointStatus.UNVERIFIED}
