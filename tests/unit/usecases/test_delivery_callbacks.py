# SPDX-License-Identifier: Apache-2.0
"""The outcome of a split message from its parts', and a status that is not final."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rightparty.domain.vocabulary import Outcome
from rightparty.usecases.delivery_callbacks import (
    ProviderStatus,
    StatusResult,
    message_outcome,
    record_provider_status,
)

pytestmark = pytest.mark.unit

D, R, U, P = Outcome.DELIVERED, Outcome.READ, Outcome.UNDELIVERED, Outcome.POWERED_OFF


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([D], D),
        ([R], R),
        ([None], None),
        ([], None),
        ([D, None, D], None),
        ([D, D, D], D),
        ([R, R], R),
        ([R, D], D),
        ([D, None, U], U),
        ([None, P, U], P),
        ([U, D, D], U),
    ],
)
def test_a_split_message_is_reached_only_when_every_part_is(parts, expected):
    assert message_outcome(parts) is expected


class _NoStorage:
    def __enter__(self):  # pragma: no cover - must never be entered
        raise AssertionError


def test_a_status_on_the_way_is_not_looked_up():
    status = ProviderStatus(("twilio",), "SM1", None, datetime(2026, 3, 2, tzinfo=UTC))
    assert record_provider_status(status, _NoStorage()) is StatusResult.NOT_FINAL  # type: ignore[arg-type]
