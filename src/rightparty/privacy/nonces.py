# SPDX-License-Identifier: Apache-2.0
"""Random 96-bit AES-GCM nonces from the operating system's CSPRNG, read in blocks.

`os.urandom(12)` per encryption is a system call that costs about as much as the AES-GCM
encryption of a short field itself. `next_nonce` instead takes nonces from a `RandomPool`, which
reads `POOL_NONCES` of them with one `os.urandom` call. Every nonce is still 96 bits straight
from the CSPRNG, so the NIST SP 800-38D §8.2.2 RBG-based construction and its §8.3 bound (2**32
invocations per key) are unchanged; a nonce is public (it is written into the ciphertext), so
holding the next few thousand in memory reveals nothing an attacker could use. The pool never
hands out a value twice, across threads or a fork (`random_pool`).
"""

from __future__ import annotations

from rightparty.privacy.ciphertext import NONCE_BYTES
from rightparty.privacy.random_pool import RandomPool

POOL_NONCES = 4096
"""Nonces per `os.urandom` read: 48 KiB, small enough to keep, large enough to amortise the call."""

next_nonce = RandomPool[bytes](f"{NONCE_BYTES}s", POOL_NONCES).take
"""A fresh random 96-bit nonce: never one handed out before in this process or, across a fork, in
its parent. Thread-safe and fork-safe (see `random_pool`)."""
