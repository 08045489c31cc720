# SPDX-License-Identifier: Apache-2.0
"""The buffered nonce pool: never a repeat, across refills, threads and fork()."""

import os
import sys
import threading

import pytest

from rightparty.privacy.ciphertext import NONCE_BYTES, parse_header
from rightparty.privacy.nonces import POOL_NONCES, next_nonce
from tests.unit.privacy.forking import drawn_in_a_forked_child

pytestmark = pytest.mark.unit

PHONE = ("contact_points", "address")


def _nonce_of(ciphertext: bytes) -> bytes:
    return ciphertext[10 : 10 + NONCE_BYTES]


def test_nonces_are_96_bits_and_never_repeat_across_several_refills():
    nonces = [next_nonce() for _ in range(3 * POOL_NONCES + 7)]
    assert {len(nonce) for nonce in nonces} == {NONCE_BYTES}
    assert len(set(nonces)) == len(nonces)


def test_every_field_ciphertext_carries_a_nonce_of_its_own(cipher):
    ciphertexts = [cipher.encrypt("c1", *PHONE, "+12125550100") for _ in range(POOL_NONCES + 1)]
    assert parse_header(ciphertexts[0]).version == 1
    assert len({_nonce_of(ciphertext) for ciphertext in ciphertexts}) == POOL_NONCES + 1


def test_threads_drawing_at_once_never_share_a_nonce():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible to provoke races
    threads, per_thread = 8, 2 * POOL_NONCES
    drawn: list[list[bytes]] = [[] for _ in range(threads)]
    start = threading.Barrier(threads)

    def draw(into: list[bytes]) -> None:
        start.wait()
        into.extend(next_nonce() for _ in range(per_thread))

    workers = [threading.Thread(target=draw, args=(into,)) for into in drawn]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        sys.setswitchinterval(interval)
    every = [nonce for into in drawn for nonce in into]
    assert len(every) == threads * per_thread
    assert len(set(every)) == len(every)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this platform")
def test_a_forked_child_draws_fresh_nonces_not_its_parents_buffered_ones():
    count = 64
    next_nonce()  # the parent's pool now holds buffered nonces the child inherits
    children = set(drawn_in_a_forked_child(next_nonce, count))
    parents = {next_nonce() for _ in range(count)}
    assert {len(nonce) for nonce in children} == {NONCE_BYTES}
    assert len(children) == count
    assert not children & parents
