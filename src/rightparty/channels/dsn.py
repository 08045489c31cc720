# SPDX-License-Identifier: Apache-2.0
"""Email delivery outcomes: SMTP replies at send time and delivery-status notifications later.

RFC 3463 enhanced status codes decide the outcome for both, so an immediate `550 5.1.1` and a
bounce report with `Status: 5.1.1` mean the same thing (`unknown_recipient`). RFC 3464 reports
(`multipart/report; report-type=delivery-status`) are parsed with the standard `email` package.
Addresses and server texts are kept out of reprs and error codes; they are personal data.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message
from enum import StrEnum

from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Outcome

_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
_UNKNOWN_RECIPIENT = {("1", "0"), ("1", "1"), ("1", "3"), ("1", "6"), ("1", "10")}
_MAILBOX_FULL = {("2", "2"), ("3", "1")}
_POLICY_SUBJECT = "7"
_BASIC_REPLY_STATUS = {551: "5.1.6", 552: "5.2.2", 553: "5.1.3"}
"""RFC 5321 reply codes that say more than "mailbox unavailable" when no enhanced code is given."""


def envelope_id_for(idempotency_key: str) -> str:
    """The DSN `ENVID` (and Message-ID local part) for an attempt: 32 hex digits, xtext-safe."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def enhanced_status(text: str) -> str | None:
    """The RFC 3463 code (`5.1.1`) at the start of a reply text or status field, if any."""
    found = _ENHANCED.match(text)
    return ".".join(found.groups()) if found else None


def outcome_for_status(status: str) -> Outcome:
    """The §6 outcome of a final failure with enhanced status `status` (`5.1.1`, `4.2.2`, …).

    Unknown mailbox → `unknown_recipient`; mailbox full or system storage → `bounced_soft` (the
    address is fine); policy refusal (x.7.x) → `blocked`; any other 5.x.x → `bounced_hard`; any
    4.x.x the sender finally gave up on → `bounced_soft`.
    """
    klass, subject, detail = status.split(".")
    if (subject, detail) in _UNKNOWN_RECIPIENT:
        return Outcome.UNKNOWN_RECIPIENT
    if (subject, detail) in _MAILBOX_FULL:
        return Outcome.BOUNCED_SOFT
    if subject == _POLICY_SUBJECT and klass == "5":
        return Outcome.BLOCKED
    return Outcome.BOUNCED_HARD if klass == "5" else Outcome.BOUNCED_SOFT


@dataclass(frozen=True, slots=True)
class ReplyClassification:
    status: DeliveryStatus
    outcome: Outcome | None
    error_code: str


def classify_smtp_reply(code: int, text: str | bytes = "") -> ReplyClassification:
    """What an SMTP refusal means: 5xx is permanent, 4xx transient (`bounced_soft`).

    Only the numeric codes reach `error_code` (`smtp_550_5.1.1`); the server's text may echo the
    address and is not kept.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    status = enhanced_status(text)
    error_code = f"smtp_{code}" + (f"_{status}" if status else "")
    if 500 <= code < 600:
        if status is None or not status.startswith("5"):
            status = _BASIC_REPLY_STATUS.get(code, "5.0.0")
        return ReplyClassification(
            DeliveryStatus.PERMANENT_FAILURE, outcome_for_status(status), error_code
        )
    if 400 <= code < 500:
        return ReplyClassification(
            DeliveryStatus.TRANSIENT_FAILURE, Outcome.BOUNCED_SOFT, error_code
        )
    return ReplyClassification(DeliveryStatus.TRANSIENT_FAILURE, Outcome.PROVIDER_ERROR, error_code)


class DsnAction(StrEnum):
    FAILED = "failed"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    RELAYED = "relayed"
    EXPANDED = "expanded"


@dataclass(frozen=True, slots=True)
class RecipientReport:
    """One per-recipient block of a DSN. `final` is false for `delayed` (the MTA keeps trying)."""

    action: DsnAction
    status: str
    outcome: Outcome
    final: bool
    final_recipient: str | None = field(default=None, repr=False)
    diagnostic_code: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """A parsed delivery-status notification and the message it is about.

    `original_envelope_id` is the `ENVID` we gave at `MAIL FROM` when the relay supports DSN;
    `original_message_id` the `Message-ID` of the returned headers. The SMTP provider sets both from
    the attempt's idempotency key, and reports the Message-ID as `provider_message_id`.
    """

    recipients: tuple[RecipientReport, ...]
    original_envelope_id: str | None = None
    original_message_id: str | None = None
    reporting_mta: str | None = None

    @property
    def outcome(self) -> Outcome:
        """The first final recipient's outcome, else the first recipient's."""
        finals = [recipient for recipient in self.recipients if recipient.final]
        return (finals or list(self.recipients))[0].outcome


class NotADeliveryReport(ValueError):
    """The message is not an RFC 3464 report (or has no per-recipient block)."""


def parse_dsn(raw: bytes | str | Message) -> DeliveryReport:
    """Parse an RFC 3464 delivery-status notification. Raises `NotADeliveryReport`."""
    if isinstance(raw, Message):
        report = raw
    elif isinstance(raw, bytes):
        report = email.message_from_bytes(raw, policy=email.policy.compat32)
    else:
        report = email.message_from_string(raw, policy=email.policy.compat32)
    if report.get_content_type() != "multipart/report":
        message = "not a multipart/report message"
        raise NotADeliveryReport(message)
    status_part = _first_part(report, "message/delivery-status")
    if status_part is None:
        message = "the report has no message/delivery-status part"
        raise NotADeliveryReport(message)
    payload = status_part.get_payload()
    blocks = (
        [block for block in payload if isinstance(block, Message)]
        if isinstance(payload, list)
        else []
    )
    if len(blocks) < 2:
        message = "the delivery-status part has no per-recipient block"
        raise NotADeliveryReport(message)
    per_message = blocks[0]
    recipients = tuple(_recipient(block) for block in blocks[1:])
    return DeliveryReport(
        recipients=recipients,
        original_envelope_id=_field(per_message, "Original-Envelope-Id"),
        original_message_id=_original_message_id(report),
        reporting_mta=_typed_value(_field(per_message, "Reporting-MTA")),
    )


def _first_part(report: Message, content_type: str) -> Message | None:
    for part in report.walk():
        if part.get_content_type() == content_type:
            return part
    return None


def _field(block: Message, name: str) -> str | None:
    value = block.get(name)
    return " ".join(str(value).split()) if value is not None else None


def _typed_value(value: str | None) -> str | None:
    """`rfc822; a@b` → `a@b`: drop the address-type (RFC 3464 §2.1.2)."""
    if value is None:
        return None
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def _recipient(block: Message) -> RecipientReport:
    action_text = (_field(block, "Action") or "").lower()
    status_text = _field(block, "Status") or ""
    try:
        action = DsnAction(action_text)
    except ValueError as error:
        message = "a per-recipient block has no valid Action field"
        raise NotADeliveryReport(message) from error
    status = enhanced_status(status_text)
    if status is None:
        message = "a per-recipient block has no valid Status field"
        raise NotADeliveryReport(message)
    if action in (DsnAction.DELIVERED, DsnAction.RELAYED, DsnAction.EXPANDED):
        outcome, final = Outcome.DELIVERED, True
    elif action is DsnAction.DELAYED:
        outcome, final = Outcome.BOUNCED_SOFT, False
    else:
        outcome, final = outcome_for_status(status), True
    return RecipientReport(
        action=action,
        status=status,
        outcome=outcome,
        final=final,
        final_recipient=_typed_value(_field(block, "Final-Recipient")),
        diagnostic_code=_typed_value(_field(block, "Diagnostic-Code")),
    )


def _original_message_id(report: Message) -> str | None:
    headers = _first_part(report, "text/rfc822-headers")
    if headers is not None:
        payload = headers.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        returned = email.message_from_string(text, policy=email.policy.compat32)
        return _field(returned, "Message-ID")
    original = _first_part(report, "message/rfc822")
    if original is not None:
        inner = original.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return _field(inner[0], "Message-ID")
    return None
