# SPDX-License-Identifier: Apache-2.0
"""What crosses the channel port: a rendered message out, a typed delivery result back.

A provider never answers with a bare bool: the caller must tell a transient failure (retry, maybe on
another provider) from a permanent one (the address is bad) from an acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rightparty.domain.vocabulary import Channel, Outcome, Purpose


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One rendered message for one attempt, addressed to the customer's own contact point.

    `address` is plaintext, decrypted just before dispatch and never logged; `repr` masks it.
    """

    idempotency_key: str
    attempt_id: str
    customer_id: str
    channel: Channel
    purpose: Purpose
    address: str
    locale: str
    body: str
    reference_code: str
    subject: str | None = None

    def __repr__(self) -> str:
        return (
            f"OutboundMessage(attempt_id={self.attempt_id!r}, channel={self.channel.value!r}, "
            f"purpose={self.purpose.value!r}, address='***')"
        )


class DeliveryStatus(StrEnum):
    ACCEPTED = "accepted"
    TRANSIENT_FAILURE = "transient_failure"
    PERMANENT_FAILURE = "permanent_failure"


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """A provider's answer to `send`.

    `outcome` is set when the answer already says what happened (an SMTP 550 is `bounced_hard`);
    otherwise the outcome arrives later through a status callback or a delivery report.
    """

    status: DeliveryStatus
    provider: str
    provider_message_id: str | None = None
    error_code: str | None = None
    outcome: Outcome | None = None
