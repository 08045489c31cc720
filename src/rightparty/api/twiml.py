# SPDX-License-Identifier: Apache-2.0
"""TwiML answers to an inbound message: one reply, or none."""

from __future__ import annotations

from xml.sax.saxutils import escape

from fastapi.responses import Response

TWIML_MEDIA_TYPE = "text/xml"


def twiml(reply: str | None) -> Response:
    """`<Response/>` (no reply) or `<Response><Message>…</Message></Response>`."""
    inner = "" if reply is None else f"<Message>{escape(reply)}</Message>"
    body = f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>'
    return Response(body.encode(), media_type=f"{TWIML_MEDIA_TYPE}; charset=utf-8")
