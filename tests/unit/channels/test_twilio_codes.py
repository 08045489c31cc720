# SPDX-License-Identifier: Apache-2.0
import json
from datetime import timedelta

import pytest

from rightparty.channels.providers.twilio.codes import classify_error_response, error_code_of
from rightparty.channels.reports import parse_retry_after
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Outcome

pytestmark = pytest.mark.unit

PERMANENT = DeliveryStatus.PERMANENT_FAILURE
TRANSIENT = DeliveryStatus.TRANSIENT_FAILURE


def body(code, status, message="The 'To' number +15005550001 is not a valid phone number."):
    return json.dumps(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
    ).encode()


@pytest.mark.parametrize(
    ("status", "payload", "expected"),
    [
        (400, body(21211, 400), (PERMANENT, Outcome.INVALID_NUMBER, "twilio_21211")),
        (400, body(21610, 400), (PERMANENT, Outcome.OPTED_OUT, "twilio_21610")),
        (400, body(21614, 400), (PERMANENT, Outcome.INVALID_NUMBER, "twilio_21614")),
        (400, body(21617, 400), (PERMANENT, Outcome.PROVIDER_ERROR, "twilio_21617")),
        (401, body(20003, 401), (TRANSIENT, Outcome.PROVIDER_ERROR, "twilio_20003")),
        (404, b"", (TRANSIENT, Outcome.PROVIDER_ERROR, "http_404")),
        (429, body(20429, 429), (TRANSIENT, Outcome.PROVIDER_ERROR, "twilio_20429")),
        (500, b"<html>oops</html>", (TRANSIENT, Outcome.PROVIDER_ERROR, "http_500")),
        (503, body(20503, 503), (TRANSIENT, Outcome.PROVIDER_ERROR, "twilio_20503")),
        (422, b"{}", (PERMANENT, Outcome.PROVIDER_ERROR, "http_422")),
    ],
)
def test_error_responses_are_classified_by_code_then_status(clock, status, payload, expected):
    result = classify_error_response(status, payload, None, clock.now())
    assert (result.status, result.outcome, result.error_code) == expected


def test_the_error_code_never_carries_the_number_quoted_in_the_message(clock):
    result = classify_error_response(400, body(21211, 400), None, clock.now())
    assert "5550001" not in result.error_code


def test_a_429_carries_its_retry_after(clock):
    result = classify_error_response(429, body(20429, 429), "3", clock.now())
    assert result.retry_after == 3.0
    assert classify_error_response(503, b"", "3", clock.now()).retry_after is None


def test_retry_after_reads_seconds_or_an_http_date(clock):
    now = clock.now()
    later = (now + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(later, now) == 90.0
    assert parse_retry_after("Mon, 02 Mar 2020 12:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_error_codes_are_read_from_numbers_or_numeric_strings():
    assert error_code_of(b'{"code": 21211}') == 21211
    assert error_code_of('{"code": "30003"}') == 30003
    assert error_code_of(b"[1, 2]") is None
    assert error_code_of(b"not json") is None
