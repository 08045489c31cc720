# SPDX-License-Identifier: Apache-2.0
"""A worker process for crash tests: the durable runtime of `rightparty worker`, with a clock that
runs `speed` times faster than real time on a timeline every restart shares, and the durable
sandbox. `--kill-after-sends N` SIGKILLs the process right after its N-th provider send returns,
before dispatch commits "sent": the window a crash can hit. `--no-dedup` sends through a sandbox
that, like SMTP, does not recognise a key it was given before another process's crash.

    python -m tests.integration.runtime.driver --db URL --keyring PATH --ledger PATH \
        --start ISO --epoch SECONDS --speed X [--kill-after-sends N] [--no-dedup]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType

from rightparty.bootstrap import bootstrap
from rightparty.channels.base import Resilience
from rightparty.channels.providers.sandbox import SandboxProvider, SandboxSettings
from rightparty.channels.resilience import ClockTimer
from rightparty.config import DatabaseSettings, KeySettings, Settings
from rightparty.domain.messages import DeliveryResult, OutboundMessage
from rightparty.domain.vocabulary import Channel
from rightparty.runtime.durable import DurableOptions, DurableRuntime
from rightparty.usecases.ports import ChannelGateway
from tests.integration.runtime.ledger import DeduplicatingSandbox, DurableLedger

POLL = 0.05


@dataclass(frozen=True)
class ScaledClock:
    """`start` at real time `epoch`, then `speed` clock seconds per real second."""

    start: datetime
    epoch: float
    speed: float

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.epoch) * self.speed)


class KillAfterSends:
    def __init__(self, inner: ChannelGateway, sends: int) -> None:
        self._inner = inner
        self._left = sends
        self._lock = threading.Lock()

    def send(self, message: OutboundMessage) -> DeliveryResult:
        result = self._inner.send(message)
        with self._lock:
            self._left -= 1
            if self._left == 0:
                os.kill(os.getpid(), signal.SIGKILL)
        return result


@dataclass(frozen=True)
class DeclaredDeduplication:
    """The gateway as the worker sees it: whether its provider honours keys across restarts."""

    inner: ChannelGateway
    honours_keys: bool

    def send(self, message: OutboundMessage) -> DeliveryResult:
        return self.inner.send(message)

    def deduplicates(self, channel: Channel) -> bool:
        del channel
        return self.honours_keys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--keyring", type=Path, required=True)
    parser.add_argument("--ledger", type=Path, required=True)
    parser.add_argument("--start", type=datetime.fromisoformat, required=True)
    parser.add_argument("--epoch", type=float, required=True)
    parser.add_argument("--speed", type=float, required=True)
    parser.add_argument("--kill-after-sends", type=int, default=0)
    parser.add_argument("--no-dedup", action="store_true")
    args = parser.parse_args()
    clock = ScaledClock(args.start, args.epoch, args.speed)
    settings = Settings(
        database=DatabaseSettings(url=args.db), keys=KeySettings(keyring=args.keyring)
    )
    app = bootstrap(settings, clock=clock)
    resilience = Resilience(timer=ClockTimer(clock), throttle=False)
    kind = SandboxProvider if args.no_dedup else DeduplicatingSandbox
    sandbox = kind(SandboxSettings(), resilience=resilience, ledger=DurableLedger(args.ledger))
    gateway: ChannelGateway = sandbox
    if args.kill_after_sends:
        gateway = KillAfterSends(sandbox, args.kill_after_sends)
    gateway = DeclaredDeduplication(gateway, honours_keys=not args.no_dedup)
    options = DurableOptions(poll_interval=POLL, speed=args.speed, log_level="ERROR")
    runtime = DurableRuntime(app, gateway, options)
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    try:
        runtime.run(stop)
    finally:
        app.close()


if __name__ == "__main__":
    main()
