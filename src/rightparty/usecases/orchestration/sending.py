# SPDX-License-Identifier: Apache-2.0
"""Handing a batch of claimed messages to the channel gateway.

Every message gets exactly one answer, in the order given; the worker records them all in one
transaction afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

from rightparty.domain.messages import DeliveryResult, OutboundMessage
from rightparty.usecases.ports import ChannelGateway


def send_all(gateway: ChannelGateway, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
    """One `DeliveryResult` per message, in order."""
    return [gateway.send(message) for message in messages]
