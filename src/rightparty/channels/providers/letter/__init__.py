# SPDX-License-Identifier: Apache-2.0
"""Letters rendered to PDF and queued for printing; the `PrintQueue` port and its folder adapter."""

from rightparty.channels.providers.letter.print_queue import (
    FolderPrintQueue,
    PrintJob,
    PrintQueue,
    PrintQueueUnavailable,
    PrintReceipt,
    job_id_for,
)
from rightparty.channels.providers.letter.provider import LetterProvider, LetterSettings
from rightparty.channels.providers.letter.rendering import (
    AddressInvalid,
    LetterContent,
    RenderedLetter,
    address_lines,
    render_letter,
)

__all__ = [
    "AddressInvalid",
    "FolderPrintQueue",
    "LetterContent",
    "LetterProvider",
    "LetterSettings",
    "PrintJob",
    "PrintQueue",
    "PrintQueueUnavailable",
    "PrintReceipt",
    "RenderedLetter",
    "address_lines",
    "job_id_for",
    "render_letter",
]
