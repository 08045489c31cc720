# SPDX-License-Identifier: Apache-2.0
"""Where rendered letters go: the `PrintQueue` port and its default adapter, a folder.

A print house (or a print-and-mail API) takes one job per letter. The folder adapter writes
`<job id>.json` (a manifest without personal data) and then `<job id>.pdf`, each to a hidden
temporary file first and then linked into place, so a pickup process that watches for `*.pdf`
never sees half a letter and its manifest is always there before it. Files are mode 0600: the
PDF carries the customer's address. A job id already in the folder is not written again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

_FILE_MODE = 0o600
_FOLDER_MODE = 0o700


class PrintQueueUnavailable(Exception):
    """The queue cannot take a job now (disk full, share unmounted, API down); try again later."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"print queue unavailable: {reason}")
        self.reason = reason


def job_id_for(idempotency_key: str) -> str:
    """The job id of an attempt's letter: a digest of the key, safe as a file name."""
    return "letter-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class PrintJob:
    """One letter for the print queue.

    `recipient` holds the address lines for adapters that need them apart from the PDF (a
    print-and-mail API addressing an envelope); `repr` hides them. `manifest` is what may be
    written beside the document: no name, no address, no body.
    """

    job_id: str
    document: bytes
    pages: int
    recipient: tuple[str, ...]
    manifest: dict[str, str | int]

    def __repr__(self) -> str:
        return f"PrintJob(job_id={self.job_id!r}, pages={self.pages}, recipient='***')"


@dataclass(frozen=True, slots=True)
class PrintReceipt:
    """The queue's answer: the job id it holds and whether it already held it before this call."""

    job_id: str
    duplicate: bool = False


class PrintQueue(Protocol):
    def submit(self, job: PrintJob) -> PrintReceipt:
        """Queue `job` once; a job id already queued answers `duplicate=True` and writes nothing.

        Raises `PrintQueueUnavailable` when the job could not be queued now.
        """
        ...


class FolderPrintQueue:
    """A folder a print pickup process (or an operator) empties; the default adapter."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def document_path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.pdf"

    def manifest_path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def submit(self, job: PrintJob) -> PrintReceipt:
        document = self.document_path(job.job_id)
        try:
            self.folder.mkdir(mode=_FOLDER_MODE, parents=True, exist_ok=True)
            if document.exists():
                return PrintReceipt(job.job_id, duplicate=True)
            manifest = {
                **job.manifest,
                "job_id": job.job_id,
                "pages": job.pages,
                "sha256": hashlib.sha256(job.document).hexdigest(),
            }
            text = json.dumps(manifest, sort_keys=True, indent=2) + "\n"
            self._place(self.manifest_path(job.job_id), text.encode(), replace=True)
            if not self._place(document, job.document, replace=False):
                return PrintReceipt(job.job_id, duplicate=True)
        except OSError as error:
            raise PrintQueueUnavailable(type(error).__name__) from None
        return PrintReceipt(job.job_id)

    def _place(self, target: Path, content: bytes, *, replace: bool) -> bool:
        """Write `content` to `target` atomically; False if `target` exists and not `replace`."""
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=self.folder)
        temporary = Path(name)
        try:
            # mkstemp already opens 0600; chmod guards against an unusual umask or platform.
            os.fchmod(handle, _FILE_MODE)
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            if replace:
                temporary.replace(target)
                return True
            try:
                # A hard link never replaces: of two writers of one job, exactly one wins.
                target.hardlink_to(temporary)
            except FileExistsError:
                return False
            return True
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()

    def jobs(self) -> list[str]:
        """Job ids whose document is in the folder, oldest name first."""
        if not self.folder.exists():
            return []
        return sorted(path.stem for path in self.folder.glob("letter-*.pdf"))


def manifest_for(
    *, attempt_id: str, purpose: str, locale: str, reference_code: str, created_at: datetime
) -> dict[str, str | int]:
    """The manifest fields a provider passes; the queue adds the job id, pages and digest."""
    return {
        "attempt_id": attempt_id,
        "purpose": purpose,
        "locale": locale,
        "reference_code": reference_code,
        "created_at": created_at.isoformat(),
        "paper": "A4",
    }
