# SPDX-License-Identifier: Apache-2.0
"""The collector's tuning for long-running processes: thresholds set, what exists frozen."""

import gc
from collections.abc import Iterator

import pytest

from rightparty.usecases.cycle_collector import WORKLOAD_THRESHOLDS, tune_for_workload


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
def test_tuning_raises_the_young_threshold_and_freezes_what_exists() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    tune_for_workload()
    assert gc.get_threshold() == WORKLOAD_THRESHOLDS
    assert WORKLOAD_THRESHOLDS[0] > 700  # CPython's default, which it replaces
    assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("restored_collector")
def test_cycles_made_after_tuning_are_still_collected() -> None:
    tune_for_workload()

    class Node:
        partner: object = None

    first, second = Node(), Node()
    first.partner, second.partner = second, first
    del first, second
    assert gc.collect() >= 2
