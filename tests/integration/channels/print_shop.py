# SPDX-License-Identifier: Apache-2.0
"""A print queue folder that counts what it really queued and can be out of order.

It is the real `FolderPrintQueue` with two test affordances: `queued(job_id)` counts the letters
written for a job, and a letter addressed to `OUTAGE_ADDRESS` meets a queue that is unavailable
(the share unmounted, say), so the contract suite has an address the backend refuses for now.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rightparty.channels.providers.letter import (
    FolderPrintQueue,
    PrintJob,
    PrintQueueUnavailable,
    PrintReceipt,
)

OUTAGE_ADDRESS = "Print Outage House, 503 Queue Street, Springfield"
ACCEPTED_ADDRESS = "Jane Customer, 1 Main Street, Springfield, IL 62701"
INCOMPLETE_ADDRESS = "1, 2, 3, 4, 5, 6, 7"
"""Seven lines: more than any postal standard prints."""


class PrintShop(FolderPrintQueue):
    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self._queued: Counter[str] = Counter()

    def submit(self, job: PrintJob) -> PrintReceipt:
        if ", ".join(job.recipient) == OUTAGE_ADDRESS:
            raise PrintQueueUnavailable("OSError")
        receipt = super().submit(job)
        if not receipt.duplicate:
            self._queued[job.job_id] += 1
        return receipt

    def queued(self, job_id: str) -> int:
        return self._queued[job_id]
