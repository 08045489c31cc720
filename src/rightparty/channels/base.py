# SPDX-License-Identifier: Apache-2.0
"""The provider base class: a provider implements `deliver`, the base owns everything else.

`send` (the channel port) checks the channel, refuses a key it has sent before, splits the body
to the declared limits, throttles with a token bucket, retries transient failures with backoff,
trips a circuit breaker, and never repeats a request whose fate is unknown unless the provider
deduplicates by key. `send_many` does the same for a batch with up to `concurrency` requests in
flight, a bound every caller of the instance shares. Settings are pydantic models whose secrets
are `SecretStr`, masked whenever printed or dumped.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from types import TracebackType
from typing import ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict

from rightparty.channels.batching import in_order, run_concurrently
from rightparty.channels.capabilities import Capabilities, ChannelLimits
from rightparty.channels.idempotency import DEFAULT_CAPACITY, ClaimState, IdempotencyRecord
from rightparty.channels.reports import BaseErrorCode, SendReport, accepted, permanent, transient
from rightparty.channels.resilience import (
    CircuitBreaker,
    RetryPolicy,
    SystemTimer,
    Timer,
    TokenBucket,
    system_uniform,
)
from rightparty.channels.splitting import MessageTooLong, split_body
from rightparty.domain.messages import DeliveryResult, DeliveryStatus, OutboundMessage
from rightparty.domain.vocabulary import Outcome

__all__ = [
    "ChannelProvider",
    "ProviderSettings",
    "Resilience",
    "SendReport",
    "part_key",
]

_log = logging.getLogger(__name__)


class ProviderSettings(BaseModel):
    """Base of every provider's settings: frozen, no unknown fields, inputs kept out of errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


SettingsT = TypeVar("SettingsT", bound=ProviderSettings)


@dataclass(frozen=True, slots=True)
class Resilience:
    """How a provider instance throttles, retries and breaks; tests pass a fake `timer`.

    `uniform` draws the jitter fraction in [0, 1); tests pass a constant.
    """

    timer: Timer = field(default_factory=SystemTimer)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    failure_threshold: int = 5
    reset_after: float = 30.0
    record_capacity: int = DEFAULT_CAPACITY
    throttle: bool = True
    uniform: Callable[[], float] = system_uniform


def part_key(idempotency_key: str, index: int, total: int) -> str:
    """The key of part `index` (1-based) of a body split into `total` provider messages."""
    return f"{idempotency_key}#{index}/{total}"


class ChannelProvider(ABC, Generic[SettingsT]):
    """One configured provider; implements the `ChannelGateway` port.

    Subclasses set `kind` (the registry name), `settings_model` and `CAPABILITIES`, and implement
    `deliver`. They may narrow their capabilities from their settings in `_capabilities`.
    """

    kind: ClassVar[str]
    settings_model: ClassVar[type[ProviderSettings]]
    CAPABILITIES: ClassVar[Capabilities]

    def __init__(
        self, settings: SettingsT, *, name: str | None = None, resilience: Resilience | None = None
    ) -> None:
        if not isinstance(settings, self.settings_model):
            message = f"{type(self).__name__} needs {self.settings_model.__name__}"
            raise TypeError(message)
        self.settings: SettingsT = settings
        self.name = name or self.kind
        options = resilience or Resilience()
        self._timer = options.timer
        self._retry = options.retry
        self._uniform = options.uniform
        self.capabilities = self._capabilities()
        rate = self.capabilities.rate_limit
        self._bucket = TokenBucket(rate, options.timer) if options.throttle and rate else None
        self._slots = threading.BoundedSemaphore(self.capabilities.concurrency)
        self.breaker = CircuitBreaker(
            options.timer,
            failure_threshold=options.failure_threshold,
            reset_after=options.reset_after,
        )
        self._keys: IdempotencyRecord[SendReport] = IdempotencyRecord(options.record_capacity)

    def _capabilities(self) -> Capabilities:
        return self.CAPABILITIES

    @abstractmethod
    def deliver(self, message: OutboundMessage) -> SendReport:
        """Make one provider request for a message that already fits the channel's limits.

        Expected failures (refusals, HTTP errors, timeouts) are reports, never exceptions; set
        `ambiguous` when the request may have been acted on. `message.idempotency_key` is the key
        to pass to providers that deduplicate.
        """

    def close(self) -> None:
        """Release connections; the provider may not be used afterwards."""

    @property
    def concurrency(self) -> int:
        """Requests this instance keeps in flight at once, at most."""
        return self.capabilities.concurrency

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        channels = ", ".join(sorted(self.capabilities.channels))
        return f"{type(self).__name__}(name={self.name!r}, channels=[{channels}])"

    def send(self, message: OutboundMessage) -> DeliveryResult:
        return self.send_report(message).result

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        """`send` for each message, `concurrency` at once at most; one result each, in order."""
        return [report.result for report in self.send_reports(messages)]

    def send_reports(self, messages: Sequence[OutboundMessage]) -> list[SendReport]:
        """`send_report` for each message, up to `concurrency` at once, answers in order.

        An unexpected error while sending one message is logged and becomes that message's
        answer (`outcome_unknown`: the request may have gone out, so the key is not sent again);
        the other messages keep theirs. A key repeated within the batch is answered after its
        first message, from the record, as a sequential send would.
        """
        return in_order(messages, self._send_distinct, self._send_contained)

    def _send_distinct(self, messages: Sequence[OutboundMessage]) -> list[SendReport]:
        return run_concurrently(
            self._send_contained, messages, workers=self.concurrency, name=self.name
        )

    def _send_contained(self, message: OutboundMessage) -> SendReport:
        try:
            return self.send_report(message)
        except Exception:  # noqa: BLE001 - logged, and it becomes this message's answer
            _log.exception(
                "channel send raised attempt=%s provider=%s", message.attempt_id, self.name
            )
            report = transient(
                self.name, BaseErrorCode.OUTCOME_UNKNOWN, Outcome.TIMEOUT, ambiguous=True
            )
            self._keys.settle(message.idempotency_key, report)
            return report

    def send_report(self, message: OutboundMessage) -> SendReport:
        """`send`, keeping the wait the provider asked for and whether the fate is unknown."""
        limits = self.capabilities.limits_for(message.channel)
        if limits is None:
            return permanent(self.name, BaseErrorCode.CHANNEL_NOT_SUPPORTED)
        report = self._once(message.idempotency_key, lambda: self._send_parts(message, limits))
        _log.debug(
            "channel send attempt=%s provider=%s status=%s error=%s",
            message.attempt_id,
            self.name,
            report.status.value,
            report.result.error_code,
        )
        return report

    def _once(self, key: str, send: Callable[[], SendReport]) -> SendReport:
        claim = self._keys.claim(key)
        if claim.state is ClaimState.SETTLED and claim.value is not None:
            return claim.value
        if claim.state is ClaimState.IN_FLIGHT:
            return transient(self.name, BaseErrorCode.IN_FLIGHT, outcome=None)
        try:
            report = send()
        except BaseException:
            self._keys.release(key)
            raise
        if report.final or (report.ambiguous and not self.capabilities.deduplicates):
            self._keys.settle(key, report)
        else:
            self._keys.release(key)
        return report

    def _send_parts(self, message: OutboundMessage, limits: ChannelLimits) -> SendReport:
        try:
            parts = split_body(message.body, limits)
        except MessageTooLong:
            return permanent(self.name, BaseErrorCode.MESSAGE_TOO_LONG)
        if len(parts) == 1:
            return self._send_with_retries(message)
        reports: list[SendReport] = []
        for index, body in enumerate(parts, start=1):
            part = replace(
                message,
                body=body,
                idempotency_key=part_key(message.idempotency_key, index, len(parts)),
            )
            report = self._once(part.idempotency_key, partial(self._send_with_retries, part))
            if report.status is not DeliveryStatus.ACCEPTED:
                return report
            reports.append(report)
        ids = [r.result.provider_message_id for r in reports if r.result.provider_message_id]
        return accepted(self.name, ",".join(ids) or None, reports[0].result.outcome)

    def _send_with_retries(self, message: OutboundMessage) -> SendReport:
        attempt = 1
        while True:
            if not self.breaker.allow():
                return transient(self.name, BaseErrorCode.CIRCUIT_OPEN)
            try:
                report = self._deliver_in_slot(message)
            except BaseException:
                self.breaker.record_failure()
                raise
            if report.final:
                self.breaker.record_success()
                return report
            if report.recipient_fault:
                # The provider answered; a retry seconds later would meet the same mailbox.
                self.breaker.record_success()
                return report
            self.breaker.record_failure()
            if report.ambiguous and not self.capabilities.deduplicates:
                return transient(
                    self.name,
                    BaseErrorCode.OUTCOME_UNKNOWN,
                    Outcome.TIMEOUT,
                    ambiguous=True,
                    provider_message_id=report.result.provider_message_id,
                )
            attempt += 1
            delay = self._retry.delay_before(
                attempt, retry_after=report.retry_after, uniform=self._uniform
            )
            if delay is None:
                return report
            if delay > 0:
                self._timer.sleep(delay)

    def _deliver_in_slot(self, message: OutboundMessage) -> SendReport:
        # The slot before the token: a request then goes out when its token is granted, so
        # requests that waited for a slot never leave together faster than the rate allows.
        with self._slots:
            if self._bucket is not None:
                self._bucket.acquire()
            return self.deliver(message)
