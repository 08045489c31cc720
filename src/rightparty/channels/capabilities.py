# SPDX-License-Identifier: Apache-2.0
"""What a provider can do, declared as data so the base class, the registry and the docs read it.

A provider never re-implements splitting, throttling or masking: it states its limits here and the
base class (`rightparty.channels.base`) applies them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from rightparty.channels.segments import count_segments
from rightparty.domain.vocabulary import Channel


class BodyEncoding(StrEnum):
    """How a body's length is measured: SMS segments (GSM-7 / UCS-2) or plain characters."""

    SMS = "sms"
    UNICODE = "unicode"


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """Limits of one provider message on one channel.

    `max_length` counts characters; `max_segments` counts SMS segments (only with the SMS
    encoding). A body over the limits is split into at most `max_parts` messages when `splittable`,
    and refused as a permanent failure (`message_too_long`) otherwise.
    """

    max_length: int | None = None
    max_segments: int | None = None
    encoding: BodyEncoding = BodyEncoding.UNICODE
    splittable: bool = False
    max_parts: int = 1

    def __post_init__(self) -> None:
        if self.max_parts < 1:
            message = "max_parts must be at least 1"
            raise ValueError(message)
        if self.max_segments is not None and self.encoding is not BodyEncoding.SMS:
            message = "max_segments applies to the SMS encoding only"
            raise ValueError(message)

    def fits(self, text: str) -> bool:
        if self.max_length is not None and len(text) > self.max_length:
            return False
        return self.max_segments is None or count_segments(text).segments <= self.max_segments


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket: `per_second` tokens refill each second, up to `burst` held at once."""

    per_second: float
    burst: int = 1

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            message = "a rate limit needs per_second > 0 and burst >= 1"
            raise ValueError(message)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """Everything a provider declares about itself.

    `deduplicates`: the provider honours our idempotency key on its side, so a request whose fate
    is unknown (a timeout after it was sent) may safely be repeated under the same key.
    `secret_fields`: names of settings fields that hold secrets; the contract suite checks each is a
    `SecretStr` and never appears in a repr, a str or a JSON dump.
    `batch_size`: the most messages one provider request carries; the dispatcher groups by it.
    `concurrency`: the most requests this provider instance has in flight at once (connections,
    for SMTP); `send_many` keeps that many messages going, and every caller together stays
    within it.
    """

    channels: Mapping[Channel, ChannelLimits]
    rate_limit: RateLimit | None = None
    batch_size: int = 1
    concurrency: int = 1
    secret_fields: frozenset[str] = frozenset()
    deduplicates: bool = False
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.channels:
            message = "a provider serves at least one channel"
            raise ValueError(message)
        if self.concurrency < 1:
            message = "concurrency must be at least 1"
            raise ValueError(message)
        object.__setattr__(self, "channels", MappingProxyType(dict(self.channels)))

    def serves(self, channel: Channel) -> bool:
        return channel in self.channels

    def limits_for(self, channel: Channel) -> ChannelLimits | None:
        return self.channels.get(channel)

    def restricted_to(self, channels: frozenset[Channel]) -> Capabilities:
        """The same capabilities serving only `channels` (a settings section may leave one out)."""
        kept = {channel: limits for channel, limits in self.channels.items() if channel in channels}
        return replace(self, channels=kept)
