# SPDX-License-Identifier: Apache-2.0
"""A bounded, in-process memory of which idempotency keys were sent and what came of them.

It stops one process from sending a key twice (a retry loop, two workers racing, a failover chain).
It is not the durable guarantee: after a restart that comes from the attempt rows in the database
(DESIGN.md §5), which remember the key in the same transaction as the attempt.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_CAPACITY = 100_000


class ClaimState(StrEnum):
    CLAIMED = "claimed"
    """The caller now owns the key and must `settle` or `release` it."""
    IN_FLIGHT = "in_flight"
    """Another caller is sending this key right now."""
    SETTLED = "settled"
    """The key was sent before; `value` is what was recorded then."""


@dataclass(frozen=True, slots=True)
class Claim(Generic[T]):
    state: ClaimState
    value: T | None = None


class IdempotencyRecord(Generic[T]):
    """Keys in flight and settled keys with their recorded value, oldest settled evicted first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            message = "capacity must be at least 1"
            raise ValueError(message)
        self._capacity = capacity
        self._settled: OrderedDict[str, T] = OrderedDict()
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()

    def claim(self, key: str) -> Claim[T]:
        with self._lock:
            if key in self._settled:
                self._settled.move_to_end(key)
                return Claim(ClaimState.SETTLED, self._settled[key])
            if key in self._in_flight:
                return Claim(ClaimState.IN_FLIGHT)
            self._in_flight.add(key)
            return Claim(ClaimState.CLAIMED)

    def settle(self, key: str, value: T) -> None:
        """Remember `value` for `key`; later claims of the key return it instead of sending."""
        with self._lock:
            self._in_flight.discard(key)
            self._settled[key] = value
            self._settled.move_to_end(key)
            while len(self._settled) > self._capacity:
                self._settled.popitem(last=False)

    def release(self, key: str) -> None:
        """Forget an unfinished claim so the key may be sent again (after a transient failure)."""
        with self._lock:
            self._in_flight.discard(key)

    def __len__(self) -> int:
        with self._lock:
            return len(self._settled)

    def __repr__(self) -> str:
        return f"IdempotencyRecord(settled={len(self)}, capacity={self._capacity})"
