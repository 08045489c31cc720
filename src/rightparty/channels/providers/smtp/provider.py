# SPDX-License-Identifier: Apache-2.0
"""Email over SMTP with the standard library: STARTTLS or implicit TLS, AUTH, reused connections.

Each message is one `MAIL`/`RCPT`/`DATA` transaction on a connection kept open between sends
(renewed after `messages_per_connection`); up to `concurrency` connections carry transactions side
by side, one each. A kept connection the relay has meanwhile closed shows at `MAIL`, before
anything of the message was sent, and is replaced there. A refusal is classified by its reply code
(`rightparty.channels.dsn`); a connection lost while waiting for the answer to `DATA` is the one
case whose fate is unknown, reported as such so it is never blindly repeated. The `Message-ID` and
the DSN `ENVID` derive from the idempotency key, so a later bounce report names the attempt it is
about.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from dataclasses import replace
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, formataddr
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator

from rightparty.channels.base import ChannelProvider, ProviderSettings, Resilience
from rightparty.channels.capabilities import Capabilities, ChannelLimits, RateLimit
from rightparty.channels.dsn import classify_smtp_reply, envelope_id_for
from rightparty.channels.providers.smtp.composing import compose_plain, envelope_address
from rightparty.channels.providers.smtp.connections import ConnectionPool, KeptConnection
from rightparty.channels.reports import SendReport, accepted, permanent, transient
from rightparty.domain.clock import Clock, SystemClock
from rightparty.domain.messages import DeliveryStatus, OutboundMessage
from rightparty.domain.vocabulary import Channel, Outcome

_SMTP_ERRORS = (smtplib.SMTPException, OSError)
_SERVICE_CLOSING = 421


class _KeptConnectionClosed(Exception):
    """A kept connection turned out closed at `MAIL`: nothing of the message was sent."""


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class SmtpSettings(ProviderSettings):
    host: str = Field(min_length=1, description="Relay host name or address.")
    port: int = Field(default=587, ge=1, le=65535, description="587 (STARTTLS) or 465 (TLS).")
    security: SmtpSecurity = Field(
        default=SmtpSecurity.STARTTLS, description="none, starttls or tls (implicit TLS)."
    )
    username: str | None = Field(default=None, description="AUTH user; needs a password.")
    password: SecretStr | None = Field(default=None, description="AUTH password.")
    from_address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="The bank's sender.")
    from_name: str | None = Field(default=None, description="Display name of the sender.")
    return_path: str | None = Field(
        default=None, description="Envelope sender where bounces go; defaults to from_address."
    )
    message_id_domain: str | None = Field(
        default=None, description="Right-hand side of Message-IDs; defaults to the sender's."
    )
    default_subject: str = Field(
        default="A message from your bank", description="Subject when a message has none."
    )
    ca_file: Path | None = Field(
        default=None, description="Trust anchors for the relay's certificate (PEM)."
    )
    timeout: float = Field(default=30.0, gt=0, description="Socket timeout in seconds.")
    local_hostname: str | None = Field(default=None, description="Name sent in EHLO.")
    messages_per_connection: int = Field(
        default=100, ge=1, description="Messages sent on one connection before it is renewed."
    )
    concurrency: int = Field(
        default=4, ge=1, le=64, description="Connections carrying messages side by side."
    )
    requests_per_second: float | None = Field(
        default=None, gt=0, description="Throttle for this relay; none by default."
    )

    @model_validator(mode="after")
    def _credentials_need_tls(self) -> Self:
        if (self.username is None) != (self.password is None):
            message = "username and password go together"
            raise ValueError(message)
        if self.username is not None and self.security is SmtpSecurity.NONE:
            message = "AUTH credentials are never sent without TLS; use starttls or tls"
            raise ValueError(message)
        return self


class SmtpProvider(ChannelProvider[SmtpSettings]):
    kind = "smtp"
    settings_model = SmtpSettings
    CAPABILITIES = Capabilities(
        channels={Channel.EMAIL: ChannelLimits()},
        batch_size=1,
        secret_fields=frozenset({"password"}),
        notes="One SMTP transaction per message on reused connections, several side by side.",
    )

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        name: str | None = None,
        resilience: Resilience | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(settings, name=name, resilience=resilience)
        self._clock = clock or SystemClock()
        self._tls_context: ssl.SSLContext | None = None
        self._tls_lock = threading.Lock()
        self._pool = ConnectionPool(self._open)

    def _capabilities(self) -> Capabilities:
        settings = self.settings
        rate = settings.requests_per_second
        return replace(
            self.CAPABILITIES,
            concurrency=settings.concurrency,
            rate_limit=None
            if rate is None
            else RateLimit(per_second=rate, burst=max(1, int(rate))),
        )

    @property
    def idle_connections(self) -> int:
        """Connections kept open for the next messages."""
        return self._pool.idle

    def message_id_for(self, idempotency_key: str) -> str:
        settings = self.settings
        domain = settings.message_id_domain or settings.from_address.rpartition("@")[2]
        return f"<{envelope_id_for(idempotency_key)}@{domain}>"

    def close(self) -> None:
        self._pool.close()

    def deliver(self, message: OutboundMessage) -> SendReport:
        address = message.address
        if "@" not in address or any(character in address for character in "\r\n\0"):
            return permanent(self.name, "smtp_invalid_address", Outcome.UNKNOWN_RECIPIENT)
        while True:
            try:
                connection, reused = self._pool.take()
            except smtplib.SMTPResponseException as error:
                return transient(self.name, f"smtp_{error.smtp_code}")
            except smtplib.SMTPNotSupportedError:
                return transient(self.name, "smtp_extension_unsupported")
            except ssl.SSLError:
                return transient(self.name, "smtp_tls")
            except _SMTP_ERRORS:
                return transient(self.name, "smtp_connect")
            try:
                return self._transaction(connection, message, reused=reused)
            except _KeptConnectionClosed:
                # Dropped already: the next turn takes another connection or opens a fresh one.
                continue
            except BaseException:
                connection.drop(graceful=False)
                raise
            finally:
                self._pool.give_back(connection)

    def _transaction(
        self, kept_connection: KeptConnection, message: OutboundMessage, *, reused: bool
    ) -> SendReport:
        connection = kept_connection.smtp
        if connection is None:
            raise _KeptConnectionClosed
        sender = self.settings.return_path or self.settings.from_address
        utf8 = not (message.address.isascii() and sender.isascii())
        if utf8 and not connection.has_extn("smtputf8"):
            return transient(self.name, "smtp_smtputf8_unsupported")
        refusal = self._envelope(
            kept_connection, connection, message, sender, utf8=utf8, reused=reused
        )
        if refusal is not None:
            return refusal
        return self._data(kept_connection, connection, message, utf8=utf8)

    def _envelope(
        self,
        kept_connection: KeptConnection,
        connection: smtplib.SMTP,
        message: OutboundMessage,
        sender: str,
        *,
        utf8: bool,
        reused: bool,
    ) -> SendReport | None:
        """`MAIL` and `RCPT`; None when both are accepted. Nothing is sent yet, so nothing here
        is ambiguous, and a kept connection found closed at `MAIL` (`_KeptConnectionClosed`) may
        be replaced: checking it with `NOOP` before every message cost a round trip each."""
        mail_options: list[str] = ["SMTPUTF8"] if utf8 else []
        rcpt_options: list[str] = []
        if connection.has_extn("dsn"):
            mail_options += ["RET=HDRS", f"ENVID={envelope_id_for(message.idempotency_key)}"]
            rcpt_options.append("NOTIFY=FAILURE,DELAY")
        if utf8:
            connection.command_encoding = "utf-8"  # as `SMTP.mail` sets it for SMTPUTF8
        try:
            code, reply = _envelope_command(connection, "mail", "FROM", sender, mail_options)
        except _SMTP_ERRORS:
            kept_connection.drop(graceful=False)
            if reused:
                raise _KeptConnectionClosed from None
            return transient(self.name, "smtp_disconnected")
        if code == _SERVICE_CLOSING and reused:
            kept_connection.drop(graceful=False)
            raise _KeptConnectionClosed
        try:
            if code == 250:
                code, reply = _envelope_command(
                    connection, "rcpt", "TO", message.address, rcpt_options
                )
        except _SMTP_ERRORS:
            kept_connection.drop(graceful=False)
            return transient(self.name, "smtp_disconnected")
        return None if code in (250, 251) else self._refused(kept_connection, code, reply)

    def _data(
        self,
        kept_connection: KeptConnection,
        connection: smtplib.SMTP,
        message: OutboundMessage,
        *,
        utf8: bool,
    ) -> SendReport:
        message_id = self.message_id_for(message.idempotency_key)
        payload = self._payload(message, message_id, utf8=utf8)
        try:
            code, reply = connection.data(payload)
        except smtplib.SMTPDataError as error:
            return self._refused(kept_connection, error.smtp_code, error.smtp_error)
        except _SMTP_ERRORS:
            kept_connection.drop(graceful=False)
            return transient(
                self.name, "smtp_no_reply_to_data", ambiguous=True, provider_message_id=message_id
            )
        if code != 250:
            return self._refused(kept_connection, code, reply)
        kept_connection.sent += 1
        if kept_connection.sent >= self.settings.messages_per_connection:
            kept_connection.drop(graceful=True)
        return accepted(self.name, message_id)

    def _payload(self, message: OutboundMessage, message_id: str, *, utf8: bool) -> bytes:
        headers = self._headers(message, message_id)
        plain = None if utf8 else compose_plain(headers, message.body, message.locale)
        if plain is not None:
            return plain
        return self._compose(headers, message).as_bytes(policy=SMTPUTF8 if utf8 else SMTP)

    def _headers(self, message: OutboundMessage, message_id: str) -> list[tuple[str, str]]:
        settings = self.settings
        return [
            (
                "From",
                formataddr((settings.from_name, settings.from_address))
                if settings.from_name
                else settings.from_address,
            ),
            ("To", message.address),
            ("Subject", message.subject or settings.default_subject),
            ("Date", format_datetime(self._clock.now())),
            ("Message-ID", message_id),
            ("Auto-Submitted", "auto-generated"),
        ]

    @staticmethod
    def _compose(headers: list[tuple[str, str]], message: OutboundMessage) -> EmailMessage:
        mail = EmailMessage()
        for name, value in headers:
            mail[name] = value
        mail.set_content(message.body)
        mail["Content-Language"] = message.locale  # after set_content, which drops Content-*
        return mail

    def _refused(
        self, kept_connection: KeptConnection, code: int, reply: bytes | str
    ) -> SendReport:
        verdict = classify_smtp_reply(code, reply)
        connection = kept_connection.smtp
        if code == _SERVICE_CLOSING or connection is None:
            kept_connection.drop(graceful=False)
        else:
            try:
                connection.rset()
            except _SMTP_ERRORS:
                kept_connection.drop(graceful=False)
        if verdict.status is DeliveryStatus.PERMANENT_FAILURE:
            return permanent(self.name, verdict.error_code, verdict.outcome)
        return transient(self.name, verdict.error_code, verdict.outcome)

    def _context(self) -> ssl.SSLContext:
        # Loading the trust store takes tens of milliseconds: once per provider, not per connection.
        with self._tls_lock:
            if self._tls_context is None:
                ca_file = self.settings.ca_file
                cafile = str(ca_file) if ca_file else None
                self._tls_context = ssl.create_default_context(cafile=cafile)
            return self._tls_context

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        connection: smtplib.SMTP
        if settings.security is SmtpSecurity.TLS:
            connection = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                local_hostname=settings.local_hostname,
                timeout=settings.timeout,
                context=self._context(),
            )
        else:
            connection = smtplib.SMTP(
                settings.host,
                settings.port,
                local_hostname=settings.local_hostname,
                timeout=settings.timeout,
            )
        try:
            connection.ehlo()
            if settings.security is SmtpSecurity.STARTTLS:
                connection.starttls(context=self._context())
                connection.ehlo()
            if settings.username is not None and settings.password is not None:
                connection.login(settings.username, settings.password.get_secret_value())
        except BaseException:
            connection.close()
            raise
        return connection


def _envelope_command(
    connection: smtplib.SMTP, verb: str, field: str, address: str, options: list[str]
) -> tuple[int, bytes]:
    """`SMTP.mail` or `SMTP.rcpt`: the same command line, the address quoted by
    `envelope_address` (SMTPUTF8 support is checked, and the encoding set, by the caller)."""
    extra = " " + " ".join(options) if options and connection.does_esmtp else ""
    return connection.docmd(verb, f"{field}:{envelope_address(address)}{extra}")
