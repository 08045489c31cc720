# SPDX-License-Identifier: Apache-2.0
"""An RFC 8030 push service on 127.0.0.1 that does what a real one must before it takes a message:
it checks the VAPID token (RFC 8292: ES256 over the JWT, verified with the public key it was
subscribed with, `aud` equal to its origin, `exp` within 24 hours) and then, playing the browser,
decrypts the `aes128gcm` body (RFC 8291) with the subscription's private key. A message it cannot
authenticate is a 401/403; one it cannot decrypt is a 400. So a 201 proves real encryption.

Endpoints are `/push/<token>`; tokens `gone` (410), `missing` (404), `unavailable` (503),
`busy` (429, `Retry-After: 7`) and `toolarge` (413) answer as named. `script` forces the next
answers (`drop` closes the connection after reading the request: the fate is then unknown).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from rightparty.channels.providers.webpush import subscription_for

HOST = "127.0.0.1"
MAX_BODY = 4096
_STATUS_BY_TOKEN = {"gone": 410, "missing": 404, "unavailable": 503, "busy": 429, "toolarge": 413}


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class Browser:
    """A browser's subscription key pair (what `PushManager.subscribe()` creates)."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> Browser:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))


@dataclass(frozen=True)
class Scripted:
    status: int = 201
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


@dataclass(frozen=True)
class ReceivedPush:
    path: str
    headers: dict[str, str]
    status: int
    payload: dict[str, object] | None
    claims: dict[str, object] | None


def verify_vapid(authorization: str, expected_key: str, origin: str) -> dict[str, object]:
    """The claims of a valid `vapid t=<jwt>,k=<key>` header; `PermissionError` otherwise."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise PermissionError("scheme")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    if fields.get("k") != expected_key:
        raise PermissionError("key")
    header_b64, claims_b64, signature_b64 = fields["t"].split(".")
    if json.loads(b64url_decode(header_b64)) != {"typ": "JWT", "alg": "ES256"}:
        raise PermissionError("header")
    signature = b64url_decode(signature_b64)
    public = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), b64url_decode(fields["k"])
    )
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise PermissionError("signature") from None
    claims: dict[str, object] = json.loads(b64url_decode(claims_b64))
    expires = claims.get("exp")
    if claims.get("aud") != origin or not isinstance(expires, int):
        raise PermissionError("aud")
    if not time.time() < expires <= time.time() + 24 * 3600:
        raise PermissionError("exp")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
        raise PermissionError("sub")
    return claims


class PushService:
    def __init__(self, application_server_key: str) -> None:
        self.application_server_key = application_server_key
        self.browser = Browser.new()
        self.received: list[ReceivedPush] = []
        self.script: deque[Scripted] = deque()
        self.port = 0
        self._lock = threading.Lock()

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def subscription(self, path: str = "ok", browser: Browser | None = None) -> str:
        """A push address for `/push/<path>`, encrypted to this service's browser by default."""
        owner = browser or self.browser
        endpoint = f"{self.origin}/push/{path}"
        return subscription_for(endpoint, owner.private_key.public_key(), owner.auth)

    def delivered(self, tag: str) -> int:
        return sum(
            1
            for push in self.received
            if push.status == 201 and push.payload and push.payload.get("tag") == tag
        )

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> ReceivedPush:
        try:
            claims = verify_vapid(
                headers.get("authorization", ""), self.application_server_key, self.origin
            )
        except (PermissionError, KeyError, ValueError):
            return ReceivedPush(path, headers, 401, None, None)
        if len(body) > MAX_BODY:
            return ReceivedPush(path, headers, 413, None, claims)
        if headers.get("content-encoding") != "aes128gcm" or "ttl" not in headers:
            return ReceivedPush(path, headers, 400, None, claims)
        try:
            plaintext = http_ece.decrypt(
                body,
                private_key=self.browser.private_key,
                auth_secret=self.browser.auth,
                version="aes128gcm",
            )
        except Exception:  # noqa: BLE001 - any failure to decrypt is the sender's 400
            return ReceivedPush(path, headers, 400, None, claims)
        token = path.rsplit("/", 1)[-1]
        status = _STATUS_BY_TOKEN.get(token, 201)
        return ReceivedPush(path, headers, status, json.loads(plaintext), claims)


def _handler_for(service: PushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 5

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            with service._lock:
                scripted = service.script.popleft() if service.script else None
            if scripted is not None:
                service.received.append(
                    ReceivedPush(self.path, headers, scripted.status, None, None)
                )
                if scripted.drop:
                    self.close_connection = True
                    return
                self._reply(scripted.status, scripted.headers)
                return
            push = service.answer(self.path, headers, body)
            service.received.append(push)
            extra = {"Retry-After": "7"} if push.status == 429 else {}
            if push.status == 201:
                extra["Location"] = f"{service.origin}/m/{secrets.token_urlsafe(12)}"
            self._reply(push.status, extra)

        def _reply(self, status: int, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def running_push_service(application_server_key: str) -> Iterator[PushService]:
    service = PushService(application_server_key)
    server = ThreadingHTTPServer((HOST, 0), _handler_for(service))
    service.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def new_vapid_key() -> tuple[str, str]:
    """A VAPID key pair: the raw private scalar and the public point, both base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(private), b64url_encode(public)
