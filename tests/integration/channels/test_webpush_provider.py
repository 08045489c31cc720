# SPDX-License-Identifier: Apache-2.0
"""The web push provider against a push service on loopback that verifies VAPID and decrypts."""

import pytest
from pydantic import SecretStr

from rightparty.channels.providers.webpush import (
    WebPushProvider,
    WebPushSettings,
    notification_tag,
)
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome
from tests.integration.channels.push_server import (
    Browser,
    Scripted,
    new_vapid_key,
    running_push_service,
)
from tests.integration.channels.smtp_server import free_port
from tests.unit.channels.builders import FakeTimer, fast_resilience, make_message

pytestmark = pytest.mark.integration

SUBJECT = "mailto:push-ops@bank.example"


@pytest.fixture
def vapid():
    return new_vapid_key()


@pytest.fixture
def service(vapid):
    with running_push_service(vapid[1]) as running:
        yield running


@pytest.fixture
def timer():
    return FakeTimer()


def settings_for(private_key, **overrides):
    values = {
        "vapid_private_key": SecretStr(private_key),
        "vapid_subject": SUBJECT,
        "endpoint_hosts": ("127.0.0.1",),
        "allow_insecure_loopback": True,
        "urgency": "high",
        "ttl": 3600,
        "timeout": 2,
    } | overrides
    return WebPushSettings(**values)


@pytest.fixture
def provider(vapid, timer):
    with WebPushProvider(settings_for(vapid[0]), resilience=fast_resilience(timer)) as push:
        yield push


def push(address, key="attempt-1/k", **overrides):
    return make_message(key=key, channel=Channel.PUSH, address=address, **overrides)


@pytest.mark.parametrize(
    ("locale", "subject", "body"),
    [
        ("en-US", "Card used", "Your card ending 4821 was used for 12.00 USD."),
        ("zh-CN", "交易提醒", "您尾号4821的银行卡于今日消费12.00元。"),
    ],
)
def test_the_browser_decrypts_exactly_the_message(service, provider, locale, subject, body):
    message = push(service.subscription(), locale=locale, subject=subject, body=body)
    result = provider.send(message)
    assert result.status is DeliveryStatus.ACCEPTED
    (received,) = service.received
    assert received.status == 201
    assert received.payload == {
        "title": subject,
        "body": body,
        "lang": locale,
        "ref": "RP-7K2Q",
        "tag": notification_tag("attempt-1/k"),
    }
    assert body.encode() not in b"".join(v.encode() for v in received.headers.values())
    assert result.provider_message_id.startswith(f"{service.origin}/m/")


def test_the_request_carries_rfc_8030_headers_and_a_verified_vapid_token(service, provider):
    provider.send(push(service.subscription()))
    (received,) = service.received
    assert received.headers["content-encoding"] == "aes128gcm"
    assert received.headers["ttl"] == "3600"
    assert received.headers["urgency"] == "high"
    assert received.claims["aud"] == service.origin
    assert received.claims["sub"] == SUBJECT


def test_the_vapid_token_is_reused_for_the_same_push_service(service, provider):
    provider.send(push(service.subscription(), key="k-1"))
    provider.send(push(service.subscription(), key="k-2"))
    first, second = service.received
    assert first.headers["authorization"] == second.headers["authorization"]


def test_a_payload_encrypted_for_another_browser_cannot_be_read(service, provider):
    stranger = service.subscription(browser=Browser.new())
    result = provider.send(push(stranger))
    assert result.status is DeliveryStatus.PERMANENT_FAILURE
    assert result.error_code == "http_400"
    assert service.received[0].payload is None


def test_a_vapid_key_the_service_does_not_know_is_transient(service, timer):
    other_key, _ = new_vapid_key()
    with WebPushProvider(settings_for(other_key), resilience=fast_resilience(timer)) as provider:
        result = provider.send(push(service.subscription()))
    assert result.status is DeliveryStatus.TRANSIENT_FAILURE
    assert result.error_code == "http_401"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("gone", (DeliveryStatus.PERMANENT_FAILURE, "http_410", Outcome.UNKNOWN_RECIPIENT)),
        ("missing", (DeliveryStatus.PERMANENT_FAILURE, "http_404", Outcome.UNKNOWN_RECIPIENT)),
        ("toolarge", (DeliveryStatus.PERMANENT_FAILURE, "message_too_long", None)),
        ("unavailable", (DeliveryStatus.TRANSIENT_FAILURE, "http_503", Outcome.PROVIDER_ERROR)),
    ],
)
def test_push_service_refusals_are_typed(service, provider, path, expected):
    result = provider.send(push(service.subscription(path)))
    assert (result.status, result.error_code, result.outcome) == expected


def test_a_rate_limited_push_waits_as_long_as_the_service_asks(service, provider, timer):
    result = provider.send(push(service.subscription("busy")))
    assert result.status is DeliveryStatus.TRANSIENT_FAILURE
    assert timer.sleeps == [7.0, 7.0]
    assert len(service.received) == 3


def test_a_lost_answer_is_not_sent_again(service, provider):
    service.script.append(Scripted(drop=True))
    first = provider.send(push(service.subscription()))
    second = provider.send(push(service.subscription()))
    assert first.status is DeliveryStatus.TRANSIENT_FAILURE
    assert first.error_code == "outcome_unknown"
    assert first.outcome is Outcome.TIMEOUT
    assert second == first
    assert len(service.received) == 1


def test_a_push_service_that_refuses_connections_is_retried_then_transient(vapid, timer):
    with WebPushProvider(settings_for(vapid[0]), resilience=fast_resilience(timer)) as provider:
        with running_push_service(vapid[1]) as service:
            address = service.subscription().replace(str(service.port), str(free_port()))
        result = provider.send(push(address))
    assert result.status is DeliveryStatus.TRANSIENT_FAILURE
    assert result.error_code == "webpush_connect"
    assert timer.sleeps == [0.5, 1.0]
