# SPDX-License-Identifier: Apache-2.0
"""A Twilio-compatible REST API on 127.0.0.1: the Messages and Calls resources as Twilio documents
them (form-encoded POST, basic auth, 201 with a JSON resource, JSON error bodies), over real HTTP.

`To` numbers from Twilio's test credentials: `+15005550001` is invalid (21211), `+15005550004`
has opted out (21610), `+15005550009` is not a mobile number (21614); `+15005550503` answers
503. `script` forces the next responses (a 429 with `Retry-After`, a lost answer, …).
With `deduplicate`, a repeated `Idempotency-Key` returns the resource first created for it.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

HOST = "127.0.0.1"
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-5f2c"
IDEMPOTENCY_HEADER = "Idempotency-Key"

_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/(?P<resource>Messages|Calls)\.json$")
_RECIPIENT_ERRORS = {
    "+15005550001": (21211, "The 'To' number {to} is not a valid phone number."),
    "+15005550004": (21610, "Attempt to send to unsubscribed recipient"),
    "+15005550009": (21614, "'To' number is not a valid mobile number"),
}
UNAVAILABLE_NUMBER = "+15005550503"


@dataclass(frozen=True)
class Scripted:
    """A forced response. `drop` closes the connection without answering; with `process` the
    request is first handled as usual (the resource is created, then the answer is lost)."""

    status: int = 200
    body: dict[str, object] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    process: bool = False


def error(code: int, status: int, message: str = "error") -> dict[str, object]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    form: dict[str, list[str]]
    headers: dict[str, str]
    status: int

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get(IDEMPOTENCY_HEADER.lower())

    def one(self, name: str) -> str:
        (value,) = self.form[name]
        return value


class FakeTwilio:
    def __init__(self, *, deduplicate: bool = False) -> None:
        self.deduplicate = deduplicate
        self.requests: list[RecordedRequest] = []
        self.script: deque[Scripted] = deque()
        self._created: dict[str, dict[str, object]] = {}
        self._lock = threading.Lock()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/2010-04-01"

    def created(self, idempotency_key: str) -> int:
        """How many resources were created for the key (replays of a deduplicated key excluded)."""
        return sum(
            1
            for request in self.requests
            if request.idempotency_key == idempotency_key and request.status == 201
        )

    def answer(self, path: str, form: dict[str, list[str]], headers: dict[str, str]) -> Scripted:
        with self._lock:
            scripted = self.script.popleft() if self.script else None
        if scripted is not None and not scripted.process:
            return scripted
        answer = self._authorised(path, form, headers)
        if scripted is not None:
            return Scripted(answer.status, answer.body, answer.headers, drop=scripted.drop)
        return answer

    def _authorised(
        self, path: str, form: dict[str, list[str]], headers: dict[str, str]
    ) -> Scripted:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if headers.get("authorization") != expected:
            return Scripted(401, error(20003, 401, "Authenticate"))
        matched = _PATH.match(path)
        if matched is None or matched["sid"] != ACCOUNT_SID:
            return Scripted(404, error(20404, 404, "The requested resource was not found"))
        return self._create(matched["resource"], form, headers.get(IDEMPOTENCY_HEADER.lower()))

    def _create(self, resource: str, form: dict[str, list[str]], key: str | None) -> Scripted:
        to = (form.get("To") or [""])[0]
        missing = self._missing(resource, form)
        if missing is not None:
            return Scripted(400, missing)
        if to in _RECIPIENT_ERRORS:
            code, message = _RECIPIENT_ERRORS[to]
            return Scripted(400, error(code, 400, message.format(to=to)))
        if to == UNAVAILABLE_NUMBER:
            return Scripted(503, error(20503, 503, "Service unavailable"))
        with self._lock:
            if self.deduplicate and key is not None and key in self._created:
                return Scripted(200, self._created[key])
            document = self._resource(resource, form)
            if key is not None:
                self._created[key] = document
        return Scripted(201, document)

    @staticmethod
    def _missing(resource: str, form: dict[str, list[str]]) -> dict[str, object] | None:
        if "To" not in form:
            return error(21604, 400, "A 'To' phone number is required.")
        if resource == "Messages":
            if "Body" not in form:
                return error(21602, 400, "Message body is required.")
            if "From" not in form and "MessagingServiceSid" not in form:
                return error(21603, 400, "A 'From' phone number is required.")
        elif "From" not in form:
            return error(21603, 400, "A 'From' phone number is required.")
        elif "Url" not in form and "Twiml" not in form:
            return error(21205, 400, "Url parameter is required.")
        return None

    @staticmethod
    def _resource(resource: str, form: dict[str, list[str]]) -> dict[str, object]:
        prefix = "SM" if resource == "Messages" else "CA"
        sid = prefix + secrets.token_hex(16)
        document: dict[str, object] = {
            "sid": sid,
            "account_sid": ACCOUNT_SID,
            "api_version": "2010-04-01",
            "to": form["To"][0],
            "from": (form.get("From") or [None])[0],
            "status": "queued",
            "direction": "outbound-api",
            "date_created": "Mon, 02 Mar 2026 12:00:00 +0000",
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/{resource}/{sid}.json",
        }
        if resource == "Messages":
            document |= {"body": form["Body"][0], "num_segments": "1", "error_code": None}
        else:
            document |= {"answered_by": None, "duration": None}
        return document


def _handler_for(api: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 5

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = parse_qs(raw, keep_blank_values=True)
            headers = {name.lower(): value for name, value in self.headers.items()}
            answer = api.answer(self.path, form, headers)
            api.requests.append(RecordedRequest(self.path, form, headers, answer.status))
            if answer.drop:
                self.close_connection = True
                return
            payload = json.dumps(answer.body or {}).encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def running_fake_twilio(*, deduplicate: bool = False) -> Iterator[FakeTwilio]:
    api = FakeTwilio(deduplicate=deduplicate)
    server = ThreadingHTTPServer((HOST, 0), _handler_for(api))
    api.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
