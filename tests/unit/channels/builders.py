# SPDX-License-Identifier: Apache-2.0
"""Channel test builders: messages, a timer that never waits, a scripted provider."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import SecretStr

from rightparty.channels.base import ChannelProvider, ProviderSettings, Resilience
from rightparty.channels.capabilities import BodyEncoding, Capabilities, ChannelLimits
from rightparty.channels.reports import SendReport, accepted
from rightparty.channels.resilience import RetryPolicy
from rightparty.domain.messages import OutboundMessage
from rightparty.domain.vocabulary import Channel, Purpose


def make_message(
    *,
    key: str = "attempt-1/k",
    channel: Channel = Channel.SMS,
    address: str = "+12125550100",
    body: str = "Your card ending 4821 was used for 12.00 USD. Ref RP-7K2Q.",
    subject: str | None = None,
    locale: str = "en-US",
    customer_id: str = "c-1",
    attempt_id: str | None = None,
) -> OutboundMessage:
    return OutboundMessage(
        idempotency_key=key,
        attempt_id=attempt_id or f"a-{key}",
        customer_id=customer_id,
        channel=channel,
        purpose=Purpose.TRANSACTION_ALERT,
        address=address,
        locale=locale,
        body=body,
        reference_code="RP-7K2Q",
        subject=subject,
    )


@dataclass
class FakeTimer:
    """Monotonic time that moves only when something sleeps; records every sleep."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def fast_resilience(timer: FakeTimer | None = None, **overrides: object) -> Resilience:
    """No real waiting and no jitter: delays are exactly base * multiplier ** n."""
    options: dict[str, object] = {
        "timer": timer or FakeTimer(),
        "retry": RetryPolicy(max_attempts=3, base_delay=0.5, jitter=0.0),
        "uniform": lambda: 0.0,
    }
    options.update(overrides)
    return Resilience(**options)  # type: ignore[arg-type]


class ScriptedSettings(ProviderSettings):
    token: SecretStr | None = None


SMS_SPLIT = ChannelLimits(max_segments=1, encoding=BodyEncoding.SMS, splittable=True, max_parts=3)

Step = Callable[[OutboundMessage], SendReport]


class ScriptedProvider(ChannelProvider[ScriptedSettings]):
    """Answers from a script (one step per `deliver`), then accepts; records what it was sent."""

    kind = "scripted"
    settings_model = ScriptedSettings
    CAPABILITIES = Capabilities(
        channels={Channel.SMS: SMS_SPLIT, Channel.EMAIL: ChannelLimits()},
        secret_fields=frozenset({"token"}),
    )

    def __init__(
        self,
        settings: ScriptedSettings | None = None,
        *,
        name: str | None = None,
        resilience: Resilience | None = None,
        script: list[Step] | None = None,
        capabilities: Capabilities | None = None,
    ) -> None:
        self._override = capabilities
        self.script = list(script or [])
        self.delivered: list[OutboundMessage] = []
        super().__init__(
            settings or ScriptedSettings(), name=name, resilience=resilience or fast_resilience()
        )

    def _capabilities(self) -> Capabilities:
        return self._override or self.CAPABILITIES

    def deliver(self, message: OutboundMessage) -> SendReport:
        self.delivered.append(message)
        if self.script:
            return self.script.pop(0)(message)
        return accepted(self.name, f"id-{message.idempotency_key}")

    @property
    def keys(self) -> list[str]:
        return [message.idempotency_key for message in self.delivered]


def dsn_bytes(
    *,
    action: str = "failed",
    status: str = "5.1.1",
    recipient: str = "nobody@example.net",
    envelope_id: str | None = "0123456789abcdef0123456789abcdef",
    returned_headers: str = "Message-ID: <0123456789abcdef@bank.example>\r\nSubject: Notice\r\n",
    returned_as: str = "text/rfc822-headers",
    diagnostic: str = "smtp; 550 5.1.1 <nobody@example.net>: Recipient address rejected",
) -> bytes:
    """An RFC 3464 report as a receiving MTA would send it back to the bank."""
    envelope = f"Original-Envelope-Id: {envelope_id}\r\n" if envelope_id else ""
    return (
        "From: MAILER-DAEMON@mx.example.net\r\n"
        "To: bounces@bank.example\r\n"
        "Subject: Delivery Status Notification\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "Your message could not be delivered.\r\n"
        "--b1\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n"
        f"{envelope}"
        "Arrival-Date: Mon, 2 Mar 2026 12:00:00 +0000\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: {diagnostic}\r\n"
        "\r\n"
        "--b1\r\n"
        f"Content-Type: {returned_as}\r\n"
        "\r\n"
        f"{returned_headers}"
        "\r\n"
        "--b1--\r\n"
    ).encode()
