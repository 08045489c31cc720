# SPDX-License-Identifier: Apache-2.0
"""Letters: the message rendered to a PDF in the customer's language and handed to a print queue.

Acceptance means the print queue holds the job; the letter is posted later, so the outcome stays
open. A letter the post office returns (addressee unknown, moved) is recorded later as
`bounced_hard`, by whoever scans the returns; nothing comes back through this provider.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from rightparty.channels.base import ChannelProvider, ProviderSettings, Resilience
from rightparty.channels.capabilities import Capabilities, ChannelLimits
from rightparty.channels.providers.letter.print_queue import (
    FolderPrintQueue,
    PrintJob,
    PrintQueue,
    PrintQueueUnavailable,
    job_id_for,
    manifest_for,
)
from rightparty.channels.providers.letter.rendering import (
    MAX_LINE_LENGTH,
    AddressInvalid,
    LetterContent,
    address_lines,
    render_letter,
)
from rightparty.channels.reports import SendReport, accepted, permanent, transient
from rightparty.domain.clock import Clock, SystemClock
from rightparty.domain.messages import OutboundMessage
from rightparty.domain.vocabulary import Channel, Outcome

MAX_BODY_CHARACTERS = 20_000
"""About six pages of text; a letter is never split into several letters."""


class LetterSettings(ProviderSettings):
    print_queue_folder: Path = Field(
        default=Path("var/print-queue"),
        description="Folder the default print queue writes to (created 0700 when missing).",
    )
    sender_lines: tuple[str, ...] = Field(
        default=(),
        max_length=6,
        description="The bank's return address, printed above the customer's address.",
    )

    @field_validator("sender_lines")
    @classmethod
    def _printable(cls, lines: tuple[str, ...]) -> tuple[str, ...]:
        if any(not line.strip() or len(line) > MAX_LINE_LENGTH for line in lines):
            message = f"each sender line needs 1 to {MAX_LINE_LENGTH} characters"
            raise ValueError(message)
        return lines


class LetterProvider(ChannelProvider[LetterSettings]):
    kind = "letter"
    settings_model = LetterSettings
    CAPABILITIES = Capabilities(
        channels={Channel.LETTER: ChannelLimits(max_length=MAX_BODY_CHARACTERS)},
        rate_limit=None,
        batch_size=1,
        notes="PDF letters (reportlab) handed to a print queue; a folder by default.",
    )

    def __init__(
        self,
        settings: LetterSettings,
        *,
        name: str | None = None,
        resilience: Resilience | None = None,
        clock: Clock | None = None,
        print_queue: PrintQueue | None = None,
    ) -> None:
        super().__init__(settings, name=name, resilience=resilience)
        self._clock = clock or SystemClock()
        self.print_queue: PrintQueue = print_queue or FolderPrintQueue(settings.print_queue_folder)

    def deliver(self, message: OutboundMessage) -> SendReport:
        try:
            recipient = address_lines(message.address)
        except AddressInvalid:
            return permanent(self.name, "letter_address_invalid", Outcome.UNKNOWN_RECIPIENT)
        now = self._clock.now()
        content = LetterContent(
            sender=self.settings.sender_lines,
            recipient=recipient,
            locale=message.locale,
            reference_code=message.reference_code,
            subject=message.subject,
            body=message.body,
        )
        rendered = render_letter(content)
        job = PrintJob(
            job_id=job_id_for(message.idempotency_key),
            document=rendered.document,
            pages=rendered.pages,
            recipient=recipient,
            manifest=manifest_for(
                attempt_id=message.attempt_id,
                purpose=message.purpose.value,
                locale=message.locale,
                reference_code=message.reference_code,
                created_at=now,
            ),
        )
        try:
            receipt = self.print_queue.submit(job)
        except PrintQueueUnavailable:
            return transient(self.name, "letter_queue_unavailable")
        return accepted(self.name, receipt.job_id)
