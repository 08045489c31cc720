# SPDX-License-Identifier: Apache-2.0
"""`rightparty worker --channels FILE` as an operator runs it: a real process, a real SMTP relay
on loopback, the relay's password given in the environment rather than in the file."""

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
from rightparty.domain.customer import Customer, Location
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from tests.builders import a_us_point
from tests.integration.channels.smtp_server import running_smtp_server
from tests.integration.runtime.conftest import ROOT, _env

pytestmark = pytest.mark.integration

EMAIL = "zoe.washington@customer.example"


def midday_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon now, so quiet hours never hold the email."""
    offset = 12 - now.hour
    offset = offset - 24 if offset > 12 else offset
    # POSIX sign: Etc/GMT-3 is three hours ahead of UTC.
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/UTC"


def test_the_worker_sends_through_the_providers_of_its_channels_file(tmp_path: Path) -> None:
    keyring = tmp_path / "var" / "keyring.json"
    database_url = f"sqlite:///{tmp_path / 'var' / 'rightparty.db'}"
    settings = Settings(
        database=DatabaseSettings(url=database_url), keys=KeySettings(keyring=keyring)
    )
    initialise(settings)
    app = bootstrap(settings)
    with running_smtp_server() as relay:
        channels_file = tmp_path / "rightparty.toml"
        channels_file.write_text(
            "[channels]\n"
            'email = ["relay"]\n\n'
            "[providers.relay]\n"
            'kind = "smtp"\n'
            'host = "127.0.0.1"\n'
            f"port = {relay.port}\n"
            'security = "none"\n'
            'from_address = "alerts@bank.example"\n',
            encoding="utf-8",
        )
        try:
            now = datetime.now(UTC)
            with app.unit_of_work() as uow:
                uow.customers.add(
                    Customer(
                        id="c1",
                        external_ref="R-c1",
                        name="Zoë Washington",
                        locale="en-US",
                        jurisdiction="US",
                        locations=[Location(midday_zone(now), "address")],
                        contact_points=[a_us_point("e1", Channel.EMAIL, EMAIL)],
                        created_at=now,
                        updated_at=now,
                    )
                )
                uow.commit()
            open_case(
                OpenCase("c1", Purpose.PAYMENT_REMINDER, "staff:test"),
                app.unit_of_work(),
                app.clock,
            )
            env = _env() | {
                "RIGHTPARTY_KEYRING": str(keyring),
                "RIGHTPARTY_CHANNELS_FILE": str(channels_file),
            }
            command = [sys.executable, "-m", "rightparty", "worker", "--db", database_url]
            command += ["--poll-interval", "0.05"]
            worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
            )
            try:
                deadline = time.monotonic() + 30
                while not relay.handler.received and time.monotonic() < deadline:
                    time.sleep(0.1)
                worker.send_signal(signal.SIGTERM)
                output, _ = worker.communicate(timeout=15)
            finally:
                if worker.poll() is None:
                    worker.kill()
                    worker.communicate(timeout=10)
            (mail,) = relay.handler.received
            assert mail.rcpt_tos == (EMAIL,)
            assert worker.returncode == 0
            assert "stopped" in output
            with app.unit_of_work() as uow:
                (attempt,) = uow.attempts.for_customer("c1")
            assert attempt.provider == "relay"
        finally:
            app.close()


def test_a_bad_provider_setting_stops_the_worker_naming_provider_and_field(tmp_path: Path) -> None:
    channels_file = tmp_path / "rightparty.toml"
    channels_file.write_text(
        '[channels]\nsms = ["twilio"]\n\n[providers.twilio]\nkind = "twilio"\n'
        'account_sid = "AC1"\nsms_from = "+15005550006"\nring_timeout = 1\n',
        encoding="utf-8",
    )
    secret = "tok-3c9a-never-printed"
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "rightparty", "worker", "--db", f"sqlite:///{tmp_path}/x.db"],
        cwd=ROOT,
        env=_env()
        | {
            "RIGHTPARTY_KEYRING": str(tmp_path / "keyring.json"),
            "RIGHTPARTY_CHANNELS_FILE": str(channels_file),
            "RIGHTPARTY_PROVIDERS__TWILIO__AUTH_TOKEN": secret,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    # The keyring does not exist: the configuration is checked before anything is opened.
    assert result.returncode != 0
    assert "provider 'twilio' (twilio)" in result.stderr
    assert "ring_timeout" in result.stderr
    assert secret not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
