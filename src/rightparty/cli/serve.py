# SPDX-License-Identifier: Apache-2.0
"""`rightparty serve`: the HTTP API (provider webhooks) under uvicorn until SIGTERM or Ctrl-C."""

from __future__ import annotations

from typing import Annotated

import typer

from rightparty.cli.context import DbOption, application, settings_for
from rightparty.usecases.cycle_collector import tune_for_workload


def serve(
    *,
    db: DbOption = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; a proxy in front terminates TLS.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the API: Twilio status callbacks and inbound SMS (opt-out keywords, HELP)."""
    # Imported here: uvicorn and FastAPI are only needed by this command.
    import uvicorn  # noqa: PLC0415

    from rightparty.api import create_app  # noqa: PLC0415

    tune_for_workload()
    settings = settings_for(db)
    with application(db) as app:
        uvicorn.run(
            create_app(app, settings),
            host=host,
            port=port,
            log_level=log_level.lower(),
            # Requests reach us through a proxy whose own address is all uvicorn would see;
            # signatures are checked against the configured public URL, not forwarded headers.
            proxy_headers=False,
        )
