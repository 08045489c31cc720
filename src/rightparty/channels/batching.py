# SPDX-License-Identifier: Apache-2.0
"""Sending a batch with several messages in flight: answers in order, repeated keys after the first.

A batch may name one idempotency key twice (an attempt handed over twice). Sent one after another,
the second finds the key settled and gets the recorded answer without a request; sent side by side
it would find the key in flight. So each key's first message goes with the others at once and the
repeats follow one by one, which gives every message the answer a sequential send would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from rightparty.domain.messages import OutboundMessage

__all__ = ["in_order", "run_concurrently"]

T = TypeVar("T")
R = TypeVar("R")


def in_order(
    messages: Sequence[OutboundMessage],
    send_distinct: Callable[[Sequence[OutboundMessage]], Sequence[R]],
    send_one: Callable[[OutboundMessage], R],
) -> list[R]:
    """One answer per message, in order: `send_distinct` takes each key's first message (keys all
    different), `send_one` each later message of a key already sent, once that has finished."""
    seen: set[str] = set()
    firsts: list[int] = []
    repeats: list[int] = []
    for index, message in enumerate(messages):
        key = message.idempotency_key
        (repeats if key in seen else firsts).append(index)
        seen.add(key)
    answers: dict[int, R] = dict(
        zip(firsts, send_distinct([messages[index] for index in firsts]), strict=True)
    )
    for index in repeats:
        answers[index] = send_one(messages[index])
    return [answers[index] for index in range(len(messages))]


def run_concurrently(
    function: Callable[[T], R], items: Sequence[T], *, workers: int, name: str
) -> list[R]:
    """`function` over `items` on at most `workers` threads, answers in the order of `items`.

    The threads last for this call only: starting a few costs far less than one request, and no
    pool outlives its provider. `function` is expected to answer rather than raise; an exception
    is raised here once every item has finished, so nothing is left running.
    """
    if workers <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(
        max_workers=min(workers, len(items)), thread_name_prefix=f"rightparty-send-{name}"
    ) as pool:
        futures = [pool.submit(function, item) for item in items]
    return [future.result() for future in futures]
