# SPDX-License-Identifier: Apache-2.0
"""TwiML rendering, payload validation and the public URL a signature covers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from starlette.requests import Request

from rightparty.api.schemas import InboundMessage, StatusCallback
from rightparty.api.twilio_requests import public_url
from rightparty.api.twiml import twiml
from rightparty.config import WebhookSettings

pytestmark = pytest.mark.unit


def test_twiml_escapes_the_reply_and_may_be_empty():
    assert twiml("a < b & c").body.endswith(
        b"<Response><Message>a &lt; b &amp; c</Message></Response>"
    )
    assert twiml(None).body.endswith(b"<Response></Response>")


def test_the_signed_url_is_the_public_base_followed_by_path_and_query():
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "server": ("10.0.0.5", 8000),
        "path": "/webhooks/twilio/status",
        "query_string": b"tenant=1",
        "headers": [],
    }
    url = public_url("https://contact.bank.example/rp", Request(scope))
    assert url == "https://contact.bank.example/rp/webhooks/twilio/status?tenant=1"


@pytest.mark.parametrize(
    ("params", "is_call", "sid"),
    [
        ({"MessageSid": "SM1a", "MessageStatus": "delivered"}, False, "SM1a"),
        ({"SmsSid": "SM2b", "SmsStatus": "sent"}, False, "SM2b"),
        ({"CallSid": "CA3c", "CallStatus": "completed", "AnsweredBy": "human"}, True, "CA3c"),
    ],
)
def test_status_callbacks_of_both_kinds_are_read(params, is_call, sid):
    callback = StatusCallback.model_validate(params)
    assert (callback.is_call, callback.sid) == (is_call, sid)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"MessageStatus": "delivered"}, "callback_kind"),
        ({"CallSid": "CA1"}, "callback_kind"),
        ({"MessageSid": "SM 1; DROP", "MessageStatus": "delivered"}, "sid_invalid"),
    ],
)
def test_a_callback_missing_its_kind_is_refused_with_a_stable_code(params, code):
    with pytest.raises(ValidationError) as raised:
        StatusCallback.model_validate(params)
    assert [error["type"] for error in raised.value.errors()] == [code]


def test_an_inbound_message_needs_a_sid_and_a_sender():
    with pytest.raises(ValidationError) as raised:
        InboundMessage.model_validate({"Body": "STOP"})
    assert sorted(str(error["loc"][0]) for error in raised.value.errors()) == ["From", "MessageSid"]


def test_webhook_settings_refuse_a_relative_base_url_and_mask_the_token():
    with pytest.raises(ValidationError):
        WebhookSettings(public_base_url="contact.bank.example")
    settings = WebhookSettings(
        public_base_url="https://contact.bank.example/", twilio_auth_token="secret-token"
    )
    assert settings.public_base_url == "https://contact.bank.example"
    assert "secret-token" not in repr(settings)
