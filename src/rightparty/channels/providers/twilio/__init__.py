# SPDX-License-Identifier: Apache-2.0
"""The Twilio-compatible provider and the pure functions its status callbacks need."""

from rightparty.channels.providers.twilio.callbacks import (
    call_status_outcome,
    is_stale,
    message_status_outcome,
    twilio_signature,
    validate_twilio_body_signature,
    validate_twilio_signature,
)
from rightparty.channels.providers.twilio.codes import ERROR_OUTCOMES, classify_error_response
from rightparty.channels.providers.twilio.provider import TwilioProvider, TwilioSettings

__all__ = [
    "ERROR_OUTCOMES",
    "TwilioProvider",
    "TwilioSettings",
    "call_status_outcome",
    "classify_error_response",
    "is_stale",
    "message_status_outcome",
    "twilio_signature",
    "validate_twilio_body_signature",
    "validate_twilio_signature",
]
