# SPDX-License-Identifier: Apache-2.0
"""Cases sent through providers built from a channels file: email to a real SMTP server
(aiosmtpd), SMS to a Twilio-compatible HTTP server, both on loopback, failing over to the
secondary when the primary is down, through `CaseWorker` and the simulated runtime."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from rightparty.bootstrap import ChannelRouter, configured_gateway
from rightparty.channels.base import Resilience
from rightparty.channels.resilience import ClockTimer
from rightparty.config import ChannelSettings, Settings
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.runtime.simulation import SimulatedRuntime
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from tests.builders import AFTERNOON_IN_NEW_YORK, a_us_customer, a_us_point
from tests.integration.channels.smtp_server import SmtpServer, free_port, running_smtp_server
from tests.integration.channels.twilio_server import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FakeTwilio,
    running_fake_twilio,
)

pytestmark = pytest.mark.integration

EMAIL = "zoe.washington@customer.example"
MOBILE = "+12125550100"


@pytest.fixture
def relay() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with running_fake_twilio() as api:
        yield api


def smtp(port: int) -> dict[str, Any]:
    return {
        "kind": "smtp",
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from_address": "alerts@bank.example",
        "timeout": 5,
    }


def twilio_at(base_url: str) -> dict[str, Any]:
    # The auth token comes from the environment override, as an operator would give it.
    return {
        "kind": "twilio",
        "account_sid": ACCOUNT_SID,
        "base_url": base_url,
        "sms_from": "+15005550006",
    }


def write_channels_file(
    tmp_path: Path, routes: dict[str, list[str]], providers: dict[str, dict[str, Any]]
) -> Path:
    lines = ["[channels]"]
    lines += [f"{channel} = {names!r}".replace("'", '"') for channel, names in routes.items()]
    for name, fields in providers.items():
        lines.append(f"\n[providers.{name}]")
        for field, value in fields.items():
            shown = f'"{value}"' if isinstance(value, str) else str(value)
            lines.append(f"{field} = {shown}")
    path = tmp_path / "rightparty.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def run(app, clock, tmp_path, monkeypatch):
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    routers: list[ChannelRouter] = []

    def go(customer, purpose, routes, providers):
        for name, fields in providers.items():
            if fields["kind"] == "twilio":
                variable = f"RIGHTPARTY_PROVIDERS__{name.upper().replace('-', '_')}__AUTH_TOKEN"
                monkeypatch.setenv(variable, AUTH_TOKEN)
        channels = ChannelSettings(file=write_channels_file(tmp_path, routes, providers))
        # Retries cost no real time: the timer follows the simulated clock.
        resilience = Resilience(timer=ClockTimer(clock), throttle=False)
        router = configured_gateway(Settings(channels=channels), clock, resilience=resilience)
        routers.append(router)
        runtime = SimulatedRuntime(app.unit_of_work, app.case_worker(router), clock)
        with app.unit_of_work() as uow:
            uow.customers.add(customer)
            uow.commit()
        open_case(OpenCase(customer.id, purpose, "staff:test"), app.unit_of_work(), clock)
        runtime.run_until(clock.now() + timedelta(minutes=5))
        with app.unit_of_work() as uow:
            return uow.attempts.for_customer(customer.id)

    yield go
    for router in routers:
        router.close()


def test_an_email_reaches_the_smtp_relay_the_file_names(run, relay):
    customer = a_us_customer("c1", a_us_point("e1", Channel.EMAIL, EMAIL))
    attempts = run(
        customer,
        Purpose.PAYMENT_REMINDER,
        {"email": ["smtp-primary"]},
        {"smtp-primary": smtp(relay.port)},
    )
    (attempt,) = attempts
    assert attempt.provider == "smtp-primary"
    (mail,) = relay.handler.received
    assert mail.rcpt_tos == (EMAIL,)
    assert mail.message["Message-ID"] == attempt.provider_message_id


def test_an_sms_reaches_the_twilio_api_the_file_names(run, twilio):
    customer = a_us_customer("c2", a_us_point("m1", Channel.SMS, MOBILE))
    attempts = run(
        customer,
        Purpose.SECURITY_ALERT,
        {"sms": ["twilio-primary"]},
        {"twilio-primary": twilio_at(twilio.base_url)},
    )
    sms = [attempt for attempt in attempts if attempt.channel is Channel.SMS]
    assert sms[0].provider == "twilio-primary"
    (request,) = [r for r in twilio.requests if r.path.endswith("/Messages.json")]
    assert request.one("To") == MOBILE
    assert request.status == 201
    assert request.idempotency_key == sms[0].idempotency_key


def test_email_and_sms_fail_over_to_the_secondary_when_the_primary_is_down(run, relay, twilio):
    dead_port = free_port()
    routes = {"email": ["smtp-primary", "smtp-backup"], "sms": ["twilio-primary", "twilio-backup"]}
    providers = {
        "smtp-primary": smtp(dead_port),
        "smtp-backup": smtp(relay.port),
        "twilio-primary": twilio_at(f"http://127.0.0.1:{dead_port}/2010-04-01"),
        "twilio-backup": twilio_at(twilio.base_url),
    }
    by_email = a_us_customer("c3", a_us_point("e1", Channel.EMAIL, EMAIL))
    (email,) = run(by_email, Purpose.PAYMENT_REMINDER, routes, providers)
    by_sms = a_us_customer("c4", a_us_point("m1", Channel.SMS, MOBILE))
    (sms,) = run(by_sms, Purpose.SECURITY_ALERT, routes, providers)
    assert (email.provider, sms.provider) == ("smtp-backup", "twilio-backup")
    assert [mail.rcpt_tos for mail in relay.handler.received] == [(EMAIL,)]
    assert [request.one("To") for request in twilio.requests] == [MOBILE]


def test_a_channel_without_provider_is_skipped_and_the_next_step_reaches_the_customer(run, twilio):
    """Security alerts go push first; with no push provider the step is skipped (no attempt
    bound to fail, no strike against the customer's push point) and the text reaches them."""
    customer = a_us_customer(
        "c5",
        a_us_point("p1", Channel.PUSH, "sandbox:delivered"),
        a_us_point("m1", Channel.SMS, MOBILE),
    )
    attempts = run(
        customer,
        Purpose.SECURITY_ALERT,
        {"sms": ["twilio-primary"]},
        {"twilio-primary": twilio_at(twilio.base_url)},
    )
    assert [attempt.channel for attempt in attempts] == [Channel.SMS]
    assert [request.one("To") for request in twilio.requests] == [MOBILE]
