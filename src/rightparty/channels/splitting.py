# SPDX-License-Identifier: Apache-2.0
"""Splitting a body that is too long for one provider message into several that fit.

Splits fall between words where possible; a word longer than a whole part is cut between
characters. Whitespace at a split is dropped, so no part starts or ends with a space.
"""

from __future__ import annotations

import re

from rightparty.channels.capabilities import ChannelLimits

_TOKENS = re.compile(r"\s+|\S+")


class MessageTooLong(ValueError):
    """A body does not fit the channel limits even split into the most parts allowed."""


def split_body(body: str, limits: ChannelLimits) -> list[str]:
    """The parts to send for `body`; `[body]` when it fits. Raises `MessageTooLong`."""
    if limits.fits(body):
        return [body]
    if not limits.splittable:
        message = "the body is over the channel's limits and the channel does not split"
        raise MessageTooLong(message)
    parts: list[str] = []
    current = ""
    for token in _TOKENS.findall(body):
        candidate = current + token
        if limits.fits(candidate.rstrip()):
            current = candidate
            continue
        if current.strip():
            parts.append(current.strip())
        current = "" if token.isspace() else token
        while current and not limits.fits(current):
            head = _longest_fitting_prefix(current, limits)
            parts.append(head)
            current = current[len(head) :]
    if current.strip():
        parts.append(current.strip())
    if len(parts) > limits.max_parts:
        message = f"the body needs {len(parts)} parts; the channel allows {limits.max_parts}"
        raise MessageTooLong(message)
    return parts


def _longest_fitting_prefix(text: str, limits: ChannelLimits) -> str:
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if limits.fits(text[:middle]):
            low = middle
        else:
            high = middle - 1
    if not limits.fits(text[:low]):
        message = "a single character is over the channel's limits"
        raise MessageTooLong(message)
    return text[:low]
