# SPDX-License-Identifier: Apache-2.0
"""Handing a batch of claimed messages to the channel gateway.

Every message gets exactly one answer, in the order given; the worker records them all in one
transaction afterwards. A gateway that sends batches (`BatchGateway`) gets the whole batch and
keeps several messages in flight at once; any other is asked one message at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

from rightparty.domain.messages import DeliveryResult, OutboundMessage
from rightparty.usecases.ports import BatchGateway, ChannelGateway


def send_all(gateway: ChannelGateway, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
    """One `DeliveryResult` per message, in order."""
    if not messages:
        return []
    if len(messages) > 1 and isinstance(gateway, BatchGateway):
        return gateway.send_many(messages)
    return [gateway.send(message) for message in messages]
