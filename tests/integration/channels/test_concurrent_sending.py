# SPDX-License-Identifier: Apache-2.0
"""`send_many` over real sockets: several SMTP connections and pooled HTTP connections at once,
each message delivered exactly once, every answer in its message's place."""

import pytest

from rightparty.channels.failover import FailoverGateway
from rightparty.channels.providers.smtp import SmtpProvider, SmtpSettings
from rightparty.channels.providers.twilio import TwilioProvider, TwilioSettings
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome
from tests.integration.channels.smtp_server import HOST, free_port, running_smtp_server
from tests.integration.channels.twilio_server import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    UNAVAILABLE_NUMBER,
    running_fake_twilio,
)
from tests.unit.channels.builders import FakeTimer, fast_resilience, make_message

pytestmark = pytest.mark.integration

SENDER = "alerts@bank.example"
INVALID_NUMBER = "+15005550001"


def email(n, local=None):
    return make_message(
        key=f"e{n}", channel=Channel.EMAIL, address=f"{local or f'c{n}'}@example.net"
    )


def sms(n, to=None):
    return make_message(key=f"s{n}", address=to or f"+1212555{n:04d}")


def smtp_provider(port, **overrides):
    settings = SmtpSettings(
        host=HOST, port=port, security="none", from_address=SENDER, timeout=5, **overrides
    )
    return SmtpProvider(settings, resilience=fast_resilience(FakeTimer()))


def test_a_batch_goes_over_several_smtp_connections_each_message_once_in_order():
    batch = [email(n) for n in range(30)]
    batch[7] = email(7, local="nobody")  # refused for good at RCPT
    batch[19] = email(19, local="full")  # mailbox full: transient, recipient's fault
    with running_smtp_server() as server, smtp_provider(server.port, concurrency=4) as smtp:
        results = smtp.send_many(batch)
        assert 1 < server.connections <= 4
        assert smtp.idle_connections == server.connections
    assert results[7].status is DeliveryStatus.PERMANENT_FAILURE
    assert results[7].outcome is Outcome.UNKNOWN_RECIPIENT
    assert results[19].status is DeliveryStatus.TRANSIENT_FAILURE
    delivered = [n for n in range(30) if n not in (7, 19)]
    for n in delivered:
        assert results[n].status is DeliveryStatus.ACCEPTED
        assert results[n].provider_message_id == smtp.message_id_for(f"e{n}")
        (mail,) = server.handler.by_message_id(results[n].provider_message_id)
        assert mail.rcpt_tos == (f"c{n}@example.net",)
    assert len(server.handler.received) == len(delivered)


def test_kept_connections_the_relay_closed_are_all_replaced_without_a_lost_or_double_message():
    port = free_port()
    with smtp_provider(port, concurrency=3) as smtp:
        with running_smtp_server(port=port) as first:
            first_results = smtp.send_many([email(n) for n in range(12)])
        with running_smtp_server(port=port) as second:
            second_results = smtp.send_many([email(n) for n in range(12, 24)])
    assert {r.status for r in first_results + second_results} == {DeliveryStatus.ACCEPTED}
    assert (len(first.handler.received), len(second.handler.received)) == (12, 12)
    assert second.connections <= 3


def test_a_connection_is_renewed_after_its_allowance_under_concurrency():
    with (
        running_smtp_server() as server,
        smtp_provider(server.port, concurrency=2, messages_per_connection=3) as smtp,
    ):
        results = smtp.send_many([email(n) for n in range(12)])
    assert {result.status for result in results} == {DeliveryStatus.ACCEPTED}
    assert len(server.handler.received) == 12
    assert server.connections >= 4  # twelve messages, three per connection


def twilio(api, **overrides):
    settings = TwilioSettings(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        base_url=api.base_url,
        sms_from="+15005550006",
        requests_per_second=10_000,
        burst=100,
        timeout=5,
        **overrides,
    )
    return TwilioProvider(settings, name="twilio", resilience=fast_resilience(FakeTimer()))


def test_a_batch_goes_over_pooled_http_connections_each_message_once_in_order():
    batch = [sms(n) for n in range(30)]
    batch[4] = sms(4, to=INVALID_NUMBER)
    batch[11] = sms(11, to=UNAVAILABLE_NUMBER)
    with running_fake_twilio() as api, twilio(api, concurrency=4) as provider:
        results = provider.send_many(batch)
    assert results[4].status is DeliveryStatus.PERMANENT_FAILURE
    assert results[4].outcome is Outcome.INVALID_NUMBER
    assert results[11].status is DeliveryStatus.TRANSIENT_FAILURE
    assert results[11].error_code == "twilio_20503"
    assert len([r for r in api.requests if r.idempotency_key == "s11"]) == 3  # retried in place
    sids = {
        request.idempotency_key: request
        for request in api.requests
        if request.status == 201 and request.idempotency_key is not None
    }
    for n in set(range(30)) - {4, 11}:
        assert results[n].status is DeliveryStatus.ACCEPTED
        assert api.created(f"s{n}") == 1
        assert sids[f"s{n}"].one("To") == f"+1212555{n:04d}"
    assert len({result.provider_message_id for result in results}) == 30 - 1  # failures: None


def test_failover_between_http_providers_in_a_batch_sends_nothing_twice():
    with running_fake_twilio() as primary_api, running_fake_twilio() as secondary_api:
        primary = twilio(primary_api, concurrency=4)
        secondary = twilio(secondary_api, concurrency=2)
        gateway = FailoverGateway(Channel.SMS, [primary, secondary])
        batch = [sms(n) for n in range(10)]
        batch[3] = sms(3, to=UNAVAILABLE_NUMBER)
        with primary, secondary:
            results = gateway.send_many(batch)
            again = gateway.send_many(batch)
    # Both refuse the unavailable number for now: it went to the secondary after the primary,
    # and may go again; every accepted message is answered from the record the second time.
    assert results[3].error_code == "twilio_20503"
    assert {request.idempotency_key for request in secondary_api.requests} == {"s3"}
    for n in set(range(10)) - {3}:
        assert results[n].status is DeliveryStatus.ACCEPTED
        assert again[n] == results[n]
        assert primary_api.created(f"s{n}") == 1
