# SPDX-License-Identifier: Apache-2.0
"""Failover between providers of one channel: try the next when one fails transiently.

Only a transient failure that certainly did not reach the provider moves on to the next one. An
acceptance or a permanent failure (the address is bad; no provider will do better) ends the chain,
and so does a failure whose fate is unknown, because the first provider may still deliver it: a
provider that deduplicates by key is asked again next time, any other never sees the key again.

`send_many` sends a batch stage by stage: the whole batch through the first provider (with that
provider's concurrency), then the messages it failed transiently through the next, and so on, so
each message meets the chain exactly as `send` would take it through.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rightparty.channels.base import ChannelProvider
from rightparty.channels.batching import in_order
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

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        """`send` for each message, several in flight at once; one result per message, in order."""
        return [report.result for report in self.send_reports(messages)]

    def send_reports(self, messages: Sequence[OutboundMessage]) -> list[SendReport]:
        return in_order(messages, self._send_distinct, self.send_report)

    def _send_distinct(self, messages: Sequence[OutboundMessage]) -> list[SendReport]:
        reports: dict[int, SendReport] = {}
        claimed: list[int] = []
        for index, message in enumerate(messages):
            if message.channel is not self.channel:
                reports[index] = permanent(self.name, BaseErrorCode.CHANNEL_NOT_SUPPORTED)
                continue
            claim = self._record.claim(message.idempotency_key)
            if claim.state is ClaimState.SETTLED and claim.value is not None:
                reports[index] = claim.value
            elif claim.state is ClaimState.IN_FLIGHT:
                reports[index] = transient(self.name, BaseErrorCode.IN_FLIGHT, outcome=None)
            else:
                claimed.append(index)
        try:
            answers = self._through_chain_many([messages[index] for index in claimed])
        except BaseException:
            for index in claimed:
                self._record.release(messages[index].idempotency_key)
            raise
        for index, report in zip(claimed, answers, strict=True):
            key = messages[index].idempotency_key
            if report.final or report.result.error_code == BaseErrorCode.OUTCOME_UNKNOWN:
                self._record.settle(key, report)
            else:
                self._record.release(key)
            reports[index] = report
        return [reports[index] for index in range(len(messages))]

    def _through_chain_many(self, messages: Sequence[OutboundMessage]) -> list[SendReport]:
        reports = [transient(self.name, BaseErrorCode.NO_PROVIDER)] * len(messages)
        waiting = list(range(len(messages)))
        for provider in self.providers:
            if not waiting:
                break
            answers = provider.send_reports([messages[index] for index in waiting])
            still_waiting: list[int] = []
            for index, report in zip(waiting, answers, strict=True):
                reports[index] = report
                if not (report.final or report.ambiguous):
                    still_waiting.append(index)
            waiting = still_waiting
        return reports

    def _through_chain(self, message: OutboundMessage) -> SendReport:
        report = transient(self.name, BaseErrorCode.NO_PROVIDER)
        for provider in self.providers:
            report = provider.send_report(message)
            if report.final or report.ambiguous:
                return report
        return report
