# SPDX-License-Identifier: Apache-2.0
"""Twilio error codes and HTTP error responses, as DESIGN.md §6 outcomes and retry classes.

The same code means the same outcome whether it comes back at send time (an HTTP 400 body) or
later in a status callback's `ErrorCode`. Only the numeric code is kept: Twilio's messages quote
the phone number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from rightparty.channels.reports import parse_retry_after
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Outcome

ERROR_OUTCOMES: Mapping[int, Outcome] = {
    13224: Outcome.INVALID_NUMBER,  # Dial: invalid phone number
    21211: Outcome.INVALID_NUMBER,  # invalid 'To' phone number
    21214: Outcome.NOT_IN_SERVICE,  # 'To' phone number cannot be reached
    21217: Outcome.INVALID_NUMBER,  # phone number does not appear to be valid
    21401: Outcome.INVALID_NUMBER,  # invalid phone number
    21407: Outcome.INVALID_NUMBER,  # this number type does not support SMS
    21610: Outcome.OPTED_OUT,  # the recipient replied STOP
    21612: Outcome.NOT_IN_SERVICE,  # 'To' is not currently reachable by SMS
    21614: Outcome.INVALID_NUMBER,  # 'To' is not a mobile number
    30003: Outcome.POWERED_OFF,  # unreachable destination handset (off, no signal)
    30004: Outcome.BLOCKED,  # message blocked (the handset or its plan blocks us)
    30005: Outcome.NOT_IN_SERVICE,  # unknown destination handset (number inactive)
    30006: Outcome.INVALID_NUMBER,  # landline or unreachable carrier
    30007: Outcome.UNDELIVERED,  # filtered by the carrier: not the customer's doing
    30008: Outcome.UNDELIVERED,  # unknown error at the carrier
}
"""Codes that say something about the recipient; any other code is the provider's business."""

RATE_LIMITED = 429
_RETRYABLE_HTTP = frozenset({408, 429})
_ACCOUNT_HTTP = frozenset({401, 403, 404})
"""Credentials, account or endpoint problems: another provider may succeed where this one can't."""


@dataclass(frozen=True, slots=True)
class ErrorVerdict:
    status: DeliveryStatus
    outcome: Outcome | None
    error_code: str
    retry_after: float | None = None


def error_code_of(body: bytes | str) -> int | None:
    """The `code` of a Twilio error body (`{"code": 21211, "message": …, "status": 400}`)."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    code = document.get("code") if isinstance(document, dict) else None
    if isinstance(code, int):
        return code
    return int(code) if isinstance(code, str) and code.isdigit() else None


def classify_error_response(
    status_code: int, body: bytes | str, retry_after: str | None, now: datetime
) -> ErrorVerdict:
    """A non-2xx answer from a Twilio-compatible API, as a delivery status and outcome.

    A recipient code (`ERROR_OUTCOMES`) is permanent; 408, 429 and 5xx are transient (429 with its
    `Retry-After`); 401/403/404 are transient too, because another provider may succeed; any other
    4xx is a permanent `provider_error` (the request itself was wrong).
    """
    code = error_code_of(body)
    error_code = f"twilio_{code}" if code is not None else f"http_{status_code}"
    if code is not None and code in ERROR_OUTCOMES and 400 <= status_code < 500:
        return ErrorVerdict(DeliveryStatus.PERMANENT_FAILURE, ERROR_OUTCOMES[code], error_code)
    if status_code in _RETRYABLE_HTTP or status_code >= 500 or status_code in _ACCOUNT_HTTP:
        wait = parse_retry_after(retry_after, now) if status_code == RATE_LIMITED else None
        return ErrorVerdict(
            DeliveryStatus.TRANSIENT_FAILURE, Outcome.PROVIDER_ERROR, error_code, wait
        )
    return ErrorVerdict(DeliveryStatus.PERMANENT_FAILURE, Outcome.PROVIDER_ERROR, error_code)


def outcome_for_error_code(code: str | int | None, default: Outcome) -> Outcome:
    """The outcome a callback's `ErrorCode` names; `default` if it is not about the recipient."""
    if code is None or (isinstance(code, str) and not code.strip().isdigit()):
        return default
    return ERROR_OUTCOMES.get(int(code), default)
