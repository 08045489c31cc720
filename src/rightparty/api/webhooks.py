# SPDX-License-Identifier: Apache-2.0
"""Provider webhooks: Twilio status callbacks and inbound SMS.

Both run the same admission (`twilio_requests.signed_twilio_form`) before anything else: an
unsigned, wrongly signed or stale request is a 403 and touches nothing.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import Response

from rightparty.api.context import Context
from rightparty.api.schemas import InboundMessage, StatusCallback
from rightparty.api.twilio_requests import SignedForm
from rightparty.api.twiml import twiml
from rightparty.channels.providers.twilio.callbacks import (
    call_status_outcome,
    message_status_outcome,
)
from rightparty.usecases.delivery_callbacks import ProviderStatus, record_provider_status
from rightparty.usecases.inbound import InboundText, handle_inbound_text

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
logger = logging.getLogger("rightparty.api.webhooks")
PROVIDER = "twilio"


@router.post("/twilio/status")
def twilio_status(form: SignedForm, context: Context) -> dict[str, str]:
    """A Messages or Calls status callback; a final status is folded into its attempt.

    Answers `{"result": …}`: `applied`, `part_recorded` (one part of a split SMS), `not_final`
    (queued, sent, ringing, in-progress: acknowledged, nothing changes), `already_final` (a
    repeated callback) or `held` (a final status for a sid whose send is not recorded yet: it is
    applied when it is).
    """
    callback = StatusCallback.model_validate(form)
    outcome = call_status_outcome(form) if callback.is_call else message_status_outcome(form)
    application = context.application
    status = ProviderStatus(
        providers=context.webhooks.twilio_providers,
        message_id=callback.sid,
        outcome=outcome,
        at=application.clock.now(),
    )
    result = record_provider_status(status, application.unit_of_work(), plans=context.plans)
    logger.info("twilio status sid=%s outcome=%s result=%s", callback.sid, outcome, result)
    return {"result": result.value}


@router.post("/twilio/inbound")
def twilio_inbound(form: SignedForm, context: Context) -> Response:
    """An inbound SMS. An opt-out keyword is stored and committed before this answers, with one
    confirmation; HELP and INFO get the help text; anything else an empty answer."""
    message = InboundMessage.model_validate(form)
    application = context.application
    text = InboundText(PROVIDER, message.message_sid, message.sender, message.body)
    reply = handle_inbound_text(
        text,
        application.unit_of_work(),
        application.clock,
        help_message=context.webhooks.help_message,
    )
    # The sid and intent only: the sender's number and the body are personal data.
    logger.info(
        "twilio inbound sid=%s intent=%s customers_changed=%d",
        message.message_sid,
        reply.intent,
        len(reply.customers),
    )
    return twiml(reply.reply)
