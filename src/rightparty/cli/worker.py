# SPDX-License-Identifier: Apache-2.0
"""`rightparty worker`: run due cases as durable workflows until SIGTERM or SIGINT, sending
through the providers of the channels file (or, with `--sandbox`, through none)."""

from __future__ import annotations

import signal
import socket
import threading
from types import FrameType
from typing import Annotated

import typer

from rightparty.bootstrap import (
    ChannelConfigurationError,
    ChannelRouter,
    configured_gateway,
    sandbox_gateway,
)
from rightparty.cli.channels import ChannelsFileOption, configured_settings
from rightparty.cli.context import DbOption, application, fail
from rightparty.config import Settings
from rightparty.domain.clock import SystemClock
from rightparty.usecases.cycle_collector import tune_for_workload
from rightparty.usecases.ports import ChannelGateway


def worker(
    *,
    db: DbOption = None,
    channels: ChannelsFileOption = None,
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
            help="Send through the sandbox provider (nothing reaches anyone) instead of the "
            "providers of the channels file.",
        ),
    ] = False,
) -> None:
    """Run due case steps as durable workflows (DBOS Transact) through the configured channel
    providers, until SIGTERM or SIGINT; a killed worker loses nothing and resumes where it
    stopped."""
    # Imported here: DBOS takes a third of a second to import, which no other command should pay.
    from rightparty.runtime.durable import DurableOptions, DurableRuntime  # noqa: PLC0415

    tune_for_workload()
    settings = configured_settings(db, channels)
    # Built before the database is opened, so a bad provider setting is the first thing said.
    router = None if sandbox else _configured_router(settings)
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
            gateway: ChannelGateway = router if router is not None else sandbox_gateway(app.clock)
            runtime = DurableRuntime(app, gateway, options)
            typer.echo(f"rightparty worker {executor_id}: running; SIGTERM or Ctrl-C stops it")
            try:
                runtime.run(stop)
            except ValueError as error:
                fail(str(error))
            typer.echo(f"rightparty worker {executor_id}: stopped")
    finally:
        if router is not None:
            router.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _configured_router(settings: Settings) -> ChannelRouter:
    if not settings.channels.configured:
        # Never fall back to the sandbox: a worker that silently "sent" through it against a
        # bank's database would mark alerts reached that nobody received.
        fail(
            "no channel provider is configured: name a channels file with --channels or "
            "RIGHTPARTY_CHANNELS_FILE (docs/channels.md, Configuring providers), or pass "
            "--sandbox to run against the sandbox, which sends nothing to anyone"
        )
    try:
        router = configured_gateway(settings, SystemClock())
    except ChannelConfigurationError as error:
        fail(f"{error} (see `rightparty channels check`)")
    return router
