# SPDX-License-Identifier: Apache-2.0
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from rightparty.channels.providers.twilio import (
    call_status_outcome,
    is_stale,
    message_status_outcome,
    twilio_signature,
    validate_twilio_body_signature,
    validate_twilio_signature,
)
from rightparty.domain.vocabulary import Outcome

pytestmark = pytest.mark.unit

# The worked example of Twilio's request-validation documentation and helper-library tests.
TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_the_documented_signature_is_reproduced_and_accepted():
    assert twilio_signature(URL, PARAMS, TOKEN) == SIGNATURE
    assert validate_twilio_signature(URL, PARAMS, SIGNATURE, SecretStr(TOKEN))


@pytest.mark.parametrize(
    ("url", "params", "signature"),
    [
        (
            URL,
            {"Sid": "CA123", "SidAccount": "AC123", "Digits": ["5678", "1234", "1234"]},
            "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
        ),
        (URL.replace(".com", ".com:1234"), PARAMS, SIGNATURE),
        (URL, PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w="),
        (URL.replace("https", "http"), PARAMS, "0ZXoZLH/DfblKGATFgpif+LLRf4="),
        (
            "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2",
            PARAMS,
            "CukzLTc1tT5dXEDIHm/tKBanW10=",
        ),
        (
            "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2",
            PARAMS,
            "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=",
        ),
    ],
    ids=[
        "repeated-values",
        "port-removed",
        "https-port-added",
        "http-port-added",
        "credentials",
        "credentials-port-added",
    ],
)
def test_signatures_over_the_documented_url_variants_are_accepted(url, params, signature):
    assert validate_twilio_signature(url, params, signature, TOKEN)


@pytest.mark.parametrize(
    ("url", "params", "signature", "token"),
    [
        (URL, {**PARAMS, "Digits": "9999"}, SIGNATURE, TOKEN),
        (URL + "&extra=1", PARAMS, SIGNATURE, TOKEN),
        (URL, PARAMS, SIGNATURE, "54321"),
        (URL, PARAMS, "", TOKEN),
        (URL, PARAMS, None, TOKEN),
        (URL, PARAMS, "无效的签名", TOKEN),
    ],
)
def test_a_tampered_request_or_wrong_token_is_rejected(url, params, signature, token):
    assert not validate_twilio_signature(url, params, signature, token)


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=12), max_size=6))
def test_a_signature_validates_its_own_request_and_no_other(params):
    signature = twilio_signature(URL, params, TOKEN)
    assert validate_twilio_signature(URL, params, signature, TOKEN)
    assert not validate_twilio_signature(URL, {**params, "Tampered": "1"}, signature, TOKEN)


def test_a_json_body_is_checked_against_the_signed_bodysha256():
    body = b'{"property": "value", "boolean": true}'
    digest = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
    url = f"{URL}&bodySHA256={digest}"
    assert validate_twilio_body_signature(url, body, "a9nBmqA0ju/hNViExpshrM61xv4=", TOKEN)
    assert not validate_twilio_body_signature(
        url, body + b" ", "a9nBmqA0ju/hNViExpshrM61xv4=", TOKEN
    )
    assert not validate_twilio_body_signature(URL, body, SIGNATURE, TOKEN)


def test_a_callback_timestamp_outside_the_window_is_stale(clock):
    now = clock.now()

    def stamp(delta):
        return {"Timestamp": (now + delta).strftime("%a, %d %b %Y %H:%M:%S +0000")}

    assert not is_stale(stamp(timedelta(minutes=-9)), now=now)
    assert is_stale(stamp(timedelta(minutes=-11)), now=now)
    assert is_stale(stamp(timedelta(minutes=5)), now=now)
    assert not is_stale({}, now=now), "message callbacks carry no timestamp"
    assert not is_stale({"Timestamp": "yesterday"}, now=now)


@pytest.mark.parametrize(
    ("params", "outcome"),
    [
        ({"MessageStatus": "queued"}, None),
        ({"MessageStatus": "sent"}, None),
        ({"MessageStatus": "delivered"}, Outcome.DELIVERED),
        ({"MessageStatus": "read"}, Outcome.READ),
        ({"MessageStatus": "undelivered"}, Outcome.UNDELIVERED),
        ({"MessageStatus": "undelivered", "ErrorCode": "30003"}, Outcome.POWERED_OFF),
        ({"MessageStatus": "undelivered", "ErrorCode": "30005"}, Outcome.NOT_IN_SERVICE),
        ({"MessageStatus": "undelivered", "ErrorCode": "30006"}, Outcome.INVALID_NUMBER),
        ({"MessageStatus": "undelivered", "ErrorCode": "30004"}, Outcome.BLOCKED),
        ({"MessageStatus": "failed"}, Outcome.PROVIDER_ERROR),
        ({"MessageStatus": "failed", "ErrorCode": "21610"}, Outcome.OPTED_OUT),
        ({"MessageStatus": "failed", "ErrorCode": "30034"}, Outcome.PROVIDER_ERROR),
        ({"SmsStatus": "delivered"}, Outcome.DELIVERED),
    ],
)
def test_message_statuses_map_to_outcomes(params, outcome):
    assert message_status_outcome(params) is outcome


@pytest.mark.parametrize(
    ("params", "outcome"),
    [
        ({"CallStatus": "ringing"}, None),
        ({"CallStatus": "in-progress", "AnsweredBy": "human"}, None),
        ({"CallStatus": "completed", "AnsweredBy": "human"}, Outcome.DELIVERED),
        ({"CallStatus": "completed"}, Outcome.DELIVERED),
        ({"CallStatus": "completed", "AnsweredBy": "machine_start"}, Outcome.VOICEMAIL),
        ({"CallStatus": "completed", "AnsweredBy": "machine_end_beep"}, Outcome.VOICEMAIL),
        ({"CallStatus": "completed", "AnsweredBy": "fax"}, Outcome.INVALID_NUMBER),
        ({"CallStatus": "busy"}, Outcome.BUSY),
        ({"CallStatus": "no-answer"}, Outcome.NO_ANSWER),
        ({"CallStatus": "canceled"}, Outcome.TIMEOUT),
        ({"CallStatus": "failed"}, Outcome.PROVIDER_ERROR),
        ({"CallStatus": "failed", "SipResponseCode": "404"}, Outcome.INVALID_NUMBER),
        ({"CallStatus": "failed", "SipResponseCode": "480"}, Outcome.POWERED_OFF),
        ({"CallStatus": "failed", "SipResponseCode": "603"}, Outcome.DECLINED),
        ({"CallStatus": "failed", "ErrorCode": "13224"}, Outcome.INVALID_NUMBER),
    ],
)
def test_call_statuses_map_to_outcomes(params, outcome):
    assert call_status_outcome(params) is outcome


def test_only_the_call_flow_can_say_who_answered():
    human = {"CallStatus": "completed", "AnsweredBy": "human"}
    assert call_status_outcome(human, right_party_confirmed=True) is Outcome.ANSWERED_RIGHT_PARTY
    assert call_status_outcome(human, right_party_confirmed=False) is Outcome.ANSWERED_THIRD_PARTY
    machine = {"CallStatus": "completed", "AnsweredBy": "machine_end_silence"}
    assert call_status_outcome(machine, right_party_confirmed=True) is Outcome.VOICEMAIL
