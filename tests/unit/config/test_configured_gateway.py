# SPDX-License-Identifier: Apache-2.0
"""`configured_gateway` and `check_channels`: providers built from the channel settings through
the registry, routed by channel, failing over in order; no connection is made."""

from __future__ import annotations

from typing import Any

import pytest

from rightparty.bootstrap import (
    UNCONFIGURED_PROVIDER,
    ChannelConfigurationError,
    check_channels,
    configured_gateway,
)
from rightparty.channels.base import Resilience
from rightparty.channels.resilience import ClockTimer, RetryPolicy
from rightparty.config import ChannelSettings, Settings
from rightparty.domain.messages import DeliveryStatus, OutboundMessage
from rightparty.domain.vocabulary import Channel, Purpose

pytestmark = pytest.mark.unit

PASSWORD = "hunter2-relay-pa55"


def settings(routes: dict[str, list[str]], providers: dict[str, dict[str, Any]]) -> Settings:
    return Settings(channels=ChannelSettings(file=None, providers=providers, **routes))


def message(channel: Channel, address: str, key: str = "case:0:p1") -> OutboundMessage:
    return OutboundMessage(
        idempotency_key=key,
        attempt_id="a1",
        customer_id="c1",
        channel=channel,
        purpose=Purpose.ACCOUNT_NOTICE,
        address=address,
        locale="en-US",
        body="Your statement is ready.",
        reference_code="RP-1234",
    )


def test_each_channel_goes_to_its_first_provider(clock):
    config = settings(
        {"email": ["mail-sandbox"], "sms": ["sms-sandbox"]},
        {
            "mail-sandbox": {"kind": "sandbox", "channels": ["email"]},
            "sms-sandbox": {"kind": "sandbox", "channels": ["sms"]},
        },
    )
    router = configured_gateway(config, clock)
    email = router.send(message(Channel.EMAIL, "delivered@sandbox.rightparty.test"))
    sms = router.send(message(Channel.SMS, "+12125550100"))
    assert (email.status, email.provider) == (DeliveryStatus.ACCEPTED, "mail-sandbox")
    assert (sms.status, sms.provider) == (DeliveryStatus.ACCEPTED, "sms-sandbox")
    router.close()


def test_a_transient_failure_of_the_primary_moves_on_to_the_secondary(clock):
    config = settings(
        {"sms": ["primary", "secondary"]},
        {"primary": {"kind": "sandbox"}, "secondary": {"kind": "sandbox"}},
    )
    once = Resilience(timer=ClockTimer(clock), retry=RetryPolicy(max_attempts=1), throttle=False)
    router = configured_gateway(config, clock, resilience=once)
    # +1 NXX 555 0111 fails transiently on every sandbox: both are asked, in the listed order
    failed = router.send(message(Channel.SMS, "+12125550111", key="k1"))
    assert (failed.status, failed.provider) == (DeliveryStatus.TRANSIENT_FAILURE, "secondary")
    chain = router.routes[Channel.SMS].providers
    assert [provider.name for provider in chain] == ["primary", "secondary"]
    assert [provider.ledger.times_requested("k1") for provider in chain] == [1, 1]  # type: ignore[attr-defined]


def test_a_channel_without_provider_answers_a_permanent_no_provider(clock):
    config = settings({"email": ["mail"]}, {"mail": {"kind": "sandbox", "channels": ["email"]}})
    result = configured_gateway(config, clock).send(message(Channel.PUSH, "sandbox:delivered"))
    assert result.status is DeliveryStatus.PERMANENT_FAILURE
    assert result.error_code == "no_provider"
    assert result.provider == UNCONFIGURED_PROVIDER


def test_an_unknown_kind_is_an_error_naming_provider_and_kind(clock):
    config = settings({"sms": ["acme"]}, {"acme": {"kind": "acme-sms"}})
    with pytest.raises(ChannelConfigurationError, match="provider 'acme': unknown kind 'acme-sms'"):
        configured_gateway(config, clock)


def test_a_bad_field_names_provider_and_field_but_never_the_value(clock):
    config = settings(
        {"email": ["relay"]},
        {
            "relay": {
                "kind": "smtp",
                "host": "relay.bank.example",
                "from_address": "alerts@bank.example",
                "port": 99999,
                "username": "rightparty",
                "password": PASSWORD,
                "security": PASSWORD,
            }
        },
    )
    with pytest.raises(ChannelConfigurationError) as error:
        configured_gateway(config, clock)
    text = str(error.value)
    assert "provider 'relay' (smtp)" in text
    assert "port:" in text
    assert "security:" in text
    assert PASSWORD not in text
    assert error.value.provider == "relay"


def test_a_missing_secret_is_named(clock):
    config = settings(
        {"sms": ["twilio"]}, {"twilio": {"kind": "twilio", "account_sid": "AC1", "sms_from": "+1"}}
    )
    with pytest.raises(ChannelConfigurationError, match="auth_token: Field required"):
        configured_gateway(config, clock)


def test_a_provider_listed_for_a_channel_it_does_not_serve_is_refused(clock):
    config = settings(
        {"sms": ["relay"]},
        {"relay": {"kind": "smtp", "host": "relay", "from_address": "a@bank.example"}},
    )
    with pytest.raises(ChannelConfigurationError, match="listed for sms but does not serve it"):
        configured_gateway(config, clock)


def test_the_check_masks_secrets_and_reports_every_problem():
    config = settings(
        {"email": ["relay", "broken"], "sms": ["relay"]},
        {
            "relay": {
                "kind": "smtp",
                "host": "relay.bank.example",
                "from_address": "alerts@bank.example",
                "username": "rightparty",
                "password": PASSWORD,
            },
            "broken": {"kind": "smtp", "host": "relay2.bank.example"},
        },
    )
    providers, problems = check_channels(config.channels)
    relay = next(provider for provider in providers if provider.name == "relay")
    assert relay.serves == ("email",)
    assert relay.settings["password"] == "**********"
    assert relay.settings["host"] == "relay.bank.example"
    assert any("'broken' (smtp): from_address: Field required" in p for p in problems)
    assert any("'relay' (smtp) is listed for sms" in p for p in problems)
    assert PASSWORD not in repr(providers) + repr(problems)


def test_the_router_says_a_channel_deduplicates_only_when_every_provider_does(clock):
    config = settings(
        {"sms": ["dedup", "plain"], "voice": ["dedup"]},
        {
            "dedup": {
                "kind": "twilio",
                "account_sid": "AC1",
                "auth_token": "t",
                "sms_from": "+1",
                "voice_from": "+1",
                "deduplicates": True,
            },
            "plain": {"kind": "twilio", "account_sid": "AC1", "auth_token": "t", "sms_from": "+1"},
        },
    )
    router = configured_gateway(config, clock)
    assert router.deduplicates(Channel.VOICE)
    assert not router.deduplicates(Channel.SMS)
    assert not router.deduplicates(Channel.EMAIL)
    router.close()
