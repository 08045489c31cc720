# SPDX-License-Identifier: Apache-2.0
"""`rightparty worker` as an operator runs it: it follows due cases with the system clock and the
sandbox channels, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rightparty.bootstrap import bootstrap, initialise
from rightparty.config import DatabaseSettings, KeySettings, Settings
from rightparty.domain.case import CaseStatus
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
from tests.integration.runtime.conftest import ROOT, _env

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'rightparty.db'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


def test_the_worker_reaches_a_customer_and_stops_on_sigterm(
    database_url: str, tmp_path: Path
) -> None:
    keyring = tmp_path / "var" / "keyring.json"
    settings = Settings(
        database=DatabaseSettings(url=database_url), keys=KeySettings(keyring=keyring)
    )
    initialise(settings)
    app = bootstrap(settings)
    try:
        now = datetime.now(UTC)
        point = ContactPoint(
            id="p1",
            channel=Channel.PUSH,
            address="sandbox:delivered",
            kind=ContactPointKind.MOBILE,
            source=ContactSource.CUSTOMER_PROVIDED,
            status=ContactPointStatus.VALID,
        )
        with app.unit_of_work() as uow:
            uow.customers.add(
                Customer(
                    id="c1",
                    external_ref="R-c1",
                    name="Zoë Washington",
                    locale="en-US",
                    jurisdiction="US",
                    locations=[Location("America/New_York", "address")],
                    contact_points=[point],
                    created_at=now,
                    updated_at=now,
                )
            )
            uow.commit()
        case_id = open_case(
            OpenCase("c1", Purpose.SECURITY_ALERT, "staff:test"), app.unit_of_work(), app.clock
        )
        env = _env() | {"RIGHTPARTY_KEYRING": str(keyring)}
        command = [sys.executable, "-m", "rightparty", "worker", "--db", database_url]
        command += ["--poll-interval", "0.05", "--sandbox"]
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                with app.unit_of_work() as uow:
                    case = uow.cases.get(case_id)
                if case.status.closed or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            worker.send_signal(signal.SIGTERM)
            output, _ = worker.communicate(timeout=15)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.communicate(timeout=10)
        assert case.status is CaseStatus.REACHED
        assert worker.returncode == 0
        assert "running" in output
        assert "stopped" in output
        assert app.verify_audit_log().checkpoints_verified >= 1
    finally:
        app.close()


def test_a_worker_without_providers_refuses_to_start_rather_than_pretend_to_send(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "rightparty", "worker", "--db", f"sqlite:///{tmp_path}/x.db"],
        cwd=ROOT,
        env=_env() | {"RIGHTPARTY_KEYRING": str(tmp_path / "keyring.json")},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--sandbox" in result.stderr
    assert "Traceback" not in result.stderr
