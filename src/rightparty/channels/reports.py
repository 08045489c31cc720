# SPDX-License-Identifier: Apache-2.0
"""What a provider tells the base class about one request, and the error codes the base adds.

The port answers with `DeliveryResult`; inside the channels package a `SendReport` also says how
long the provider asked us to wait and whether the request may have reached it despite failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

from rightparty.domain.messages import DeliveryResult, DeliveryStatus
from rightparty.domain.vocabulary import Outcome


class BaseErrorCode(StrEnum):
    """Error codes set by the framework rather than by a provider."""

    CHANNEL_NOT_SUPPORTED = "channel_not_supported"
    MESSAGE_TOO_LONG = "message_too_long"
    CIRCUIT_OPEN = "circuit_open"
    IN_FLIGHT = "in_flight"
    OUTCOME_UNKNOWN = "outcome_unknown"
    """The request may have reached the provider and the provider cannot deduplicate: the key is
    never sent again. The orchestrator records the attempt as `timeout` and may plan a new one."""
    NO_PROVIDER = "no_provider"


@dataclass(frozen=True, slots=True)
class SendReport:
    """One provider's answer, richer than the port's `DeliveryResult`.

    `retry_after`: seconds the provider asked us to wait (HTTP 429 `Retry-After`).
    `ambiguous`: the request may have been acted on although it failed (a timeout after the request
    was written); repeating it could send the message twice.
    `recipient_fault`: the provider works but this recipient cannot take the message now (a full
    mailbox); it says nothing of the provider's health and is not retried within one send.
    """

    result: DeliveryResult
    retry_after: float | None = None
    ambiguous: bool = False
    recipient_fault: bool = False

    @property
    def status(self) -> DeliveryStatus:
        return self.result.status

    @property
    def final(self) -> bool:
        """Accepted and permanent answers never change by asking again."""
        return self.result.status is not DeliveryStatus.TRANSIENT_FAILURE


def accepted(
    provider: str, provider_message_id: str | None, outcome: Outcome | None = None
) -> SendReport:
    return SendReport(
        DeliveryResult(
            status=DeliveryStatus.ACCEPTED,
            provider=provider,
            provider_message_id=provider_message_id,
            outcome=outcome,
        )
    )


def permanent(provider: str, error_code: str, outcome: Outcome | None = None) -> SendReport:
    return SendReport(
        DeliveryResult(
            status=DeliveryStatus.PERMANENT_FAILURE,
            provider=provider,
            error_code=error_code,
            outcome=outcome,
        )
    )


def transient(
    provider: str,
    error_code: str,
    outcome: Outcome | None = Outcome.PROVIDER_ERROR,
    *,
    retry_after: float | None = None,
    ambiguous: bool = False,
    provider_message_id: str | None = None,
    recipient_fault: bool = False,
) -> SendReport:
    return SendReport(
        DeliveryResult(
            status=DeliveryStatus.TRANSIENT_FAILURE,
            provider=provider,
            provider_message_id=provider_message_id,
            error_code=error_code,
            outcome=outcome,
        ),
        retry_after=retry_after,
        ambiguous=ambiguous,
        recipient_fault=recipient_fault,
    )


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from an HTTP `Retry-After` header: delta-seconds or an HTTP date."""
    text = (value or "").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())
