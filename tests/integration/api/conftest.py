# SPDX-License-Identifier: Apache-2.0
"""A real HTTP server (uvicorn on loopback, in a thread) around the `app` fixture's application,
and a Twilio-like client that signs what it posts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from rightparty.api import create_app
from rightparty.channels.providers.twilio.callbacks import twilio_signature
from rightparty.config import Settings, WebhookSettings
from rightparty.domain.messages import DeliveryResult, DeliveryStatus, OutboundMessage

PUBLIC_BASE_URL = "https://contact.bank.example"
AUTH_TOKEN = "test-auth-token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Twilio:
    """Posts form-encoded requests as Twilio does, signed for the public URL."""

    client: httpx.Client
    token: str = AUTH_TOKEN

    def post(
        self,
        path: str,
        params: Mapping[str, str],
        *,
        sign: bool = True,
        token: str | None = None,
    ) -> httpx.Response:
        headers = {}
        if sign:
            signature = twilio_signature(PUBLIC_BASE_URL + path, params, token or self.token)
            headers["X-Twilio-Signature"] = signature
        return self.client.post(path, data=dict(params), headers=headers)


@pytest.fixture
def webhook_settings() -> Settings:
    return Settings(
        webhooks=WebhookSettings(
            public_base_url=PUBLIC_BASE_URL, twilio_auth_token=SecretStr(AUTH_TOKEN)
        )
    )


@contextmanager
def served(asgi_app: Any) -> Iterator[httpx.Client]:
    """`asgi_app` under uvicorn on a free loopback port, and a client for it."""
    server = uvicorn.Server(
        uvicorn.Config(
            asgi_app,
            host="127.0.0.1",
            port=_free_port(),
            log_config=None,  # records reach the root logger, so caplog sees every one
            log_level="info",
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the API server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def twilio(app, webhook_settings) -> Iterator[Twilio]:
    with served(create_app(app, webhook_settings)) as client:
        yield Twilio(client)


class TwilioLikeGateway:
    """Accepts every message as Twilio would: a sid now, the outcome later by callback. A body
    marked `parts=N` is reported as a split message with N part sids."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []
        self.parts = 1

    def send(self, message: OutboundMessage) -> DeliveryResult:
        self.sent.append(message)
        number = len(self.sent)
        sids = ",".join(f"SM{number:04d}{part:028d}" for part in range(1, self.parts + 1))
        return DeliveryResult(DeliveryStatus.ACCEPTED, "twilio", sids)


def rfc2822(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")
