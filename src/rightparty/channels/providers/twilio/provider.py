# SPDX-License-Identifier: Apache-2.0
"""SMS and voice through a Twilio-compatible REST API (Messages and Calls resources, 2010-04-01).

Requests are form-encoded POSTs with HTTP basic auth (account SID, auth token) on connections
kept alive between requests (`connections`): up to `concurrency` of them, each carrying one
request at a time. SMS bodies go as `Body`; voice
calls speak the body through inline `Twiml`, with answering-machine detection and status callbacks
for every call event. Every request carries the attempt's idempotency key in a header;
`deduplicates` says whether the API honours it.
"""

from __future__ import annotations

import json
import re
from base64 import b64encode
from dataclasses import replace
from typing import Literal, Self
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

import httpx
from pydantic import Field, SecretStr, model_validator

from rightparty.channels.base import ChannelProvider, ProviderSettings, Resilience
from rightparty.channels.capabilities import BodyEncoding, Capabilities, ChannelLimits, RateLimit
from rightparty.channels.providers.twilio.codes import classify_error_response
from rightparty.channels.providers.twilio.connections import (
    ApiAnswer,
    NoAnswer,
    RequestNotSent,
    api_client,
)
from rightparty.channels.reports import SendReport, accepted, permanent, transient
from rightparty.domain.clock import Clock, SystemClock
from rightparty.domain.messages import DeliveryStatus, OutboundMessage
from rightparty.domain.vocabulary import Channel

API_VERSION_URL = "https://api.twilio.com/2010-04-01"
CALL_EVENTS = ("initiated", "ringing", "answered", "completed")
MAX_TWIML = 4000
_LANGUAGE = re.compile(r"^[a-z]{2,3}-[A-Z]{2}$")
_FORM = "application/x-www-form-urlencoded"


class TwilioSettings(ProviderSettings):
    account_sid: str = Field(
        min_length=1, pattern=r"^[A-Za-z0-9_-]+$", description="Account SID (basic-auth user)."
    )
    auth_token: SecretStr = Field(description="Auth token (basic-auth password, signs callbacks).")
    base_url: str = Field(
        default=API_VERSION_URL,
        pattern=r"^https?://",
        description="The API root up to and including the version, for Twilio-compatible APIs.",
    )
    sms_from: str | None = Field(default=None, description="Sender number or ID for SMS.")
    messaging_service_sid: str | None = Field(
        default=None, description="Messaging service used instead of sms_from."
    )
    voice_from: str | None = Field(default=None, description="Caller number for voice.")
    status_callback_url: str | None = Field(
        default=None, pattern=r"^https?://", description="Where status callbacks are posted."
    )
    machine_detection: Literal["Enable", "DetectMessageEnd"] | None = Field(
        default="Enable", description="Answering-machine detection for calls (AnsweredBy)."
    )
    ring_timeout: int = Field(default=30, ge=5, le=600, description="Seconds a call may ring.")
    timeout: float = Field(default=10.0, gt=0, description="HTTP timeout in seconds.")
    idempotency_header: str = Field(
        default="Idempotency-Key", description="Header carrying the attempt's idempotency key."
    )
    deduplicates: bool = Field(
        default=False, description="The API honours the idempotency header (safe to repeat)."
    )
    requests_per_second: float = Field(default=10.0, gt=0, description="Request throttle.")
    burst: int = Field(default=10, ge=1, description="Requests allowed at once.")
    concurrency: int = Field(
        default=4, ge=1, le=64, description="Requests in flight side by side (pooled connections)."
    )

    @model_validator(mode="after")
    def _one_sender_at_least(self) -> Self:
        if not (self.sms_from or self.messaging_service_sid or self.voice_from):
            message = "set sms_from, messaging_service_sid or voice_from"
            raise ValueError(message)
        return self


class TwilioProvider(ChannelProvider[TwilioSettings]):
    kind = "twilio"
    settings_model = TwilioSettings
    CAPABILITIES = Capabilities(
        channels={
            Channel.SMS: ChannelLimits(
                max_length=1600,
                max_segments=10,
                encoding=BodyEncoding.SMS,
                splittable=True,
                max_parts=3,
            ),
            Channel.VOICE: ChannelLimits(max_length=3000),
        },
        rate_limit=RateLimit(per_second=10.0, burst=10),
        batch_size=1,
        secret_fields=frozenset({"auth_token"}),
        notes="Messages and Calls resources of a Twilio-compatible API.",
    )

    def __init__(
        self,
        settings: TwilioSettings,
        *,
        name: str | None = None,
        resilience: Resilience | None = None,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(settings, name=name, resilience=resilience)
        self._clock = clock or SystemClock()
        # Basic auth as a default header rather than httpx's `auth=`: the same header, without a
        # per-request auth flow. No error or log line ever prints these headers.
        credentials = f"{settings.account_sid}:{settings.auth_token.get_secret_value()}"
        self._api = api_client(
            settings.base_url,
            timeout=settings.timeout,
            concurrency=settings.concurrency,
            transport=transport,
            headers={
                "Accept": "application/json",
                "User-Agent": "rightparty",
                "Authorization": f"Basic {b64encode(credentials.encode()).decode('ascii')}",
            },
        )

    def _capabilities(self) -> Capabilities:
        settings = self.settings
        served = set()
        if settings.sms_from or settings.messaging_service_sid:
            served.add(Channel.SMS)
        if settings.voice_from:
            served.add(Channel.VOICE)
        return replace(
            self.CAPABILITIES.restricted_to(frozenset(served)),
            rate_limit=RateLimit(per_second=settings.requests_per_second, burst=settings.burst),
            concurrency=settings.concurrency,
            deduplicates=settings.deduplicates,
        )

    def close(self) -> None:
        self._api.close()

    def deliver(self, message: OutboundMessage) -> SendReport:
        sid = self.settings.account_sid
        if message.channel is Channel.VOICE:
            twiml = self._twiml(message)
            if len(twiml) > MAX_TWIML:
                return permanent(self.name, "twilio_twiml_too_long")
            return self._post(
                f"Accounts/{sid}/Calls.json", self._call_form(message, twiml), message
            )
        return self._post(f"Accounts/{sid}/Messages.json", self._message_form(message), message)

    def _message_form(self, message: OutboundMessage) -> dict[str, str | list[str]]:
        settings = self.settings
        form: dict[str, str | list[str]] = {"To": message.address, "Body": message.body}
        if settings.messaging_service_sid:
            form["MessagingServiceSid"] = settings.messaging_service_sid
        elif settings.sms_from:
            form["From"] = settings.sms_from
        if settings.status_callback_url:
            form["StatusCallback"] = settings.status_callback_url
        return form

    def _call_form(self, message: OutboundMessage, twiml: str) -> dict[str, str | list[str]]:
        settings = self.settings
        form: dict[str, str | list[str]] = {
            "To": message.address,
            "From": settings.voice_from or "",
            "Twiml": twiml,
            "Timeout": str(settings.ring_timeout),
        }
        if settings.machine_detection:
            form["MachineDetection"] = settings.machine_detection
        if settings.status_callback_url:
            form["StatusCallback"] = settings.status_callback_url
            form["StatusCallbackMethod"] = "POST"
            form["StatusCallbackEvent"] = list(CALL_EVENTS)
        return form

    @staticmethod
    def _twiml(message: OutboundMessage) -> str:
        language = (
            f" language={quoteattr(message.locale)}" if _LANGUAGE.match(message.locale) else ""
        )
        return f"<Response><Say{language}>{escape(message.body)}</Say></Response>"

    def _post(
        self, path: str, form: dict[str, str | list[str]], message: OutboundMessage
    ) -> SendReport:
        headers = {
            self.settings.idempotency_header: message.idempotency_key,
            "Content-Type": _FORM,
        }
        # Encoded as httpx encodes `data=form`.
        content = urlencode(form, doseq=True).encode()
        try:
            answer = self._api.post(path, content, headers)
        except RequestNotSent:
            return transient(self.name, "twilio_connect")
        except NoAnswer:
            return transient(self.name, "twilio_no_response", ambiguous=True)
        if answer.is_success:
            return self._created(answer)
        verdict = classify_error_response(
            answer.status,
            answer.content,
            answer.headers.get("retry-after"),
            self._clock.now(),
        )
        if verdict.status is DeliveryStatus.PERMANENT_FAILURE:
            return permanent(self.name, verdict.error_code, verdict.outcome)
        return transient(
            self.name, verdict.error_code, verdict.outcome, retry_after=verdict.retry_after
        )

    def _created(self, answer: ApiAnswer) -> SendReport:
        try:
            document = json.loads(answer.content)
        except ValueError:
            document = None
        sid = document.get("sid") if isinstance(document, dict) else None
        if not isinstance(sid, str) or not sid:
            return transient(self.name, "twilio_malformed_response", ambiguous=True)
        return accepted(self.name, sid)
