# SPDX-License-Identifier: Apache-2.0
"""Dispatch throughput end to end: decided, recorded, rendered, sent over a real socket, recorded.

Two profiles, each on a fresh database of `--messages` synthetic US customers, one case per
message (import and cases untimed):

- `smtp`: the email step of a payment reminder through `SmtpProvider` to an aiosmtpd server;
- `http`: the SMS step of a payment reminder through `TwilioProvider` to a small server
  implementing Twilio's Messages resource (basic auth, form-encoded POST, 201 with a JSON
  resource) on HTTP/1.1 keep-alive.

Each server runs in a process of its own, so it competes with the bench for a core and not for
the GIL, and counts what it receives: the run fails unless every message sent arrived, each with
its own Message-ID or idempotency key. The providers run with their default resilience (token
bucket, retries, circuit breaker); Twilio's throttle is raised to 100,000 requests/s so the
figure is the engine's, not the 10/s a real account is configured for.

Timed, per chunk of `--batch` messages, on customers already read from the database (as a
worker holds them): each customer's policy facts and their jurisdiction's policy decision
(`decide`); `record_attempts`, one transaction (`record`); the message rendered from its template
and checked against the packs' content rules (`render`); `CaseWorker.dispatch_many`: one
transaction before any send (`clearance`) that decides every message again against the stored
attempt history and claims those that go as dispatching, then the batch sent through the
provider's `send_many`, up to its `concurrency` requests in flight (`send`; `--concurrency N`
overrides the provider's default, 1 sends one after another), then every answer recorded in one
transaction (`record_results`). With `--clearance both` (the default) each profile also runs
`same_instant`: `decided_at` is the clock's now, so the send-time re-decision is skipped (the
claim is not), as in the simulated runtime.

Prints one JSON line: `smtp_messages_per_s` and `http_messages_per_s` (with the re-decision, as
a real worker runs), `*_same_instant_messages_per_s`, and seconds per phase. Goal: 1,000
messages/s on 2 cores. `--profile smtp|http` prints the top functions of that run to stderr.

    .venv/bin/python bench/dispatch.py
    .venv/bin/python bench/dispatch.py --messages 5000 --profile smtp --clearance redecide
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import json
import multiprocessing
import platform
import pstats
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.smtp import SMTP, Envelope, Session

from rightparty.bootstrap import Application, assemble
from rightparty.channels.base import ChannelProvider
from rightparty.channels.providers.smtp import SmtpProvider, SmtpSettings
from rightparty.channels.providers.twilio import TwilioProvider, TwilioSettings
from rightparty.config import Settings
from rightparty.db import migrate
from rightparty.db.engine import build_engine
from rightparty.domain.case import Case, Priority
from rightparty.domain.clock import SimulatedClock
from rightparty.domain.messages import DeliveryResult, DeliveryStatus, OutboundMessage
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.policy.facts import ContactRequest
from rightparty.privacy.keys import InMemoryKeyProvider
from rightparty.usecases.customer_import import validate_import
from rightparty.usecases.customers import import_customers, random_id
from rightparty.usecases.cycle_collector import tune_for_workload
from rightparty.usecases.orchestration.facts import customer_facts
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction
from rightparty.usecases.orchestration.recording import DecidedAttempt, record_attempts
from rightparty.usecases.orchestration.worker import CaseWorker, message_for
from storage import postgres_database, sqlite_database  # bench/storage.py, this script's sibling

# A Tuesday, 15:00 UTC: 10:00 in New York, within calling hours.
START = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
PURPOSE = Purpose.PAYMENT_REMINDER
STEP = {"smtp": 0, "http": 1}  # the payment reminder plan: email, then SMS
HOST = "127.0.0.1"
MAIL_DOMAIN = "mail.example.com"
SENDER = "alerts@bank.example"
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "bench-token"  # noqa: S105 - the local server's own, not a secret
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/"
PHASES = ("decide", "record", "render", "clearance", "send", "record_results")


# --- the servers, each in a process of its own -------------------------------------------------


class CountingSmtpHandler:
    """Accepts every message and keeps its Message-ID, so the bench can check each arrived."""

    def __init__(self) -> None:
        self.message_ids: set[bytes] = set()
        self.messages = 0
        self.sessions = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd hook name
        content = envelope.original_content or b""
        found = re.search(rb"^Message-ID: (<[^>]+>)", content, re.MULTILINE | re.IGNORECASE)
        if found is not None and envelope.rcpt_tos:
            self.message_ids.add(found[1])
            self.messages += 1
        return "250 2.0.0 Ok: queued"


def serve_smtp(pipe: Connection) -> None:
    asyncio.run(_serve_smtp(pipe))


async def _serve_smtp(pipe: Connection) -> None:
    handler = CountingSmtpHandler()

    def session() -> SMTP:
        handler.sessions += 1
        return SMTP(handler, hostname=MAIL_DOMAIN)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(session, HOST, 0)
    pipe.send(server.sockets[0].getsockname()[1])
    await loop.run_in_executor(None, pipe.recv)
    server.close()
    pipe.send(
        {
            "received": handler.messages,
            "distinct": len(handler.message_ids),
            "sessions": handler.sessions,
        }
    )


class FakeMessagesApi:
    """Twilio's Messages resource, as much of it as the provider uses."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.connections = 0
        self.lock = threading.Lock()
        credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        self.authorization = f"Basic {credentials}"
        self.path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def _messages_handler(api: FakeMessagesApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            with api.lock:
                api.connections += 1

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            key = self.headers.get("Idempotency-Key")
            if self.headers.get("Authorization") != api.authorization or self.path != api.path:
                self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            elif not ({"To", "Body", "From"} <= form.keys()) or key is None:
                self._answer(400, {"code": 21604, "message": "missing", "status": 400})
            else:
                with api.lock:
                    api.keys.add(key)
                sid = "SM" + secrets.token_hex(16)
                self._answer(201, {"sid": sid, "to": form["To"][0], "status": "queued"})

        def _answer(self, status: int, document: dict[str, object]) -> None:
            payload = json.dumps(document).encode()
            head = (
                f"HTTP/1.1 {status} {self.responses[status][0]}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\n\r\n"
            )
            # One write: headers and body in separate segments would meet delayed ACKs.
            self.wfile.write(head.encode() + payload)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


def serve_http(pipe: Connection) -> None:
    api = FakeMessagesApi()
    server = ThreadingHTTPServer((HOST, 0), _messages_handler(api))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    pipe.send(server.server_address[1])
    pipe.recv()
    server.shutdown()
    server.server_close()
    thread.join()
    pipe.send({"received": len(api.keys), "distinct": len(api.keys), "sessions": api.connections})


@contextmanager
def server_process(serve: Callable[[Connection], None]) -> Iterator[tuple[int, Connection]]:
    """The server's port and the pipe that stops it and answers what it received."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=serve, args=(theirs,), daemon=True)
    process.start()
    theirs.close()  # so a server that dies before answering ends `recv` with EOFError
    try:
        yield int(ours.recv()), ours
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()


def stop_server(pipe: Connection) -> dict[str, int]:
    pipe.send("stop")
    received: dict[str, int] = pipe.recv()
    return received


# --- the application side ----------------------------------------------------------------------


def customer_lines(count: int) -> list[str]:
    """US customers with a mobile number and an email address at the local SMTP server."""
    return [
        json.dumps(
            {
                "external_ref": f"D{number:08d}",
                "name": f"Jane Doe {number}",
                "locale": "en-US",
                "jurisdiction": "US",
                "locations": [{"timezone": "America/New_York", "source": "address"}],
                "contact_points": [
                    {
                        "channel": "sms",
                        "address": f"+1646{2_000_000 + number:07d}",
                        "source": "customer_provided",
                    },
                    {"channel": "email", "address": f"c{number}@{MAIL_DOMAIN}", "source": "app"},
                ],
            }
        )
        for number in range(count)
    ]


@contextmanager
def database(backend: str, postgres_server: str) -> Iterator[str]:
    """A fresh database of `backend`, as bench/storage.py makes them."""
    if backend == "sqlite":
        with sqlite_database() as url:
            yield url
        return
    with postgres_database(postgres_server) as url:
        yield url


def prepared_application(url: str, count: int, step: int) -> tuple[Application, list[Case]]:
    """A migrated database with `count` customers and one open case each, at `step` (untimed)."""
    engine = build_engine(url)
    migrate.upgrade(engine)
    app = assemble(Settings(), engine, InMemoryKeyProvider.generate(), SimulatedClock(START))
    report = import_customers(validate_import(customer_lines(count)), app.unit_of_work(), app.clock)
    assert report.created == count, report  # noqa: S101 - a benchmark of a failed import lies
    refs = [f"D{number:08d}" for number in range(count)]
    known: dict[str, str] = {}
    with app.unit_of_work() as uow:
        for start in range(0, count, 1000):  # within every backend's limit of bound parameters
            known |= uow.customers.existing_refs(refs[start : start + 1000])
    ids = [known[ref] for ref in refs]
    cases = [
        Case(
            id=random_id(),
            customer_id=customer_id,
            purpose=PURPOSE,
            plan=PURPOSE.value,
            priority=Priority.NORMAL,
            opened_at=START,
            deadline=START + timedelta(days=7),
            step_index=step,
        )
        for customer_id in ids
    ]
    with app.unit_of_work() as uow:
        uow.cases.add_many(cases)
        uow.commit()
    return app, cases


@dataclass
class TimedGateway:
    """The provider, with the time spent in `send` and when the first and last send happened."""

    provider: ChannelProvider[Any]
    seconds: float = 0.0
    first: float | None = None
    last: float = 0.0
    statuses: dict[DeliveryStatus, int] = field(default_factory=dict)

    def first_send(self, default: float) -> float:
        return default if self.first is None else self.first

    def send(self, message: OutboundMessage) -> DeliveryResult:
        return self._timed(lambda: [self.provider.send(message)])[0]

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        return self._timed(lambda: self.provider.send_many(messages))

    def _timed(self, send: Callable[[], list[DeliveryResult]]) -> list[DeliveryResult]:
        began = time.perf_counter()
        if self.first is None:
            self.first = began
        results = send()
        self.last = time.perf_counter()
        self.seconds += self.last - began
        for result in results:
            self.statuses[result.status] = self.statuses.get(result.status, 0) + 1
        return results


def provider_for(profile: str, port: int, concurrency: int | None) -> ChannelProvider[Any]:
    chosen = {} if concurrency is None else {"concurrency": concurrency}
    if profile == "smtp":
        return SmtpProvider(
            SmtpSettings(
                host=HOST, port=port, security="none", from_address=SENDER, timeout=10, **chosen
            )
        )
    return TwilioProvider(
        TwilioSettings(
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            base_url=f"http://{HOST}:{port}/2010-04-01",
            sms_from="+15005550006",
            requests_per_second=100_000,
            burst=100,
            **chosen,
        )
    )


def run_pass(
    app: Application,
    cases: list[Case],
    gateway: TimedGateway,
    *,
    batch: int,
    redecide: bool,
) -> dict[str, float]:
    with app.unit_of_work() as uow:
        customers = {case.customer_id: uow.customers.get(case.customer_id) for case in cases}
    worker = CaseWorker(unit_of_work=app.unit_of_work, clock=app.clock, gateway=gateway)
    policy_for = policy_for_jurisdiction
    plan = worker.plans.for_purpose(PURPOSE)
    phases = dict.fromkeys(PHASES, 0.0)
    sent = 0
    started = time.perf_counter()
    for start in range(0, len(cases), batch):
        mark = time.perf_counter()
        now = app.clock.now()
        decided = []
        for case in cases[start : start + batch]:
            customer = customers[case.customer_id]
            step = plan.step(case.step_index)
            assert step is not None  # noqa: S101
            point = customer.addressable_points(step.channel)[0]
            request = ContactRequest(step.channel, point.id, case.purpose, debt_id=case.debt_id)
            decision = policy_for(customer.jurisdiction).evaluate(
                customer_facts(customer, ()), request, now
            )
            decided.append(DecidedAttempt(case, customer, point.id, decision))
        mark = _lap(phases, "decide", mark)
        recorded = record_attempts(decided, app.unit_of_work(), app.clock)
        assert recorded.blocked == 0, recorded.blocked  # noqa: S101 - every message must go out
        mark = _lap(phases, "record", mark)
        messages = [message_for(item, customers[item.customer_id]) for item in recorded.attempts]
        mark = _lap(phases, "render", mark)
        gateway.first, sending = None, gateway.seconds
        worker.dispatch_many(messages, decided_at=None if redecide else app.clock.now())
        finished = time.perf_counter()
        first = gateway.first_send(finished)
        phases["clearance"] += first - mark
        phases["send"] += gateway.seconds - sending
        phases["record_results"] += finished - gateway.last
        sent += len(messages)
    seconds = time.perf_counter() - started
    return {"messages": sent, "seconds": seconds} | phases


def _lap(phases: dict[str, float], phase: str, mark: float) -> float:
    now = time.perf_counter()
    phases[phase] += now - mark
    return now


def run_profile(
    profile: str, options: argparse.Namespace, redecide: bool, profiled: bool
) -> dict[str, float | int]:
    serve = serve_smtp if profile == "smtp" else serve_http
    channel = Channel.EMAIL if profile == "smtp" else Channel.SMS
    with (
        database(options.backend, options.postgres_url) as url,
        server_process(serve) as (port, pipe),
    ):
        app, cases = prepared_application(url, options.messages, STEP[profile])
        try:
            with provider_for(profile, port, options.concurrency) as provider:
                assert provider.capabilities.limits_for(channel) is not None  # noqa: S101
                gateway = TimedGateway(provider)
                profiler = cProfile.Profile() if profiled else None
                if profiler is not None:
                    profiler.enable()
                figures = run_pass(app, cases, gateway, batch=options.batch, redecide=redecide)
                if profiler is not None:
                    profiler.disable()
                    stats = pstats.Stats(profiler, stream=sys.stderr)
                    stats.sort_stats("tottime").print_stats(30)
                    stats.sort_stats("cumulative").print_stats(50)
        finally:
            app.close()
        received = stop_server(pipe)
    accepted = gateway.statuses.get(DeliveryStatus.ACCEPTED, 0)
    # A benchmark whose messages did not arrive measures nothing.
    assert accepted == figures["messages"] == options.messages, gateway.statuses  # noqa: S101
    assert received["received"] == received["distinct"] == accepted, received  # noqa: S101
    return figures | {"connections": received["sessions"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500, help="messages per transaction")
    parser.add_argument("--profiles", choices=["smtp", "http", "both"], default="both")
    parser.add_argument("--clearance", choices=["redecide", "same_instant", "both"], default="both")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_SERVER)
    parser.add_argument("--profile", choices=["smtp", "http"], help="cProfile that run (stderr)")
    parser.add_argument(
        "--concurrency", type=int, help="requests in flight per provider (its default if unset)"
    )
    options = parser.parse_args()
    tune_for_workload()  # as `rightparty worker` and `rightparty demo` run
    profiles = ["smtp", "http"] if options.profiles == "both" else [options.profiles]
    modes = ["redecide", "same_instant"] if options.clearance == "both" else [options.clearance]
    figures: dict[str, object] = {
        "messages": options.messages,
        "batch": options.batch,
        "backend": options.backend,
        "concurrency": options.concurrency,
        "python": platform.python_version(),
    }
    for profile in profiles:
        for number, mode in enumerate(modes):
            profiled = options.profile == profile and number == 0
            result = run_profile(profile, options, mode == "redecide", profiled)
            prefix = profile if mode == "redecide" else f"{profile}_same_instant"
            figures[f"{prefix}_messages_per_s"] = round(result["messages"] / result["seconds"])
            figures[f"{prefix}_seconds"] = round(result["seconds"], 2)
            figures[f"{prefix}_connections"] = result["connections"]
            for phase in PHASES:
                figures[f"{prefix}_{phase}_seconds"] = round(result[phase], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
