# SPDX-License-Identifier: Apache-2.0
"""Failover between providers of one channel: try the next when one fails transiently.

Only a transient failure that certainly did not reach the provider moves on to the next one. An
acceptance or a permanent failure (the address is bad; no provider will do better) ends the chain,
and so does a failure whose fate is unknown, because the first provider may still deliver it: a
provider that deduplicates by key is asked again next time, any other never sees the key again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rightparty.channels.base import ChannelProvider
from rightparty.channels.idempotency import DEFAULT_CAPACITY, ClaimState, IdempotencyRecord
from rightparty.channels.reports import BaseErrorCode, SendReport, permanent, transient
from rightparty.domain.messages import DeliveryResult, OutboundMessage
from rightparty.domain.vocabulary import Channel


class FailoverGateway:
    """A `ChannelGateway` over an ordered chain of providers serving the same channel.

    It keeps its own record of keys, so a message accepted by the secondary provider is not sent
    again through the primary when the same key comes back.
    """

    def __init__(
        self,
        channel: Channel,
        providers: Sequence[ChannelProvider[Any]],
        *,
        name: str | None = None,
        record_capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        if not providers:
            message = "a failover gateway needs at least one provider"
            raise ValueError(message)
        for provider in providers:
            if not provider.capabilities.serves(channel):
                message = f"provider {provider.name!r} does not serve the {channel.value} channel"
                raise ValueError(message)
        self.channel = channel
        self.providers = tuple(providers)
        self.name = name or "failover:" + "+".join(provider.name for provider in self.providers)
        self._record: IdempotencyRecord[SendReport] = IdempotencyRecord(record_capacity)

    def __repr__(self) -> str:
        return f"FailoverGateway(channel={self.channel.value!r}, name={self.name!r})"

    def send(self, message: OutboundMessage) -> DeliveryResult:
        return self.send_report(message).result

    def serves(self, channel: Channel) -> bool:
        return channel is self.channel

    def deduplicates(self, channel: Channel) -> bool:
        """Whether a resend after a crash is safe: every provider of the chain, since any of
        them may have been the one that took the message, honours the key."""
        return channel is self.channel and all(
            provider.capabilities.deduplicates for provider in self.providers
        )

    def send_report(self, message: OutboundMessage) -> SendReport:
        if message.channel is not self.channel:
            return permanent(self.name, BaseErrorCode.CHANNEL_NOT_SUPPORTED)
        key = message.idempotency_key
        claim = self._record.claim(key)
        if claim.state is ClaimState.SETTLED and claim.value is not None:
            return claim.value
        if claim.state is ClaimState.IN_FLIGHT:
            return transient(self.name, BaseErrorCode.IN_FLIGHT, outcome=None)
        try:
            report = self._through_chain(message)
        except BaseException:
            self._record.release(key)
            raise
        if report.final or report.result.error_code == BaseErrorCode.OUTCOME_UNKNOWN:
            self._record.settle(key, report)
        else:
            self._record.release(key)
        return report

    def _through_chain(self, message: OutboundMessage) -> SendReport:
        report = transient(self.name, BaseErrorCode.NO_PROVIDER)
        for provider in self.providers:
            report = provider.send_report(message)
            if report.final or report.ambiguous:
                return report
        return report
