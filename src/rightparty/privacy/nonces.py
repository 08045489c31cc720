# SPDX-License-Identifier: Apache-2.0
"""Random 96-bit AES-GCM nonces from the operating system's CSPRNG, read in blocks.

`os.urandom(12)` per encryption is a system call that costs about as much as the AES-GCM
encryption of a short field itself. `next_nonce` instead reads `POOL_NONCES` nonces with one
`os.urandom` call and hands them out one by one. Every nonce is still 96 bits straight from the
CSPRNG, so the NIST SP 800-38D §8.2.2 RBG-based construction and its §8.3 bound (2**32 invocations
per key) are unchanged; a nonce is public (it is written into the ciphertext), so holding the next
few thousand in memory reveals nothing an attacker could use. What buffering could break is
uniqueness, in two ways, and both are closed here:

- **Threads.** Nonces are popped from a `list`, and `list.pop` hands an item to exactly one caller:
  it is atomic under the GIL and takes the list's own lock in free-threaded builds. A refill needs
  no lock either: when threads find the pool empty at the same moment, each adds a block of fresh
  random bytes, which only makes the pool larger.
- **fork().** A child process starts with a copy of its parent's pool and would hand out the very
  nonces the parent is about to use. `os.register_at_fork(after_in_child=...)` empties the child's
  pool, so its first encryption reads fresh bytes from the kernel. This covers `os.fork`,
  `os.forkpty` and `multiprocessing`'s fork start method; a fork made in C without going through
  CPython's fork hooks would not be covered (no dependency of this project does that).
"""

from __future__ import annotations

import os
import struct

from rightparty.privacy.ciphertext import NONCE_BYTES

POOL_NONCES = 4096
"""Nonces per `os.urandom` read: 48 KiB, small enough to keep, large enough to amortise the call."""


class _NoncePool:
    __slots__ = ("_nonces", "_split")

    def __init__(self) -> None:
        self._nonces: list[bytes] = []
        # one C call cuts a block into POOL_NONCES separate bytes objects
        self._split = struct.Struct(f"{NONCE_BYTES}s" * POOL_NONCES).unpack

    def take(self) -> bytes:
        try:
            return self._nonces.pop()
        except IndexError:
            # take ours from the new block before sharing it, so a thread that empties the pool
            # again in between cannot leave this one without a nonce
            block: list[bytes] = list(self._split(os.urandom(NONCE_BYTES * POOL_NONCES)))
            nonce = block.pop()
            self._nonces.extend(block)
            return nonce

    def forget(self) -> None:
        self._nonces.clear()


_POOL = _NoncePool()
if hasattr(os, "register_at_fork"):  # absent only where there is no fork() (Windows)
    os.register_at_fork(after_in_child=_POOL.forget)

next_nonce = _POOL.take
"""A fresh random 96-bit nonce: never one handed out before in this process or, across a fork, in
its parent. Thread-safe and fork-safe (see the module docstring)."""
