# SPDX-License-Identifier: Apache-2.0
"""RFC 9162 §2.1 Merkle trees: hashing, tree heads, a compact frontier, inclusion and consistency.

A leaf hash is SHA-256(0x00 || data), an interior node SHA-256(0x01 || left || right), and the head
of the empty tree SHA-256 of nothing. Proofs are generated as §2.1.3.1 and §2.1.4.1 define them and
verified with the iterative procedures of §2.1.3.2 and §2.1.4.2, which refuse a proof of the wrong
length, an element that is not 32 bytes and an index outside the tree. Verification of subtree
ranges [start, end) (the generalisation tested by transparency-dev/merkle's subtree vectors) lives
in `rightparty.audit.subtree`; RFC 9162 consistency is its case start = 0.

Proof generation takes every leaf hash of the tree: O(n) reads and hashes per proof.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

from rightparty.audit.errors import InvalidEncoding, InvalidProof

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
MAX_TREE_SIZE = 2**64 - 1
"""Sizes and indexes are unsigned 64-bit numbers, as in RFC 9162's wire format."""

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf's data (the encoded event, for the audit log)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node from its two children's hashes."""
    return _sha256(b"\x01" + left + right).digest()


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf *hashes*: the tree head at size `len(leaf_hashes)`."""
    return _range_root(leaf_hashes, 0, len(leaf_hashes))


def _range_root(leaf_hashes: Sequence[bytes], start: int, stop: int) -> bytes:
    """MTH(D[start:stop]) built bottom-up; an unpaired last node moves up unchanged (§2.1.1)."""
    if start == stop:
        return EMPTY_ROOT
    level = list(leaf_hashes[start:stop])
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _split(width: int) -> int:
    """The largest power of two smaller than `width` (width > 1)."""
    return 1 << ((width - 1).bit_length() - 1)


class MerkleFrontier:
    """The compact range [0, size): one subtree root per set bit of `size`, largest first.

    Appending a leaf costs O(1) amortised and at most log2(size) hashes; the root at the current
    size costs popcount(size) - 1 hashes. The state is `size` and `nodes`, and `to_bytes` /
    `from_bytes` persist it, so an append never reads the log.
    """

    __slots__ = ("_nodes", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._nodes: list[bytes] = []

    @classmethod
    def from_nodes(cls, size: int, nodes: Iterable[bytes]) -> MerkleFrontier:
        """A frontier from persisted state; the node count must equal the set bits of `size`."""
        node_list = list(nodes)
        if not 0 <= size <= MAX_TREE_SIZE:
            message = "frontier size is outside 0..2**64-1"
            raise InvalidEncoding(message)
        if len(node_list) != size.bit_count():
            message = f"a frontier of size {size} has one node per set bit, not {len(node_list)}"
            raise InvalidEncoding(message)
        if node_list and set(map(len, node_list)) != {HASH_SIZE}:  # map: once per append
            message = "a frontier node is not 32 bytes"
            raise InvalidEncoding(message)
        frontier = cls()
        frontier._size = size
        frontier._nodes = node_list
        return frontier

    @classmethod
    def from_bytes(cls, data: bytes) -> MerkleFrontier:
        """The inverse of `to_bytes`: an 8-byte big-endian size, then the nodes."""
        if len(data) < 8 or (len(data) - 8) % HASH_SIZE:
            message = "frontier bytes are not a size followed by 32-byte nodes"
            raise InvalidEncoding(message)
        size = int.from_bytes(data[:8], "big")
        nodes = [data[i : i + HASH_SIZE] for i in range(8, len(data), HASH_SIZE)]
        return cls.from_nodes(size, nodes)

    @property
    def size(self) -> int:
        return self._size

    @property
    def nodes(self) -> tuple[bytes, ...]:
        return tuple(self._nodes)

    def append(self, leaf_hash: bytes) -> None:
        if len(leaf_hash) != HASH_SIZE:
            message = "a leaf hash is 32 bytes"
            raise ValueError(message)
        nodes = self._nodes
        carry = self._size
        node = leaf_hash
        while carry & 1:
            node = _sha256(b"\x01" + nodes.pop() + node).digest()  # node_hash, inlined: hot path
            carry >>= 1
        nodes.append(node)
        self._size += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        for leaf in leaf_hashes:
            self.append(leaf)

    def root(self) -> bytes:
        """The tree head at the current size."""
        if not self._nodes:
            return EMPTY_ROOT
        nodes = self._nodes
        head = nodes[-1]
        for node in reversed(nodes[:-1]):
            head = node_hash(node, head)
        return head

    def copy(self) -> MerkleFrontier:
        return MerkleFrontier.from_nodes(self._size, self._nodes)

    def to_bytes(self) -> bytes:
        return self._size.to_bytes(8, "big") + b"".join(self._nodes)


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of §2.1.3.1 for the tree over all of `leaf_hashes`, lowest level first."""
    if not 0 <= index < len(leaf_hashes):
        message = f"index {index} is outside a tree of size {len(leaf_hashes)}"
        raise IndexError(message)
    path: list[bytes] = []
    low, high = 0, len(leaf_hashes)
    while high - low > 1:
        middle = low + _split(high - low)
        if index < middle:
            path.append(_range_root(leaf_hashes, middle, high))
            high = middle
        else:
            path.append(_range_root(leaf_hashes, low, middle))
            low = middle
    path.reverse()
    return path


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, D[n]) of §2.1.4.1: the tree of `old_size` is a prefix of the tree of all."""
    if not 0 < old_size <= len(leaf_hashes):
        message = f"no consistency proof from size {old_size} to size {len(leaf_hashes)}"
        raise ValueError(message)
    return subtree_proof(leaf_hashes, 0, old_size)


def subtree_proof(leaf_hashes: Sequence[bytes], start: int, end: int) -> list[bytes]:
    """The consistency proof of the subtree [start, end) with the tree over all of `leaf_hashes`.

    With start = 0 this is RFC 9162's SUBPROOF(end, D[n], true). A valid subtree has start < end and
    start a multiple of the smallest power of two >= end - start, so it straddles a split only when
    it starts at the split's left edge; then, as in §2.1.4.1, its right part is no longer a node the
    verifier knows and its hash joins the proof.
    """
    check_subtree(start, end)
    if end > len(leaf_hashes):
        message = f"subtree [{start}, {end}) does not fit a tree of size {len(leaf_hashes)}"
        raise ValueError(message)
    path: list[bytes] = []
    known = True
    low, high = 0, len(leaf_hashes)
    while (low, high) != (start, end):
        middle = low + _split(high - low)
        if end <= middle:
            path.append(_range_root(leaf_hashes, middle, high))
            high = middle
        else:
            path.append(_range_root(leaf_hashes, low, middle))
            low = middle
            if start < middle:
                start, known = middle, False
    if not known:
        path.append(_range_root(leaf_hashes, start, end))
    path.reverse()
    return path


def check_subtree(start: int, end: int) -> None:
    """Refuse a range that is no subtree: start < end and start aligned to bit_ceil(end - start)."""
    if not 0 <= start < end <= MAX_TREE_SIZE:
        message = f"[{start}, {end}) is not a non-empty range of 64-bit indexes"
        raise ValueError(message)
    width = end - start
    if start % (1 << (width - 1).bit_length()):
        message = f"[{start}, {end}) is not a subtree: start is not aligned to its width"
        raise ValueError(message)


def root_from_inclusion_proof(
    *, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """The tree head that `proof` leads to from `leaf_hash` at `index` (§2.1.3.2, steps 1-4)."""
    if not 0 <= index < size <= MAX_TREE_SIZE:
        message = f"leaf index {index} is outside a tree of size {size}"
        raise InvalidProof(message)
    if len(leaf_hash) != HASH_SIZE:
        message = "the leaf hash is not 32 bytes"
        raise InvalidProof(message)
    fn, sn = index, size - 1
    head = leaf_hash
    for element in proof:
        _require_hash(element)
        if sn == 0:
            message = "the proof is longer than the path to the root"
            raise InvalidProof(message)
        if fn & 1 or fn == sn:
            while not fn & 1:  # on the right border with no right sibling: climb
                fn >>= 1
                sn >>= 1
            head = node_hash(element, head)
        else:
            head = node_hash(head, element)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        message = "the proof is shorter than the path to the root"
        raise InvalidProof(message)
    return head


def verify_inclusion(
    *, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise `InvalidProof` unless `proof` shows the leaf at `index` under the head (size, root)."""
    computed = root_from_inclusion_proof(leaf_hash=leaf_hash, index=index, size=size, proof=proof)
    if not hmac.compare_digest(computed, root):
        message = "the inclusion proof does not lead to the tree head"
        raise InvalidProof(message)


def verify_consistency(
    *, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise `InvalidProof` unless tree (old_size, old_root) is a prefix of (new_size, new_root).

    Equal sizes need an empty proof and equal roots; a proof from the empty tree proves nothing and
    is refused, as RFC 9162 and the reference vectors do.
    """
    if not 0 <= old_size <= new_size <= MAX_TREE_SIZE:
        message = f"no consistency between sizes {old_size} and {new_size}"
        raise InvalidProof(message)
    if old_size == 0:
        message = "a consistency proof from the empty tree proves nothing"
        raise InvalidProof(message)
    verify_range_consistency(
        start=0, end=old_size, size=new_size, proof=proof, range_root=old_root, root=new_root
    )


def verify_range_consistency(
    *, start: int, end: int, size: int, proof: Sequence[bytes], range_root: bytes, root: bytes
) -> None:
    """The §2.1.4.2 procedure generalised to a valid subtree [start, end) of the tree of `size`.

    `fr` rebuilds the subtree's hash from the left siblings below the subtree's height; `sr`
    rebuilds the whole tree's head from every element. With start = 0 this is exactly §2.1.4.2.
    """
    width = end - start
    height = (width - 1).bit_length()
    if end == size or not width & (width - 1):
        # The range is itself a node of the tree of `size`; the verifier already holds its hash.
        seed, level, elements = range_root, height, proof
    elif proof:
        seed, level, elements = proof[0], (width & -width).bit_length() - 1, proof[1:]
        _require_hash(seed)
    else:
        message = "the consistency proof is empty"
        raise InvalidProof(message)
    fn, sn = (end - 1) >> level, (size - 1) >> level
    fr = sr = seed
    for element in elements:
        _require_hash(element)
        if sn == 0:
            message = "the proof is longer than the path to the root"
            raise InvalidProof(message)
        if fn & 1 or fn == sn:
            while not fn & 1:  # on the right border with no right sibling: climb
                fn >>= 1
                sn >>= 1
                level += 1
            if level < height:
                fr = node_hash(element, fr)
            sr = node_hash(element, sr)
        else:
            sr = node_hash(sr, element)
        fn >>= 1
        sn >>= 1
        level += 1
    if sn != 0:
        message = "the proof is shorter than the path to the root"
        raise InvalidProof(message)
    if not hmac.compare_digest(fr, range_root):
        message = "the consistency proof does not lead to the old tree head"
        raise InvalidProof(message)
    if not hmac.compare_digest(sr, root):
        message = "the consistency proof does not lead to the new tree head"
        raise InvalidProof(message)


def _require_hash(element: bytes) -> None:
    if len(element) != HASH_SIZE:
        message = "a proof element is not 32 bytes"
        raise InvalidProof(message)
