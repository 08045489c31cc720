# SPDX-License-Identifier: Apache-2.0
"""Pausing Python's cyclic garbage collector around bulk work that makes no reference cycles."""

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
