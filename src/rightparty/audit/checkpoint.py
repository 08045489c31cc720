# SPDX-License-Identifier: Apache-2.0
"""Signed checkpoints: the log's tree head at a size and an instant, signed with Ed25519.

A signed checkpoint is a C2SP signed note (c2sp.org/signed-note) whose text follows
c2sp.org/tlog-checkpoint, with one extension line for the time:

    bank.example/rightparty-audit
    1042
    3q2+7w...=                        (base64 of the 32-byte root)
    time 2026-03-02T12:00:05.000000Z

    — bank.example/rightparty-audit AbCd...   (base64 of a 4-byte key id and a 64-byte signature)

The origin names the log, so a checkpoint of one log cannot stand in for another's; the key id is
the first 4 bytes of SHA-256(origin || 0x0A || 0x01 || public key), 0x01 being signed-note's Ed25519
type; the signature covers the text exactly. A witness may add its own line to the same note;
`verify` ignores lines by other keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from rightparty.audit.errors import InvalidCheckpoint, InvalidEncoding
from rightparty.audit.merkle import HASH_SIZE, MAX_TREE_SIZE
from rightparty.audit.timestamps import format_instant, parse_instant

ED25519_TYPE = b"\x01"
MAX_NOTE_BYTES = 65536
MAX_SIGNATURES = 100
_NAME = re.compile(r"[!-*,-~]{1,256}\Z")  # printable ASCII without space or '+'
_SIZE = re.compile(r"(0|[1-9][0-9]{0,19})\Z")
_DASH = "\u2014 "


class CheckpointSigner(Protocol):
    """What signs checkpoints: an `Ed25519PrivateKey`, or a KMS adapter with these two methods."""

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> Ed25519PublicKey: ...


def require_origin(origin: object) -> None:
    """Refuse a log name that cannot be a signed-note key name."""
    if not (isinstance(origin, str) and _NAME.match(origin)):
        message = "origin must be 1-256 printable ASCII characters without spaces or '+'"
        raise ValueError(message)


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    """The head (size, root) of the log named `origin`, as it stood at `issued_at` (UTC)."""

    origin: str
    size: int
    root: bytes
    issued_at: datetime

    def __post_init__(self) -> None:
        require_origin(self.origin)
        if isinstance(self.size, bool) or not 0 <= self.size <= MAX_TREE_SIZE:
            message = "size must be an integer in 0..2**64-1"
            raise ValueError(message)
        root: object = self.root
        if not (isinstance(root, bytes) and len(root) == HASH_SIZE):
            message = "root must be 32 bytes"
            raise ValueError(message)
        issued_at: object = self.issued_at
        if not (isinstance(issued_at, datetime) and issued_at.utcoffset() is not None):
            message = "issued_at must be a timezone-aware datetime"
            raise ValueError(message)
        if issued_at.tzinfo is not UTC:
            object.__setattr__(self, "issued_at", issued_at.astimezone(UTC))

    def note_text(self) -> bytes:
        """The exact bytes a signature covers."""
        return (
            f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"
            f"time {format_instant(self.issued_at)}\n"
        ).encode("ascii")

    @classmethod
    def parse_note_text(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) != 5 or lines[4] != "":
            message = "checkpoint text is not four lines: origin, size, root, time"
            raise InvalidEncoding(message)
        origin, size_text, root_text, time_line, _ = lines
        if _SIZE.match(size_text) is None:
            message = "checkpoint size is not a decimal number without leading zeros"
            raise InvalidEncoding(message)
        if not time_line.startswith("time "):
            message = "checkpoint has no time line"
            raise InvalidEncoding(message)
        try:
            checkpoint = cls(
                origin=origin,
                size=int(size_text),
                root=_strict_base64(root_text),
                issued_at=parse_instant(time_line.removeprefix("time ")),
            )
        except ValueError as error:
            message = "checkpoint fields are invalid"
            raise InvalidEncoding(message) from error
        if checkpoint.note_text() != text.encode("ascii"):
            message = "checkpoint text is not in canonical form"
            raise InvalidEncoding(message)
        return checkpoint


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: the signer's name, its 4-byte key id and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{_DASH}{self.name} {blob}\n"


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedCheckpoint:
    """A checkpoint with its signature lines; `encode`/`decode` give the signed-note text."""

    checkpoint: Checkpoint
    signatures: tuple[NoteSignature, ...]

    def encode(self) -> bytes:
        lines = "".join(signature.line() for signature in self.signatures)
        return self.checkpoint.note_text() + b"\n" + lines.encode("utf-8")

    @classmethod
    def decode(cls, data: bytes) -> SignedCheckpoint:
        if len(data) > MAX_NOTE_BYTES:
            message = f"a signed checkpoint is at most {MAX_NOTE_BYTES} bytes"
            raise InvalidEncoding(message)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            message = "signed checkpoint is not UTF-8"
            raise InvalidEncoding(message) from error
        body, separator, signature_block = text.partition("\n\n")
        if not separator or not signature_block.endswith("\n"):
            message = "signed checkpoint has no blank line followed by signature lines"
            raise InvalidEncoding(message)
        checkpoint = Checkpoint.parse_note_text(body + "\n")
        lines = signature_block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            message = f"a signed checkpoint carries at most {MAX_SIGNATURES} signatures"
            raise InvalidEncoding(message)
        signatures = tuple(_parse_signature_line(line) for line in lines)
        return cls(checkpoint=checkpoint, signatures=signatures)


def key_id(origin: str, public_key: Ed25519PublicKey) -> bytes:
    """The signed-note key id of an Ed25519 key named `origin`."""
    material = origin.encode("ascii") + b"\n" + ED25519_TYPE + public_key.public_bytes_raw()
    return hashlib.sha256(material).digest()[:4]


def sign(checkpoint: Checkpoint, signer: CheckpointSigner) -> SignedCheckpoint:
    """Sign `checkpoint` under its origin."""
    signature = signer.sign(checkpoint.note_text())
    line = NoteSignature(
        name=checkpoint.origin,
        key_id=key_id(checkpoint.origin, signer.public_key()),
        signature=signature,
    )
    return SignedCheckpoint(checkpoint=checkpoint, signatures=(line,))


def verify(signed: SignedCheckpoint, public_key: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint, if a line named after its origin carries a valid signature by `public_key`.

    Raises `InvalidCheckpoint` otherwise; lines by other keys (witnesses) are ignored.
    """
    checkpoint = signed.checkpoint
    expected = key_id(checkpoint.origin, public_key)
    candidates = [
        line
        for line in signed.signatures
        if line.name == checkpoint.origin and line.key_id == expected
    ]
    if not candidates:
        message = f"checkpoint at size {checkpoint.size} carries no signature by the log's key"
        raise InvalidCheckpoint(message)
    text = checkpoint.note_text()
    for line in candidates:
        try:
            public_key.verify(line.signature, text)
        except InvalidSignature:
            continue
        return checkpoint
    message = f"checkpoint at size {checkpoint.size} has an invalid signature"
    raise InvalidCheckpoint(message)


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(_DASH):
        message = "a signature line starts with an em dash and a space"
        raise InvalidEncoding(message)
    parts = line.removeprefix(_DASH).split(" ")
    if len(parts) != 2 or _NAME.match(parts[0]) is None:
        message = "a signature line is a name and a base64 blob"
        raise InvalidEncoding(message)
    blob = _strict_base64(parts[1])
    if len(blob) < 5:
        message = "a signature blob holds a 4-byte key id and a signature"
        raise InvalidEncoding(message)
    return NoteSignature(name=parts[0], key_id=blob[:4], signature=blob[4:])


def _strict_base64(text: str) -> bytes:
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        message = "not standard base64"
        raise InvalidEncoding(message) from error
    if base64.b64encode(decoded).decode("ascii") != text:
        message = "base64 is not in canonical form"
        raise InvalidEncoding(message)
    return decoded
