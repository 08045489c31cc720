# SPDX-License-Identifier: Apache-2.0
"""Random values from the operating system's CSPRNG, read in blocks and handed out one by one.

A system call per value (`os.urandom`, which `secrets` reads) costs more than what most callers
do with the value: an AES-GCM nonce for a short field, the random half of an id, a reference
code. A `RandomPool` reads a block of values with one `os.urandom` call instead. Every value is
still straight from the CSPRNG; holding the next few thousand in memory reveals nothing a caller
could not see once it is handed out (nonces and ids are written in the clear anyway). What
buffering could break is that no value is handed out twice, in two ways, and both are closed:

- **Threads.** Values are popped from a `list`, and `list.pop` hands an item to exactly one
  caller: it is atomic under the GIL and takes the list's own lock in free-threaded builds. A
  refill needs no lock either: when threads find the pool empty at the same moment, each adds a
  block of fresh random bytes, which only makes the pool larger.
- **fork().** A child process starts with a copy of its parent's pool and would hand out the very
  values the parent is about to use. `os.register_at_fork(after_in_child=...)` empties the
  child's pools, so its first draw reads fresh bytes from the kernel. This covers `os.fork`,
  `os.forkpty` and `multiprocessing`'s fork start method; a fork made in C without going through
  CPython's fork hooks would not be covered (no dependency of this project does that).
"""

from __future__ import annotations

import os
import struct
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class RandomPool(Generic[T]):
    """`take()` gives the next value of `struct` format `item` (`"12s"`: 12 bytes; `"Q"`: an
    unsigned 64-bit integer), `count` of them read per system call."""

    __slots__ = ("_split", "_values")

    def __init__(self, item: str, count: int) -> None:
        self._values: list[T] = []
        # one C call cuts a block into `count` separate values
        self._split = struct.Struct("=" + item * count)
        if hasattr(os, "register_at_fork"):  # absent only where there is no fork() (Windows)
            os.register_at_fork(after_in_child=self.forget)

    def take(self) -> T:
        try:
            return self._values.pop()
        except IndexError:
            # take ours from the new block before sharing it, so a thread that empties the pool
            # again in between cannot leave this one without a value
            block: list[Any] = list(self._split.unpack(os.urandom(self._split.size)))
            value: T = block.pop()
            self._values.extend(block)
            return value

    def forget(self) -> None:
        self._values.clear()


random64 = RandomPool[int]("Q", 512).take
"""64 uniformly random bits as an integer: never the same draw twice in this process or, across a
fork, in its parent (see the module docstring)."""
