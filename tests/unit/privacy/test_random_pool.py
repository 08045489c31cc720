# SPDX-License-Identifier: Apache-2.0
"""`random64`: 64 uniform bits per draw, never a repeat, across refills and fork(). (The pool's
behaviour under threads is exercised through `next_nonce`, which shares it: test_nonces.)"""

import os

import pytest

from rightparty.privacy.random_pool import RandomPool, random64
from tests.unit.privacy.forking import drawn_in_a_forked_child

pytestmark = pytest.mark.unit

BLOCK = 512  # random64's values per system call


def test_draws_are_64_bit_integers_and_never_repeat_across_refills():
    drawn = [random64() for _ in range(5 * BLOCK + 3)]
    assert all(0 <= value < 2**64 for value in drawn)
    assert len(set(drawn)) == len(drawn)


def test_every_bit_is_set_in_about_half_of_the_draws():
    draws = 20_000
    drawn = [random64() for _ in range(draws)]
    for bit in range(64):
        ones = sum((value >> bit) & 1 for value in drawn)
        # mean 10,000, standard deviation about 71: eight of them is a bug, not bad luck
        assert abs(ones - draws / 2) < 570, (bit, ones)


def test_a_pool_hands_out_values_of_its_own_format():
    pool = RandomPool[bytes]("5s", 3)
    taken = [pool.take() for _ in range(7)]
    assert {len(value) for value in taken} == {5}
    assert len(set(taken)) == 7


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this platform")
def test_a_forked_child_draws_fresh_values_not_its_parents_buffered_ones():
    count = 64
    random64()  # the parent's pool now holds buffered values the child inherits
    drawn = drawn_in_a_forked_child(lambda: random64().to_bytes(8, "big"), count)
    children = {int.from_bytes(value, "big") for value in drawn}
    parents = {random64() for _ in range(count)}
    assert len(children) == count
    assert children.isdisjoint(parents)
