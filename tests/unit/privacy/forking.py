# SPDX-License-Identifier: Apache-2.0
"""Drawing values in a forked child, for the tests that a pool never repeats across fork()."""

import os
from collections.abc import Callable


def drawn_in_a_forked_child(draw: Callable[[], bytes], count: int) -> list[bytes]:
    """The first `count` values `draw` gives in a child forked now (each under 256 bytes)."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which coverage does not follow
        status = 1
        try:
            os.close(reader)
            with os.fdopen(writer, "wb") as pipe:
                for _ in range(count):
                    value = draw()
                    pipe.write(len(value).to_bytes(1, "big") + value)
            status = 0
        finally:
            os._exit(status)  # never return into pytest in the child
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        received = pipe.read()
    _, wait_status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0
    values, at = [], 0
    while at < len(received):
        size = received[at]
        values.append(received[at + 1 : at + 1 + size])
        at += 1 + size
    return values
