# SPDX-License-Identifier: Apache-2.0
"""The composition root: the one place that wires adapters to use cases.

Only entry points (cli, api, console, runtime) and tests import it. Nothing here runs at import
time; `bootstrap(settings)` builds the graph when it is called.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from rightparty.config import Settings
from rightparty.db.engine import build_engine
from rightparty.domain.clock import Clock, SystemClock


@dataclass(frozen=True)
class Application:
    """The running system's parts, built once per process."""

    settings: Settings
    clock: Clock
    engine: Engine

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()


def bootstrap(settings: Settings, *, clock: Clock | None = None) -> Application:
    """Build the object graph from `settings`; tests pass a simulated `clock`."""
    engine = build_engine(settings.database.url, echo=settings.database.echo)
    return Application(settings=settings, clock=clock or SystemClock(), engine=engine)
