# SPDX-License-Identifier: Apache-2.0
"""The ids an import gives customers and contact points."""

from __future__ import annotations

import uuid

import pytest

from rightparty.usecases.customers import random_id

pytestmark = pytest.mark.unit


def test_an_id_is_a_canonical_uuid_string() -> None:
    for _ in range(1000):
        made = random_id()
        assert str(uuid.UUID(made)) == made


def test_ids_sort_in_the_order_they_were_made() -> None:
    made = [random_id() for _ in range(5000)]
    assert len(set(made)) == len(made)
    # Out of order at most once: where the 16-bit counter wraps within one millisecond.
    drops = [index for index in range(1, len(made)) if made[index] < made[index - 1]]
    assert len(drops) <= 1
