# SPDX-License-Identifier: Apache-2.0
"""Admitting a Twilio webhook: signed by the account's auth token over the public URL, and fresh.

The checks themselves are the provider's pure functions (`channels.providers.twilio.callbacks`);
this module only feeds them the request as Twilio saw it. Behind a proxy the URL the application
sees differs from the one Twilio signed, so the signed URL is `public_base_url` followed by the
request's path and query.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from rightparty.api.context import Context
from rightparty.api.errors import (
    callback_stale,
    signature_invalid,
    signature_missing,
    webhooks_not_configured,
)
from rightparty.channels.providers.twilio.callbacks import is_stale, validate_twilio_signature

SIGNATURE_HEADER = "X-Twilio-Signature"


def public_url(base_url: str, request: Request) -> str:
    query = request.url.query
    return f"{base_url}{request.url.path}" + (f"?{query}" if query else "")


async def signed_twilio_form(request: Request, context: Context) -> Mapping[str, str]:
    """The form parameters of a genuine, fresh Twilio request (first value of each name), or a
    403 problem; nothing is read from storage before this has passed."""
    settings = context.webhooks
    if settings.public_base_url is None or settings.twilio_auth_token is None:
        raise webhooks_not_configured()
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        raise signature_missing()
    form = await request.form()
    params = {name: [str(value) for value in form.getlist(name)] for name in form}
    url = public_url(settings.public_base_url, request)
    if not validate_twilio_signature(url, params, signature, settings.twilio_auth_token):
        raise signature_invalid()
    first = {name: values[0] for name, values in params.items() if values}
    now = context.application.clock.now()
    if is_stale(first, now=now, max_age=timedelta(seconds=settings.max_callback_age_seconds)):
        raise callback_stale()
    return first


SignedForm = Annotated[Mapping[str, str], Depends(signed_twilio_form)]
