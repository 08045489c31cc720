# SPDX-License-Identifier: Apache-2.0
"""The Twilio provider's kept-alive HTTP connections, over real sockets on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from rightparty.channels.providers.twilio.connections import (
    HttpxApi,
    KeptAliveApi,
    NoAnswer,
    RequestNotSent,
    api_client,
)
from tests.integration.channels.smtp_server import free_port
from tests.integration.channels.twilio_server import running_fake_twilio

pytestmark = pytest.mark.integration

_CREATED = (
    b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
    b'Content-Length: 15\r\n\r\n{"sid": "SM1"}\n'
)


class OneRequestPerConnection:
    """An HTTP/1.1 server that answers one request on each connection without announcing a
    close, then closes it: what an API does to an idle keep-alive connection it times out."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.closed = threading.Event()

    def serve(self, count: int) -> None:
        for _ in range(count):
            connection, _ = self.listener.accept()
            self.connections += 1
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(65536)
                connection.sendall(_CREATED)
            self.closed.set()


@contextmanager
def one_request_per_connection(count: int) -> Iterator[OneRequestPerConnection]:
    server = OneRequestPerConnection()
    thread = threading.Thread(target=server.serve, args=(count,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        thread.join(timeout=5)
        server.listener.close()


def test_requests_share_one_kept_connection():
    with running_fake_twilio() as api:
        client = KeptAliveApi(api.base_url, timeout=5, headers={"Authorization": "Basic eA=="})
        try:
            answers = [
                client.post("Accounts/AC1/Messages.json", b"To=%2B1&Body=x", {"X-Key": str(n)})
                for n in range(3)
            ]
        finally:
            client.close()
    assert [answer.status for answer in answers] == [401, 401, 401]  # wrong credentials
    assert answers[0].headers["content-type"].startswith("application/json")


def test_a_kept_connection_the_api_closed_is_replaced_before_anything_is_written():
    with one_request_per_connection(2) as server:
        client = KeptAliveApi(f"http://127.0.0.1:{server.port}/2010-04-01", timeout=5, headers={})
        try:
            first = client.post("Accounts/AC1/Messages.json", b"a=1", {})
            assert server.closed.wait(timeout=5)
            second = client.post("Accounts/AC1/Messages.json", b"a=2", {})
        finally:
            client.close()
    assert (first.status, second.status) == (201, 201)
    assert second.content == b'{"sid": "SM1"}\n'
    assert server.connections == 2


def test_no_listening_api_means_the_request_was_not_sent():
    client = KeptAliveApi(f"http://127.0.0.1:{free_port()}/2010-04-01", timeout=5, headers={})
    with pytest.raises(RequestNotSent):
        client.post("Accounts/AC1/Messages.json", b"a=1", {})


def test_a_connection_lost_before_the_answer_leaves_the_fate_unknown():
    listener = socket.create_server(("127.0.0.1", 0))

    def accept_and_hang_up() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.close()

    thread = threading.Thread(target=accept_and_hang_up, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    client = KeptAliveApi(f"http://127.0.0.1:{port}/2010-04-01", timeout=5, headers={})
    try:
        with pytest.raises(NoAnswer):
            client.post("Accounts/AC1/Messages.json", b"a=1", {})
    finally:
        thread.join(timeout=5)
        listener.close()


def test_httpx_carries_the_requests_when_a_transport_is_given():
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Basic eA=="
        return httpx.Response(201, json={"sid": "SM1"})

    client = api_client(
        "https://api.example/2010-04-01",
        timeout=5,
        headers={"Authorization": "Basic eA=="},
        concurrency=2,
        transport=httpx.MockTransport(answer),
    )
    assert isinstance(client, HttpxApi)
    assert client.post("Accounts/AC1/Messages.json", b"a=1", {}).status == 201


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, KeptAliveApi),
        ({"HTTPS_PROXY": "http://proxy.bank.example:3128"}, HttpxApi),
        ({"ALL_PROXY": "http://proxy.bank.example:3128"}, HttpxApi),
        ({"HTTP_PROXY": "http://proxy.bank.example:3128"}, KeptAliveApi),  # not for https
        (
            {"HTTPS_PROXY": "http://proxy.bank.example:3128", "NO_PROXY": "api.twilio.com"},
            KeptAliveApi,
        ),
    ],
)
def test_a_proxy_named_by_the_environment_sends_through_httpx(monkeypatch, environment, expected):
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        for spelling in (name, name.lower()):
            monkeypatch.delenv(spelling, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    client = api_client("https://api.twilio.com/2010-04-01", timeout=5, headers={}, concurrency=1)
    try:
        assert type(client) is expected
    finally:
        client.close()
