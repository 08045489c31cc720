# SPDX-License-Identifier: Apache-2.0
"""Python's cyclic garbage collector: paused around bulk work that makes no reference cycles, and
tuned for the processes that run the engine's work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """An import allocates millions of objects and almost no reference cycles, so the cyclic
    collector only walks them, again and again, more often the more of them are kept: a quarter
    of the time of storing 100,000 customers and about as much of checking them, for the same
    peak memory (bench/storage.py). Reference counting still frees everything as it goes; the
    collector resumes, as it was, when the block ends, however it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


WORKLOAD_THRESHOLDS = (10_000, 10, 10)
"""The collector's thresholds for a process running the engine's work (CPython's are 700, 10, 10).

A worker holds many long-lived objects (compiled policies, plans, cached keys, a chunk's rows)
and allocates millions of short-lived ones that reference counting frees. At 700 allocations a
young-generation pass, the collector walked them so often that recording attempts ran 30-40 %
faster with it tuned this way (bench/storage.py, record phase, back to back), while cycles are
still collected, just in larger batches."""


def tune_for_workload() -> None:
    """For a long-running process (worker, API server, demo, benchmarks), called once at its
    start: what exists by then (modules, settings, compiled packs) is never scanned again
    (`gc.freeze`), and the collector runs after `WORKLOAD_THRESHOLDS` allocations."""
    gc.freeze()
    gc.set_threshold(*WORKLOAD_THRESHOLDS)
