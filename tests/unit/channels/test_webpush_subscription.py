# SPDX-License-Identifier: Apache-2.0
"""Push subscriptions, VAPID settings and push-service answers, without a network."""

import base64
import json
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from rightparty.channels.providers.webpush import (
    MAX_BODY_CHARACTERS,
    SubscriptionInvalid,
    WebPushProvider,
    WebPushSettings,
    classify_push_response,
    parse_subscription,
    subscription_for,
)
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome
from tests.unit.channels.builders import fast_resilience, make_message

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BROWSER = ec.generate_private_key(ec.SECP256R1())
ENDPOINT = "https://fcm.googleapis.com/fcm/send/secret-token-of-jane"
GOOD = subscription_for(ENDPOINT, BROWSER.public_key(), b"0123456789abcdef")
VAPID = ec.generate_private_key(ec.SECP256R1())
RAW_VAPID = base64.urlsafe_b64encode(VAPID.private_numbers().private_value.to_bytes(32, "big"))


def edited(**changes):
    document = json.loads(GOOD)
    for name, value in changes.items():
        if name in ("p256dh", "auth"):
            document["keys"][name] = value
        else:
            document[name] = value
    return json.dumps(document)


def test_a_browser_subscription_is_parsed_and_its_repr_hides_it():
    subscription = parse_subscription(GOOD)
    assert subscription.endpoint == ENDPOINT
    assert subscription.origin == "https://fcm.googleapis.com"
    assert "secret-token" not in repr(subscription)


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ("push-token-000123", "address"),
        ("[1, 2]", "address"),
        (edited(endpoint=None), "endpoint"),
        (edited(endpoint="ftp://fcm.googleapis.com/x"), "endpoint"),
        (edited(keys=None), "keys"),
        (edited(p256dh="AAAA"), "keys.p256dh"),
        (edited(p256dh=base64.urlsafe_b64encode(b"\x04" + b"\x00" * 64).decode()), "keys.p256dh"),
        (edited(auth="not*base64!"), "keys.auth"),
        (edited(auth="AAAA"), "keys.auth"),
        (edited(expirationTime="tomorrow"), "expirationTime"),
    ],
)
def test_a_malformed_subscription_names_the_field_never_the_value(address, field):
    with pytest.raises(SubscriptionInvalid) as raised:
        parse_subscription(address)
    assert raised.value.field == field
    assert "secret-token" not in str(raised.value)
    assert "fcm" not in str(raised.value)


@pytest.mark.parametrize(
    ("status_code", "status", "outcome", "error_code"),
    [
        (201, DeliveryStatus.ACCEPTED, None, None),
        (202, DeliveryStatus.ACCEPTED, None, None),
        (404, DeliveryStatus.PERMANENT_FAILURE, Outcome.UNKNOWN_RECIPIENT, "http_404"),
        (410, DeliveryStatus.PERMANENT_FAILURE, Outcome.UNKNOWN_RECIPIENT, "http_410"),
        (413, DeliveryStatus.PERMANENT_FAILURE, None, "message_too_long"),
        (400, DeliveryStatus.PERMANENT_FAILURE, Outcome.PROVIDER_ERROR, "http_400"),
        (401, DeliveryStatus.TRANSIENT_FAILURE, Outcome.PROVIDER_ERROR, "http_401"),
        (403, DeliveryStatus.TRANSIENT_FAILURE, Outcome.PROVIDER_ERROR, "http_403"),
        (408, DeliveryStatus.TRANSIENT_FAILURE, Outcome.PROVIDER_ERROR, "http_408"),
        (429, DeliveryStatus.TRANSIENT_FAILURE, Outcome.PROVIDER_ERROR, "http_429"),
        (500, DeliveryStatus.TRANSIENT_FAILURE, Outcome.PROVIDER_ERROR, "http_500"),
        (503, DeliveryStatus.TRANSIENT_FAILURE, Outcome.PROVIDER_ERROR, "http_503"),
    ],
)
def test_push_service_answers_map_to_statuses_and_outcomes(
    status_code, status, outcome, error_code
):
    report = classify_push_response("webpush", status_code, "https://push/m/1", None, NOW)
    assert report.status is status
    assert report.result.outcome is outcome
    assert report.result.error_code == error_code


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("Mon, 02 Mar 2026 12:01:00 GMT", 60.0), ("soon", None), (None, None)],
)
def test_a_rate_limited_answer_keeps_the_wait_the_service_asked_for(header, seconds):
    assert classify_push_response("webpush", 429, None, header, NOW).retry_after == seconds


def pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def der(key):
    raw = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize("encode", [pem, der, lambda key: RAW_VAPID.decode()])
def test_the_vapid_key_is_read_from_pem_der_or_raw_and_never_printed(encode):
    text = encode(VAPID)
    settings = WebPushSettings(vapid_private_key=text, vapid_subject="mailto:ops@bank.example")
    with WebPushProvider(settings) as provider:
        point = VAPID.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        assert provider.application_server_key == base64.urlsafe_b64encode(point).decode().rstrip(
            "="
        )
    assert text not in repr(settings) + settings.model_dump_json()


@pytest.mark.parametrize(
    ("key", "subject"),
    [
        ("bm90IGEga2V5", "mailto:ops@bank.example"),
        (RAW_VAPID.decode(), "ops@bank.example"),
        (RAW_VAPID.decode(), "http://bank.example"),
    ],
)
def test_bad_vapid_settings_are_refused_without_echoing_them(key, subject):
    with pytest.raises(ValidationError) as raised:
        WebPushSettings(vapid_private_key=key, vapid_subject=subject)
    assert key not in str(raised.value)


def provider_with(requests, **overrides):
    def answer(request):
        requests.append(request)
        return httpx.Response(201, headers={"Location": "https://push/m/1"})

    settings = WebPushSettings(
        vapid_private_key=RAW_VAPID.decode(), vapid_subject="mailto:ops@bank.example", **overrides
    )
    return WebPushProvider(
        settings, resilience=fast_resilience(), transport=httpx.MockTransport(answer)
    )


@pytest.mark.parametrize(
    ("address", "body", "error_code", "outcome"),
    [
        ("push-token-000123", "Hi", "webpush_subscription_invalid", Outcome.UNKNOWN_RECIPIENT),
        (
            edited(expirationTime=1_000),
            "Hi",
            "webpush_subscription_expired",
            Outcome.UNKNOWN_RECIPIENT,
        ),
        (
            edited(endpoint="https://10.0.0.5/admin"),
            "Hi",
            "webpush_endpoint_not_allowed",
            Outcome.UNKNOWN_RECIPIENT,
        ),
        (
            edited(endpoint="http://fcm.googleapis.com/x"),
            "Hi",
            "webpush_endpoint_insecure",
            Outcome.UNKNOWN_RECIPIENT,
        ),
        (GOOD, "😀" * MAX_BODY_CHARACTERS, "message_too_long", None),
    ],
)
def test_an_unusable_subscription_or_payload_is_refused_before_any_request(
    address, body, error_code, outcome
):
    requests = []
    with provider_with(requests) as provider:
        result = provider.send(make_message(channel=Channel.PUSH, address=address, body=body))
    assert result.status is DeliveryStatus.PERMANENT_FAILURE
    assert (result.error_code, result.outcome) == (error_code, outcome)
    assert requests == []


def test_subdomains_are_allowed_by_a_leading_dot():
    requests = []
    address = edited(endpoint="https://wns2-par02p.notify.windows.com/w/?token=x")
    with provider_with(requests) as provider:
        result = provider.send(make_message(channel=Channel.PUSH, address=address))
    assert result.status is DeliveryStatus.ACCEPTED
    assert len(requests) == 1
    assert requests[0].headers["content-encoding"] == "aes128gcm"
    assert requests[0].headers["authorization"].startswith("vapid t=")
