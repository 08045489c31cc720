# SPDX-License-Identifier: Apache-2.0
"""`rightparty worker`: run due cases as durable workflows until SIGTERM or SIGINT."""

from __future__ import annotations

import signal
import socket
import threading
from types import FrameType
from typing import Annotated

import typer

from rightparty.bootstrap import sandbox_gateway
from rightparty.cli.context import DbOption, application, fail


def worker(
    *,
    db: DbOption = None,
    executor_id: Annotated[
        str,
        typer.Option(
            help="This worker's name among those sharing a PostgreSQL database: unique per "
            "worker and the same across its restarts, so a restarted worker resumes its own "
            "interrupted workflows. `host` uses the host name.",
        ),
    ] = "local",
    poll_interval: Annotated[
        float, typer.Option(min=0.01, help="Seconds between looks for due cases and queued work.")
    ] = 1.0,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Case steps this worker runs at once.")
    ] = 8,
    log_level: Annotated[str, typer.Option(help="DBOS log level.")] = "WARNING",
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            help="Send through the sandbox provider (nothing reaches anyone). Required until "
            "real providers are configured for workers.",
        ),
    ] = False,
) -> None:
    """Run due case steps as durable workflows (DBOS Transact) through the sandbox channels,
    until SIGTERM or SIGINT; a killed worker loses nothing and resumes where it stopped."""
    # Imported here: DBOS takes a third of a second to import, which no other command should pay.
    from rightparty.runtime.durable import DurableOptions, DurableRuntime  # noqa: PLC0415

    if not sandbox:
        # A worker that silently "sent" through the sandbox against a bank's database would mark
        # alerts reached that nobody received.
        fail(
            "no channel providers are configured for workers yet; pass --sandbox to run "
            "against the sandbox, which sends nothing to anyone"
        )
    if executor_id == "host":
        executor_id = socket.gethostname()
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        options = DurableOptions(
            executor_id=executor_id,
            poll_interval=poll_interval,
            step_concurrency=concurrency,
            log_level=log_level.upper(),
        )
        with application(db) as app:
            runtime = DurableRuntime(app, sandbox_gateway(app.clock), options)
            typer.echo(f"rightparty worker {executor_id}: running; SIGTERM or Ctrl-C stops it")
            try:
                runtime.run(stop)
            except ValueError as error:
                fail(str(error))
            typer.echo(f"rightparty worker {executor_id}: stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
