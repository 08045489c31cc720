# SPDX-License-Identifier: Apache-2.0
"""A real SMTP server on 127.0.0.1 (aiosmtpd) whose recipients answer as the test needs.

Recipients by local part: `nobody@…` is refused `550 5.1.1`, `full@…` `452 4.2.2`, `later@…`
`451 4.7.1`; anyone else is accepted. `lose_next_reply` drops the connection instead of answering
the next `DATA`, the one failure whose fate is unknown.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
USERNAME = "rightparty"
PASSWORD = "relay-pa55word"

REFUSALS = {
    "nobody": "550 5.1.1 <{address}>: Recipient address rejected: User unknown",
    "full": "452 4.2.2 Mailbox full",
    "later": "451 4.7.1 Greylisted, try again later",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class ReceivedMail:
    peer: tuple[str, int]
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class RecordingHandler:
    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.lose_next_reply = False
        self.peers: set[tuple[str, int]] = set()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 - aiosmtpd hook name
        self.peers.add(session.peer)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook name
        refusal = REFUSALS.get(address.partition("@")[0])
        if refusal:
            return refusal.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        if self.lose_next_reply:
            self.lose_next_reply = False
            self.received.append(self._mail(session, envelope))
            server.transport.close()
            return "250 OK"
        self.received.append(self._mail(session, envelope))
        return "250 2.0.0 Ok: queued"

    @staticmethod
    def _mail(session: Any, envelope: Any) -> ReceivedMail:
        return ReceivedMail(
            peer=session.peer,
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            content=envelope.original_content,
        )

    def by_message_id(self, message_id: str) -> list[ReceivedMail]:
        return [mail for mail in self.received if mail.message["Message-ID"] == message_id]


@dataclass(frozen=True)
class TlsMaterial:
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_tls_material(directory: Path) -> TlsMaterial:
    """A throwaway self-signed certificate for 127.0.0.1 and localhost."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(IPv4Address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "relay.pem", directory / "relay.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return TlsMaterial(cert_file, key_file)


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USERNAME.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd then answers 535 itself; True would leave the client waiting
    return AuthResult(success=ok, handled=False)


class _QuietSession(Session):
    """aiosmtpd sets its deprecated `login_data` on every AUTH; the warning would fail the run."""

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


class _QuietSMTP(SMTP):
    def _create_session(self) -> Session:
        return _QuietSession(self.loop)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _QuietSMTP(self.handler, **self.SMTP_kwargs)


@dataclass
class SmtpServer:
    handler: RecordingHandler
    port: int

    @property
    def connections(self) -> int:
        return len(self.handler.peers)


@contextmanager
def running_smtp_server(
    *,
    starttls: TlsMaterial | None = None,
    implicit_tls: TlsMaterial | None = None,
    port: int | None = None,
) -> Iterator[SmtpServer]:
    """Start on `port` or a free one; STARTTLS (AUTH required) or implicit TLS given material."""
    handler = RecordingHandler()
    options: dict[str, Any] = {}
    if starttls is not None:
        options.update(
            tls_context=starttls.server_context(),
            require_starttls=True,
            authenticator=_authenticate,
            auth_required=True,
        )
    if implicit_tls is not None:
        options["ssl_context"] = implicit_tls.server_context()
    port = port or free_port()
    controller = _Controller(handler, hostname=HOST, port=port, **options)
    controller.start()
    try:
        yield SmtpServer(handler, port)
    finally:
        controller.stop()
