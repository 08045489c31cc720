# SPDX-License-Identifier: Apache-2.0
"""Proofs about a subtree [start, end) of a log: the generalisation of RFC 9162 §2.1.3-2.1.4.

A subtree is a range whose start is a multiple of the smallest power of two at least its width, so
it is (or grows into) one node of every larger tree. transparency-dev/merkle, whose vectors this
project runs, defines these checks for Merkle Tree Certificates; the audit log uses them only
through `verify_consistency` (start = 0), and they are public so the whole vector suite runs
against this code.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from rightparty.audit.errors import InvalidProof
from rightparty.audit.merkle import (
    EMPTY_ROOT,
    MAX_TREE_SIZE,
    check_subtree,
    verify_inclusion,
    verify_range_consistency,
)


def verify_subtree_inclusion(
    *,
    leaf_hash: bytes,
    index: int,
    start: int,
    end: int,
    proof: Sequence[bytes],
    subtree_root: bytes,
) -> None:
    """Raise `InvalidProof` unless `proof` shows the leaf at `index` under the subtree's hash."""
    _require_subtree(start, end)
    if not start <= index < end:
        message = f"leaf index {index} is outside the subtree [{start}, {end})"
        raise InvalidProof(message)
    verify_inclusion(
        leaf_hash=leaf_hash, index=index - start, size=end - start, proof=proof, root=subtree_root
    )


def verify_subtree_consistency(
    *,
    start: int,
    end: int,
    size: int,
    proof: Sequence[bytes],
    subtree_root: bytes,
    root: bytes,
) -> None:
    """Raise `InvalidProof` unless the subtree (start, end, subtree_root) is part of (size, root).

    The empty range [s, s) with s <= size is part of every tree: its hash must be the empty tree's
    head and its proof empty.
    """
    if start == end and 0 <= start <= size:
        if proof:
            message = "an empty subtree needs an empty proof"
            raise InvalidProof(message)
        if not hmac.compare_digest(subtree_root, EMPTY_ROOT):
            message = "the hash of an empty subtree is the empty tree's head"
            raise InvalidProof(message)
        return
    _require_subtree(start, end)
    if not end <= size <= MAX_TREE_SIZE:
        message = f"subtree [{start}, {end}) does not fit a tree of size {size}"
        raise InvalidProof(message)
    verify_range_consistency(
        start=start, end=end, size=size, proof=proof, range_root=subtree_root, root=root
    )


def _require_subtree(start: int, end: int) -> None:
    try:
        check_subtree(start, end)
    except ValueError as error:
        raise InvalidProof(str(error)) from error
