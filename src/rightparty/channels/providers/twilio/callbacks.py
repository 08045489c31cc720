# SPDX-License-Identifier: Apache-2.0
"""Pure functions for Twilio status callbacks: is the request genuine, is it fresh, what outcome.

The webhook layer calls these; nothing here touches a request object, a clock or storage.

Signature (`X-Twilio-Signature`): base64 of HMAC-SHA1, keyed by the auth token, over the full URL
Twilio requested followed by every POST parameter as name + value, sorted by name (the distinct
values of a repeated name in sorted order, as Twilio's own helper libraries do). JSON-bodied
webhooks sign the URL alone and carry the body's SHA-256 in its `bodySHA256` query parameter.
Twilio may sign the URL with or without its port, so the URL as given, without its port and with
the scheme's default port are all tried.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit, urlunsplit

from pydantic import SecretStr

from rightparty.channels.providers.twilio.codes import outcome_for_error_code
from rightparty.domain.vocabulary import Outcome

Params = Mapping[str, str | Sequence[str]]

_DEFAULT_PORTS = {"https": 443, "http": 80}


def _token(auth_token: str | SecretStr) -> bytes:
    value = auth_token.get_secret_value() if isinstance(auth_token, SecretStr) else auth_token
    return value.encode()


def twilio_signature(url: str, params: Params, auth_token: str | SecretStr) -> str:
    """The signature Twilio computes for a request to `url` with POST `params`."""
    parts = [url]
    for name in sorted(params):
        values = params[name]
        for value in sorted({values} if isinstance(values, str) else set(values)):
            parts.append(name + value)
    digest = hmac.new(_token(auth_token), "".join(parts).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_forms(url: str) -> list[str]:
    """`url` as given, plus the same URL without its port, or with the default port added."""
    split = urlsplit(url)
    try:
        port = split.port
    except ValueError:
        return [url]
    userinfo, _, host_port = split.netloc.rpartition("@")
    prefix = userinfo + "@" if userinfo else ""
    if port is not None:
        host = host_port.rsplit(":", 1)[0]
        return [url, urlunsplit(split._replace(netloc=f"{prefix}{host}"))]
    default = _DEFAULT_PORTS.get(split.scheme)
    if default is None:
        return [url]
    return [url, urlunsplit(split._replace(netloc=f"{prefix}{host_port}:{default}"))]


def _matches(expected: str, signature: str) -> bool:
    return hmac.compare_digest(expected.encode(), signature.encode())


def validate_twilio_signature(
    url: str, params: Params, signature: str | None, auth_token: str | SecretStr
) -> bool:
    """Whether `signature` (the `X-Twilio-Signature` header) is Twilio's for this request."""
    if not signature:
        return False
    expected = [twilio_signature(form, params, auth_token) for form in _url_forms(url)]
    matches = [_matches(candidate, signature) for candidate in expected]  # every form, no short cut
    return any(matches)


def validate_twilio_body_signature(
    url: str, body: bytes, signature: str | None, auth_token: str | SecretStr
) -> bool:
    """For JSON-bodied webhooks: the URL is signed and its `bodySHA256` is the body's hash."""
    declared = parse_qs(urlsplit(url).query).get("bodySHA256", [""])[0]
    body_ok = hmac.compare_digest(declared.encode(), hashlib.sha256(body).hexdigest().encode())
    return validate_twilio_signature(url, {}, signature, auth_token) and body_ok


def callback_timestamp(params: Mapping[str, str]) -> datetime | None:
    """The `Timestamp` parameter of a call status callback (RFC 2822 date), if present and valid."""
    text = params.get("Timestamp")
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else None


def is_stale(
    params: Mapping[str, str],
    *,
    now: datetime,
    max_age: timedelta = timedelta(minutes=10),
    max_skew: timedelta = timedelta(minutes=1),
) -> bool:
    """Whether a callback's `Timestamp` is older than `max_age` or further than `max_skew` ahead.

    A replayed callback carries its old, still validly signed timestamp, so this bounds replays.
    Message callbacks carry no timestamp; they are not stale by this test, and are safe to replay
    because applying the same status twice changes nothing.
    """
    when = callback_timestamp(params)
    if when is None:
        return False
    return when < now - max_age or when > now + max_skew


MESSAGE_STATUS_OUTCOMES: Mapping[str, Outcome] = {
    "delivered": Outcome.DELIVERED,
    "read": Outcome.READ,
    "undelivered": Outcome.UNDELIVERED,
    "failed": Outcome.PROVIDER_ERROR,
}
"""Final message statuses; `undelivered` and `failed` are refined by the callback's `ErrorCode`."""

CALL_STATUS_OUTCOMES: Mapping[str, Outcome] = {
    "completed": Outcome.DELIVERED,
    "busy": Outcome.BUSY,
    "no-answer": Outcome.NO_ANSWER,
    "failed": Outcome.PROVIDER_ERROR,
    "canceled": Outcome.TIMEOUT,
}
"""Final call statuses; `completed` is refined by `AnsweredBy`, `failed` by `SipResponseCode`."""

SIP_OUTCOMES: Mapping[str, Outcome] = {
    "404": Outcome.INVALID_NUMBER,
    "410": Outcome.NOT_IN_SERVICE,
    "480": Outcome.POWERED_OFF,
    "484": Outcome.INVALID_NUMBER,
    "486": Outcome.BUSY,
    "600": Outcome.BUSY,
    "603": Outcome.DECLINED,
    "604": Outcome.INVALID_NUMBER,
}


def message_status_outcome(params: Mapping[str, str]) -> Outcome | None:
    """The outcome of a message status callback, or None while the status is not final."""
    status = (params.get("MessageStatus") or params.get("SmsStatus") or "").lower()
    outcome = MESSAGE_STATUS_OUTCOMES.get(status)
    if outcome is Outcome.UNDELIVERED or outcome is Outcome.PROVIDER_ERROR:
        return outcome_for_error_code(params.get("ErrorCode"), outcome)
    return outcome


def call_status_outcome(
    params: Mapping[str, str], *, right_party_confirmed: bool | None = None
) -> Outcome | None:
    """The outcome of a call status callback, or None while the call is not over.

    `AnsweredBy=machine_*` is `voicemail` and `fax` an `invalid_number`. A human answer is
    `delivered` unless the call flow established who answered: `right_party_confirmed` True gives
    `answered_right_party`, False `answered_third_party` (Twilio cannot know who picked up).
    """
    status = (params.get("CallStatus") or "").lower()
    outcome = CALL_STATUS_OUTCOMES.get(status)
    if outcome is Outcome.DELIVERED:
        answered_by = (params.get("AnsweredBy") or "").lower()
        if answered_by.startswith("machine"):
            return Outcome.VOICEMAIL
        if answered_by == "fax":
            return Outcome.INVALID_NUMBER
        if right_party_confirmed is not None:
            return (
                Outcome.ANSWERED_RIGHT_PARTY
                if right_party_confirmed
                else Outcome.ANSWERED_THIRD_PARTY
            )
        return Outcome.DELIVERED
    if outcome is Outcome.PROVIDER_ERROR:
        sip = SIP_OUTCOMES.get((params.get("SipResponseCode") or "").strip())
        return sip or outcome_for_error_code(params.get("ErrorCode"), Outcome.PROVIDER_ERROR)
    return outcome
