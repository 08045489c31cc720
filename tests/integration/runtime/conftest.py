# SPDX-License-Identifier: Apache-2.0
"""A bank on disk for worker processes: a keyring, a migrated database on either backend, US
customers with sandbox addresses, and their open cases."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rightparty.bootstrap import Application, bootstrap, initialise
from rightparty.config import DatabaseSettings, KeySettings, Settings
from rightparty.domain.contact_point import ContactPoint
from rightparty.domain.customer import Customer, Location
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactPointStatus,
    ContactSource,
    Purpose,
)
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from tests.integration.runtime.driver import ScaledClock

ROOT = Path(__file__).resolve().parents[3]
# 07:50 in New York: calls and texts wait for 08:00, a durable sleep of ten clock minutes.
START = datetime(2026, 3, 2, 12, 50, tzinfo=UTC)
SPEED = 600.0  # ten clock minutes per real second
PHONE = "+1212555010{}"
MAIL = "{}@sandbox.rightparty.test"


def _point(point_id: str, channel: Channel, address: str) -> ContactPoint:
    return ContactPoint(
        id=point_id,
        channel=channel,
        address=address,
        kind=ContactPointKind.MOBILE,
        source=ContactSource.CUSTOMER_PROVIDED,
        status=ContactPointStatus.VALID,
        time_zones=("America/New_York",) if channel in (Channel.SMS, Channel.VOICE) else (),
    )


# customer: (points, purposes); a point is (channel, address)
BANK: dict[str, tuple[list[tuple[Channel, str]], list[Purpose]]] = {
    "c01": ([(Channel.EMAIL, MAIL.format("delivered"))], [Purpose.PAYMENT_REMINDER]),
    "c02": (
        [(Channel.EMAIL, MAIL.format("bounced_hard")), (Channel.SMS, PHONE.format(0))],
        [Purpose.PAYMENT_REMINDER],
    ),
    "c03": ([(Channel.PUSH, "sandbox:delivered")], [Purpose.SECURITY_ALERT]),
    "c04": (
        [(Channel.PUSH, "sandbox:undelivered"), (Channel.SMS, PHONE.format(0))],
        [Purpose.SECURITY_ALERT],
    ),
    "c05": (
        [(Channel.EMAIL, MAIL.format("delivered")), (Channel.PUSH, "sandbox:delivered")],
        [Purpose.PAYMENT_REMINDER, Purpose.SECURITY_ALERT, Purpose.SERVICE_NOTICE],
    ),
    "c06": ([(Channel.EMAIL, MAIL.format("opted_out"))], [Purpose.SERVICE_NOTICE]),
    "c07": (
        [(Channel.SMS, PHONE.format(4)), (Channel.EMAIL, MAIL.format("delivered"))],
        [Purpose.INFO_UPDATE],
    ),
    "c08": (
        [(Channel.SMS, PHONE.format(1)), (Channel.EMAIL, MAIL.format("delivered+b"))],
        [Purpose.INFO_UPDATE],
    ),
    "c09": ([(Channel.VOICE, PHONE.format(0))], [Purpose.COLLECTIONS]),
    "c10": (
        [
            (Channel.EMAIL, MAIL.format("bounced_hard")),
            (Channel.SMS, PHONE.format(3)),
            (Channel.VOICE, PHONE.format(7)),
        ],
        [Purpose.PAYMENT_REMINDER],
    ),
    "c11": (
        [(Channel.PUSH, "sandbox:delivered"), (Channel.EMAIL, MAIL.format("delivered"))],
        [Purpose.TRANSACTION_ALERT],
    ),
    "c12": (
        [(Channel.EMAIL, MAIL.format("undelivered")), (Channel.PUSH, "sandbox:read")],
        [Purpose.SERVICE_NOTICE],
    ),
}


@dataclass
class Bank:
    """A seeded bank and how to start worker processes on it."""

    url: str
    keyring: Path
    ledger: Path
    epoch: float
    app: Application
    processes: list[subprocess.Popen[str]] = field(default_factory=list)
    spawned_ms: list[int] = field(default_factory=list)
    """When each worker process started; they run one after another, never together."""

    @property
    def clock(self) -> ScaledClock:
        return ScaledClock(START, self.epoch, SPEED)

    def spawn(self, *extra: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "tests.integration.runtime.driver", "--db", self.url]
        command += ["--keyring", str(self.keyring), "--ledger", str(self.ledger)]
        command += ["--start", START.isoformat(), "--epoch", str(self.epoch)]
        command += ["--speed", str(SPEED), *extra]
        self.spawned_ms.append(int(time.time() * 1000))
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, text=True
        )
        self.processes.append(process)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        return process


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTPARTY_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(params=["sqlite", "postgresql"])
def bank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bank]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'rightparty.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    settings = Settings(
        database=DatabaseSettings(url=url), keys=KeySettings(keyring=tmp_path / "keyring.json")
    )
    initialise(settings)
    epoch = time.time()
    app = bootstrap(settings, clock=ScaledClock(START, epoch, SPEED))
    seeded = Bank(url, settings.keys.keyring, tmp_path / "ledger.sqlite", epoch, app)
    try:
        _seed(seeded)
        yield seeded
    finally:
        for process in seeded.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()
        app.close()


def _seed(bank: Bank) -> None:
    clock = bank.clock
    with bank.app.unit_of_work() as uow:
        for customer_id, (points, _) in BANK.items():
            uow.customers.add(
                Customer(
                    id=customer_id,
                    external_ref=f"R-{customer_id}",
                    name="Zoë Washington",
                    locale="en-US",
                    jurisdiction="US",
                    locations=[Location("America/New_York", "address")],
                    contact_points=[
                        _point(f"{customer_id}-{n}", channel, address)
                        for n, (channel, address) in enumerate(points)
                    ],
                    created_at=START,
                    updated_at=START,
                )
            )
        uow.commit()
    for customer_id, (_, purposes) in BANK.items():
        for purpose in purposes:
            debt = "d1" if purpose is Purpose.COLLECTIONS else None
            command = OpenCase(customer_id, purpose, "staff:test", debt_id=debt)
            open_case(command, bank.app.unit_of_work(), clock)
