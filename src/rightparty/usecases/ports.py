# SPDX-License-Identifier: Apache-2.0
"""The Protocols that adapters implement and use cases depend on."""

from __future__ import annotations

from typing import Protocol

from rightparty.domain.clock import Clock
from rightparty.domain.messages import DeliveryResult, OutboundMessage

__all__ = ["ChannelGateway", "Clock"]


class ChannelGateway(Protocol):
    """Sends one message on its channel; idempotent by `message.idempotency_key`."""

    def send(self, message: OutboundMessage) -> DeliveryResult: ...
