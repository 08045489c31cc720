# SPDX-License-Identifier: Apache-2.0
"""How a request reaches the API: kept-alive HTTP/1.1 connections of the standard library, or httpx.

A provider posts one form per message, so the client's own cost per request is paid per message:
about 450 µs of CPU through httpx (its URL and header models, then httpcore and h11), 130 µs
through `http.client`, which is a third of the whole send on loopback. So requests go by default
on `http.client` connections kept open between requests, one request on each at a time, as many
as the provider's concurrency lets in. They verify TLS exactly as httpx does
(`httpx.create_ssl_context`: `SSL_CERT_FILE`, `SSL_CERT_DIR`, else certifi's bundle).

httpx stays the way when it is asked for: a test or an operator passing a `transport`, or an
environment naming a proxy for the API's host (httpx honours `HTTPS_PROXY`, `ALL_PROXY`,
`NO_PROXY`; the kept connections go direct).

Both answer `ApiAnswer` or raise `RequestNotSent` (no connection: the API certainly never saw the
request) or `NoAnswer` (the request may have reached the API, so its fate is unknown).
"""

from __future__ import annotations

import http.client
import select
import socket
import threading
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import httpx

__all__ = [
    "ApiAnswer",
    "ApiClient",
    "HttpxApi",
    "KeptAliveApi",
    "NoAnswer",
    "RequestNotSent",
    "api_client",
]

_HTTP_ERRORS = (OSError, http.client.HTTPException)


class RequestNotSent(Exception):
    """No connection to the API could be opened; nothing of the request left."""


class NoAnswer(Exception):
    """The request may have reached the API, but no complete answer came back."""


@dataclass(frozen=True, slots=True)
class ApiAnswer:
    """An HTTP answer: status, headers by lower-case name, and the body read in full."""

    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300


class ApiClient(Protocol):
    def post(self, path: str, content: bytes, headers: Mapping[str, str]) -> ApiAnswer:
        """POST `content` to `path` (relative to the API root) with these headers added."""

    def close(self) -> None: ...


def api_client(
    base_url: str,
    *,
    timeout: float,
    headers: Mapping[str, str],
    concurrency: int,
    transport: httpx.BaseTransport | None = None,
) -> ApiClient:
    """Kept-alive connections, or httpx when a transport is given or a proxy applies."""
    if transport is not None or _proxied(base_url):
        return HttpxApi(
            base_url, timeout=timeout, headers=headers, concurrency=concurrency, transport=transport
        )
    return KeptAliveApi(base_url, timeout=timeout, headers=headers)


def _proxied(base_url: str) -> bool:
    """Whether the environment sends requests to this URL through a proxy, as httpx reads it."""
    proxies = urllib.request.getproxies()
    scheme = urlsplit(base_url).scheme
    if not (proxies.get(scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(urlsplit(base_url).netloc)


class _OneWrite:
    """A connection that writes each request, head and body, in one `sendall`: `http.client`
    writes them separately, two system calls and two segments where one does."""

    sock: socket.socket | None
    _pending: list[bytes]

    def send(self, data: object) -> None:
        if not isinstance(data, bytes):
            message = "only bytes bodies are sent"
            raise TypeError(message)
        self._pending.append(data)

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if self.sock is None:
            raise http.client.NotConnected
        self.sock.sendall(b"".join(pending))

    def connect(self) -> None:
        self._pending = []
        super().connect()  # type: ignore[misc]  # the http.client class it is mixed into


class _Connection(_OneWrite, http.client.HTTPConnection):
    pass


class _TlsConnection(_OneWrite, http.client.HTTPSConnection):
    pass


class KeptAliveApi:
    """Idle connections to one API origin, most recently used first; thread-safe.

    A kept connection the server has closed meanwhile is readable (at end of file) while idle, so
    it is checked with a zero-timeout `select` before each request, which costs no round trip,
    and replaced before anything is written to it.
    """

    def __init__(self, base_url: str, *, timeout: float, headers: Mapping[str, str]) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            message = "base_url must be an absolute http or https URL"
            raise ValueError(message)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._root = parts.path.rstrip("/") + "/"
        self._timeout = timeout
        self._headers = dict(headers)
        self._tls = httpx.create_ssl_context() if self._https else None
        self._idle: list[_Connection | _TlsConnection] = []
        self._lock = threading.Lock()

    def post(self, path: str, content: bytes, headers: Mapping[str, str]) -> ApiAnswer:
        connection = self._connection()
        try:
            connection.request("POST", self._root + path, content, self._headers | dict(headers))
            connection.flush()
            response = connection.getresponse()
            answer = ApiAnswer(
                response.status,
                {name.lower(): value for name, value in response.getheaders()},
                response.read(),
            )
        except _HTTP_ERRORS as error:
            connection.close()
            raise NoAnswer from error
        if response.will_close:
            connection.close()
        else:
            self._give_back(connection)
        return answer

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _connection(self) -> _Connection | _TlsConnection:
        while True:
            with self._lock:
                kept = self._idle.pop() if self._idle else None
            if kept is None:
                return self._open()
            if _still_open(kept):
                return kept
            kept.close()

    def _open(self) -> _Connection | _TlsConnection:
        connection = (
            _TlsConnection(self._host, self._port, timeout=self._timeout, context=self._tls)
            if self._https
            else _Connection(self._host, self._port, timeout=self._timeout)
        )
        try:
            connection.connect()
        except _HTTP_ERRORS as error:
            connection.close()
            raise RequestNotSent from error
        return connection

    def _give_back(self, connection: _Connection | _TlsConnection) -> None:
        with self._lock:
            self._idle.append(connection)


def _still_open(connection: http.client.HTTPConnection) -> bool:
    """Whether an idle connection can carry a request: nothing is readable on it (a server that
    closed it, or sent anything unasked, makes it readable)."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


class HttpxApi:
    """The same requests through one pooled httpx client (transports, proxies)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        headers: Mapping[str, str],
        concurrency: int,
        transport: httpx.BaseTransport | None,
    ) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            headers=dict(headers),
        )

    def post(self, path: str, content: bytes, headers: Mapping[str, str]) -> ApiAnswer:
        try:
            response = self._client.post(path, content=content, headers=dict(headers))
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise RequestNotSent from error
        except httpx.TransportError as error:
            raise NoAnswer from error
        return ApiAnswer(
            response.status_code,
            {name.lower(): value for name, value in response.headers.items()},
            response.content,
        )

    def close(self) -> None:
        self._client.close()
