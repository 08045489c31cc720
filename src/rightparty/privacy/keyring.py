# SPDX-License-Identifier: Apache-2.0
"""The local keyring: the embedded default's KEKs and blind-index root in one JSON file.

The file is created with mode 0600 and refused (`KeyringPermissionsTooOpen`) whenever its group or
others may read or write it, like OpenSSH refuses a private key. Every write goes to a temporary
0600 file that replaces the keyring atomically, under an exclusive lock, so a crash never leaves
half a keyring. A `LocalKeyring` notices when another process rotated or retired a version (it
compares the file's identity before each key operation) and reloads.

Layout (format_version 1)::

    {
        "format": "rightparty-keyring",
        "format_version": 1,
        "kek_id": "local-…",
        "current_version": 2,
        "versions": {"1": {"state": "retired"}, "2": {"state": "active", "key": "<base64>"}},
        "blind_index_root": "<base64>",
    }

POSIX only: the permission model and the lock (`fcntl`) are POSIX's.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rightparty.privacy.errors import (
    KeyMaterialInvalid,
    KeyringAlreadyExists,
    KeyringCorrupt,
    KeyringError,
    KeyringNotFound,
    KeyringPermissionsTooOpen,
)
from rightparty.privacy.keys import KekState, KeySet, KeySetProvider, decode_key, encode_key

_FORMAT = "rightparty-keyring"
_FORMAT_VERSION = 1
_FILE_MODE = 0o600
_DIRECTORY_MODE = 0o700
_TOO_OPEN = 0o077

_Signature = tuple[int, int, int, int, int]


class LocalKeyring(KeySetProvider):
    """A `KeyProvider` backed by a 0600 JSON file. Build it with `create`, `open` or
    `open_or_create`; `rightparty init` calls `open_or_create(settings.keys.keyring)`."""

    def __init__(self, path: Path, keyset: KeySet, signature: _Signature) -> None:
        super().__init__(keyset)
        self._path = path
        self._signature = signature

    @classmethod
    def create(cls, path: Path | str, *, kek_id: str | None = None) -> LocalKeyring:
        """Write a new keyring (KEK version 1 and a blind-index root); refuse an existing file."""
        path = Path(path)
        keyset = KeySet.generate(kek_id=kek_id or f"local-{secrets.token_hex(8)}", source=str(path))
        path.parent.mkdir(mode=_DIRECTORY_MODE, parents=True, exist_ok=True)
        with _exclusive_lock(path):
            _write(path, keyset, replace=False)
        return cls.open(path)

    @classmethod
    def open(cls, path: Path | str) -> LocalKeyring:
        """Load an existing keyring, refusing one that group or others may read or write."""
        path = Path(path)
        keyset, signature = _read(path)
        return cls(path, keyset, signature)

    @classmethod
    def open_or_create(cls, path: Path | str) -> LocalKeyring:
        """Open the keyring at `path`, creating it first if there is none (idempotent)."""
        try:
            return cls.open(path)
        except KeyringNotFound:
            pass
        try:
            return cls.create(path)
        except KeyringAlreadyExists:
            return cls.open(path)

    @property
    def path(self) -> Path:
        return self._path

    def rotate_kek(self) -> int:
        """Add a KEK version and make it current; return it. Data keys keep their wrapping until
        `FieldCipher.rewrap_all` moves them; nothing else changes."""
        with self._lock, _exclusive_lock(self._path):
            keyset, _ = _read(self._path)
            rotated = keyset.rotated()
            _write(self._path, rotated, replace=True)
            self._keyset, self._signature = _read(self._path)
            return rotated.current

    def retire_kek_version(self, version: int) -> None:
        """Destroy a KEK version's material (only its number stays, so errors can say "retired").

        Call it after `rewrap_all` finished and `FieldCipher.kek_usage()` shows no key under it:
        anything still wrapped under the version, backups included, becomes unreadable.
        """
        with self._lock, _exclusive_lock(self._path):
            keyset, _ = _read(self._path)
            _write(self._path, keyset.without(version), replace=True)
            self._keyset, self._signature = _read(self._path)

    def _current(self) -> KeySet:
        try:
            signature = _signature(self._path.stat())
        except FileNotFoundError:
            raise KeyringNotFound(path=self._path, reason="the file is gone") from None
        if signature != self._signature:
            with self._lock:
                self._keyset, self._signature = _read(self._path)
        return self._keyset

    def __repr__(self) -> str:
        return (
            f"LocalKeyring(path={str(self._path)!r}, kek_id={self._keyset.kek_id!r}, "
            f"current_version={self._keyset.current})"
        )


def _signature(info: os.stat_result) -> _Signature:
    # ctime too: a chmod changes nothing else, and a keyring opened up must be refused at once.
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size)


def _read(path: Path) -> tuple[KeySet, _Signature]:
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise KeyringNotFound(path=path, reason="no such file; run `rightparty init`") from None
    except PermissionError:
        raise KeyringError(path=path, reason="this process may not read it") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise KeyringCorrupt(path=path, reason="not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if mode & _TOO_OPEN:
            raise KeyringPermissionsTooOpen(path=path, mode=mode)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            raw = handle.read()
    finally:
        os.close(descriptor)
    return _parse(path, raw), _signature(info)


def _parse(path: Path, raw: bytes) -> KeySet:
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise KeyringCorrupt(path=path, reason="not JSON") from None
    try:
        return _keyset(path, document)
    except KeyMaterialInvalid as error:
        raise KeyringCorrupt(path=path, reason=error.reason) from None


def _keyset(path: Path, document: object) -> KeySet:
    def corrupt(reason: str) -> KeyringCorrupt:
        return KeyringCorrupt(path=path, reason=reason)

    if not isinstance(document, dict) or document.get("format") != _FORMAT:
        raise corrupt(f"not a {_FORMAT} file")
    if document.get("format_version") != _FORMAT_VERSION:
        raise corrupt(f"unsupported format_version (this release reads {_FORMAT_VERSION})")
    kek_id, current, entries = (
        document.get("kek_id"),
        document.get("current_version"),
        document.get("versions"),
    )
    if not isinstance(kek_id, str) or not isinstance(current, int) or not isinstance(entries, dict):
        raise corrupt("kek_id, current_version or versions is missing or mistyped")
    versions: dict[int, bytes] = {}
    retired: set[int] = set()
    for number, entry in entries.items():
        if not (number.isascii() and number.isdigit()) or not isinstance(entry, dict):
            raise corrupt("a versions entry is malformed")
        version = int(number)
        if entry.get("state") == KekState.RETIRED:
            retired.add(version)
        elif entry.get("state") == KekState.ACTIVE and isinstance(entry.get("key"), str):
            versions[version] = decode_key(f"version {version}", entry["key"])
        else:
            raise corrupt(f"version {version} has no valid state or key")
    root = document.get("blind_index_root")
    if not isinstance(root, str):
        raise corrupt("blind_index_root is missing")
    return KeySet(
        kek_id=kek_id,
        versions=versions,
        current=current,
        blind_index_root=decode_key("blind_index_root", root),
        retired=frozenset(retired),
        source=str(path),
    )


def _document(keyset: KeySet) -> dict[str, Any]:
    entries: dict[str, dict[str, str]] = {}
    for version, state in keyset.states().items():
        if state is KekState.RETIRED:
            entries[str(version)] = {"state": state.value}
        else:
            entries[str(version)] = {
                "state": state.value,
                "key": encode_key(keyset.versions[version]),
            }
    return {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "kek_id": keyset.kek_id,
        "current_version": keyset.current,
        "versions": entries,
        "blind_index_root": encode_key(keyset.blind_index_root),
    }


def _write(path: Path, keyset: KeySet, *, replace: bool) -> None:
    data = json.dumps(_document(keyset), indent=2).encode("utf-8") + b"\n"
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), _FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            temporary.replace(path)
        else:
            try:
                path.hardlink_to(temporary)
            except FileExistsError:
                reason = "a keyring already exists; refusing to overwrite its keys"
                raise KeyringAlreadyExists(path=path, reason=reason) from None
    finally:
        temporary.unlink(missing_ok=True)
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Serialise writers across processes with a sidecar lock file (the keyring itself is replaced
    on every write, so a lock on it would not outlive the write)."""
    lock_path = path.with_name(f".{path.name}.lock")
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, _FILE_MODE)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
