# SPDX-License-Identifier: Apache-2.0
"""The Twilio provider against a Twilio-compatible API served over real HTTP on loopback."""

import base64

import pytest

from rightparty.channels.base import part_key
from rightparty.channels.providers.twilio import TwilioProvider, TwilioSettings
from rightparty.channels.reports import BaseErrorCode
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome
from tests.integration.channels.smtp_server import free_port
from tests.integration.channels.twilio_server import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    UNAVAILABLE_NUMBER,
    Scripted,
    error,
    running_fake_twilio,
)
from tests.unit.channels.builders import FakeTimer, fast_resilience, make_message

pytestmark = pytest.mark.integration

CALLBACK = "https://bank.example/webhooks/twilio/status"
SENDER = "+15005550006"


def settings_for(base_url, **overrides):
    values = {
        "account_sid": ACCOUNT_SID,
        "auth_token": AUTH_TOKEN,
        "base_url": base_url,
        "sms_from": SENDER,
        "voice_from": SENDER,
        "status_callback_url": CALLBACK,
        "timeout": 5,
    } | overrides
    return TwilioSettings(**values)


@pytest.fixture
def api():
    with running_fake_twilio() as running:
        yield running


@pytest.fixture
def timer():
    return FakeTimer()


@pytest.fixture
def provider(api, timer, clock):
    with TwilioProvider(
        settings_for(api.base_url), resilience=fast_resilience(timer), clock=clock
    ) as twilio:
        yield twilio


def test_an_sms_is_a_form_post_to_the_messages_resource_with_basic_auth(api, provider):
    result = provider.send(make_message(key="k1"))
    (request,) = api.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {credentials}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "To": ["+12125550100"],
        "From": [SENDER],
        "Body": ["Your card ending 4821 was used for 12.00 USD. Ref RP-7K2Q."],
        "StatusCallback": [CALLBACK],
    }
    assert request.idempotency_key == "k1"
    assert result.status is DeliveryStatus.ACCEPTED
    assert result.provider_message_id.startswith("SM")


def test_a_messaging_service_replaces_the_sender_number(api, timer):
    settings = settings_for(api.base_url, sms_from=None, messaging_service_sid="MG" + "1" * 32)
    with TwilioProvider(settings, resilience=fast_resilience(timer)) as twilio:
        twilio.send(make_message())
    (request,) = api.requests
    assert request.one("MessagingServiceSid") == "MG" + "1" * 32
    assert "From" not in request.form


def test_a_call_speaks_the_escaped_body_with_machine_detection_and_all_status_events(api, provider):
    message = make_message(channel=Channel.VOICE, body="Pay <now> & save", locale="zh-CN")
    result = provider.send(message)
    (request,) = api.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
    assert request.one("Twiml") == (
        '<Response><Say language="zh-CN">Pay &lt;now&gt; &amp; save</Say></Response>'
    )
    assert request.one("MachineDetection") == "Enable"
    assert request.one("Timeout") == "30"
    assert request.one("StatusCallbackMethod") == "POST"
    assert request.form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert result.provider_message_id.startswith("CA")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+15005550001", (Outcome.INVALID_NUMBER, "twilio_21211")),
        ("+15005550004", (Outcome.OPTED_OUT, "twilio_21610")),
        ("+15005550009", (Outcome.INVALID_NUMBER, "twilio_21614")),
    ],
)
def test_a_refused_recipient_is_a_permanent_failure_asked_once(
    api, provider, timer, number, expected
):
    result = provider.send(make_message(address=number))
    assert result.status is DeliveryStatus.PERMANENT_FAILURE
    assert (result.outcome, result.error_code) == expected
    assert number.removeprefix("+") not in repr(result)
    assert len(api.requests) == 1
    assert timer.sleeps == []


def test_a_503_is_retried_with_backoff_then_reported_transient(api, provider, timer):
    result = provider.send(make_message(address=UNAVAILABLE_NUMBER))
    assert (result.status, result.error_code) == (DeliveryStatus.TRANSIENT_FAILURE, "twilio_20503")
    assert len(api.requests) == 3
    assert timer.sleeps == [0.5, 1.0]


def test_a_429_waits_as_long_as_retry_after_says(api, provider, timer):
    api.script.append(Scripted(429, error(20429, 429, "Too Many Requests"), {"Retry-After": "2"}))
    assert provider.send(make_message()).status is DeliveryStatus.ACCEPTED
    assert timer.sleeps == [2.0]
    assert [request.status for request in api.requests] == [429, 201]


def test_a_429_asking_for_longer_than_the_retry_policy_allows_is_handed_back(api, provider, timer):
    api.script.append(Scripted(429, error(20429, 429), {"Retry-After": "3600"}))
    report = provider.send_report(make_message())
    assert report.status is DeliveryStatus.TRANSIENT_FAILURE
    assert report.retry_after == 3600.0
    assert timer.sleeps == []


def test_wrong_credentials_are_transient_so_a_secondary_provider_may_take_over(api, timer):
    settings = settings_for(api.base_url, auth_token="not-the-token")
    with TwilioProvider(settings, resilience=fast_resilience(timer)) as twilio:
        result = twilio.send(make_message())
    assert (result.status, result.error_code) == (DeliveryStatus.TRANSIENT_FAILURE, "twilio_20003")


def test_a_lost_answer_is_not_repeated_when_the_api_cannot_deduplicate(api, provider):
    api.script.append(Scripted(drop=True, process=True))
    result = provider.send(make_message(key="k1"))
    assert result.error_code == BaseErrorCode.OUTCOME_UNKNOWN
    assert provider.send(make_message(key="k1")) == result
    assert len(api.requests) == 1
    assert api.created("k1") == 1


def test_a_lost_answer_is_asked_again_under_the_same_key_when_the_api_deduplicates(timer):
    with running_fake_twilio(deduplicate=True) as api:
        settings = settings_for(api.base_url, deduplicates=True)
        with TwilioProvider(settings, resilience=fast_resilience(timer)) as twilio:
            api.script.append(Scripted(drop=True, process=True))
            result = twilio.send(make_message(key="k1"))
    assert result.status is DeliveryStatus.ACCEPTED
    assert [request.idempotency_key for request in api.requests] == ["k1", "k1"]
    assert api.created("k1") == 1


def test_a_long_sms_is_sent_in_parts_each_with_its_own_key(api, provider):
    body = " ".join(["Instalment"] * 200)  # 2,199 GSM-7 characters: over 10 segments
    result = provider.send(make_message(key="k1", body=body))
    assert [request.idempotency_key for request in api.requests] == [
        part_key("k1", 1, 2),
        part_key("k1", 2, 2),
    ]
    assert result.provider_message_id.count(",") == 1


def test_an_api_that_does_not_answer_is_a_transient_failure(timer):
    settings = settings_for(f"http://127.0.0.1:{free_port()}/2010-04-01")
    with TwilioProvider(settings, resilience=fast_resilience(timer)) as twilio:
        result = twilio.send(make_message())
    assert (result.status, result.error_code) == (
        DeliveryStatus.TRANSIENT_FAILURE,
        "twilio_connect",
    )


def test_speech_that_would_overflow_the_twiml_limit_is_refused_before_calling(api, provider):
    result = provider.send(make_message(channel=Channel.VOICE, body="&" * 900))
    assert (result.status, result.error_code) == (
        DeliveryStatus.PERMANENT_FAILURE,
        "twilio_twiml_too_long",
    )
    assert api.requests == []


def test_only_the_channels_with_a_sender_are_served(api):
    with TwilioProvider(settings_for(api.base_url, voice_from=None)) as sms_only:
        assert set(sms_only.capabilities.channels) == {Channel.SMS}
        result = sms_only.send(make_message(channel=Channel.VOICE))
    assert result.error_code == BaseErrorCode.CHANNEL_NOT_SUPPORTED
