# SPDX-License-Identifier: Apache-2.0
"""Key-encryption keys (KEKs) and blind-index keys behind the `KeyProvider` port.

A KEK never encrypts personal data: it wraps the per-customer data keys that do. Wrapping is
AES-256-GCM with a random 96-bit nonce and associated data binding the wrapped key to the KEK id and
version and to a caller context (customer and data-key version), so a wrapped key copied to another
customer's row does not unwrap.

Adapters: `InMemoryKeyProvider` (tests, benchmarks), `EnvironmentKeyProvider` (base64 keys in
environment variables, read from a mapping the entry point passes) and `LocalKeyring`
(`rightparty.privacy.keyring`, a 0600 JSON file, the embedded default). A KMS or Vault transit
adapter implements the same Protocol; docs/privacy.md maps each method to their calls.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rightparty.privacy.errors import (
    KeyMaterialInvalid,
    KeyUnwrapFailed,
    KeyVersionInUse,
    KeyVersionRetired,
    UnknownKeyVersion,
)
from rightparty.privacy.framing import frame

KEY_BYTES = 32
KEK_KIND = "key-encryption key"
_NONCE_BYTES = 12
_TAG_BYTES = 16
_WRAP_LABEL = b"rightparty/kek-wrap/v1"
_INDEX_LABEL = b"rightparty/blind-index/v1"
_KEY_ID = re.compile(r"[A-Za-z0-9._:/-]{1,128}")


@dataclass(frozen=True, slots=True)
class WrappedKey:
    """A data key encrypted under one KEK version. `blob` is opaque to everyone but its provider
    (nonce, ciphertext and tag for the local providers; a KMS ciphertext blob for a KMS)."""

    kek_id: str
    kek_version: int
    blob: bytes


class KeyProvider(Protocol):
    """Where key-encryption keys and blind-index keys come from.

    `context` is associated data: `unwrap` and `rewrap` must be given the same context `wrap` was,
    or fail with `KeyUnwrapFailed`. A provider refuses a `WrappedKey` of another `kek_id` or of a
    version it does not hold with `UnknownKeyVersion` (`KeyVersionRetired` when it knows the version
    was retired).
    """

    @property
    def kek_id(self) -> str:
        """A stable name of this provider's KEK (a keyring id, a Vault key name, a KMS key ARN)."""
        ...

    def current_kek_version(self) -> int:
        """The version `wrap` and `rewrap` use now."""
        ...

    def wrap(self, data_key: bytes, *, context: bytes) -> WrappedKey:
        """Encrypt a data key under the current KEK version."""
        ...

    def unwrap(self, wrapped: WrappedKey, *, context: bytes) -> bytes:
        """Decrypt a data key wrapped under any version this provider still holds."""
        ...

    def rewrap(self, wrapped: WrappedKey, *, context: bytes) -> WrappedKey:
        """Re-encrypt a wrapped data key under the current KEK version (Vault `rewrap`, AWS
        `ReEncrypt`); the data key and the data it encrypts do not change."""
        ...

    def blind_index_key(self, name: str) -> bytes:
        """A 32-byte HMAC key for the blind index `name`, distinct from every KEK and from the key
        of every other name, and stable for the life of the deployment."""
        ...


class KekState(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True, eq=False)
class KeySet:
    """An immutable set of KEK versions plus a blind-index root; providers swap whole sets.

    `source` names where the material came from for error messages (a variable, a file).
    """

    kek_id: str
    versions: Mapping[int, bytes] = field(repr=False)
    current: int
    blind_index_root: bytes = field(repr=False)
    retired: frozenset[int] = frozenset()
    source: str = "memory"
    _aeads: dict[int, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _KEY_ID.fullmatch(self.kek_id):
            raise KeyMaterialInvalid(
                source=self.source, reason="the key id is not 1-128 of [A-Za-z0-9._:/-]"
            )
        for version, material in self.versions.items():
            if version < 1:
                raise KeyMaterialInvalid(
                    source=self.source, reason=f"version {version} is not positive"
                )
            if len(material) != KEY_BYTES:
                reason = f"version {version} is not {KEY_BYTES} bytes"
                raise KeyMaterialInvalid(source=self.source, reason=reason)
            if version in self.retired:
                reason = f"version {version} is both retired and present"
                raise KeyMaterialInvalid(source=self.source, reason=reason)
        if self.current not in self.versions:
            reason = f"the current version {self.current} has no key"
            raise KeyMaterialInvalid(source=self.source, reason=reason)
        if len(self.blind_index_root) != KEY_BYTES:
            reason = f"the blind-index root is not {KEY_BYTES} bytes"
            raise KeyMaterialInvalid(source=self.source, reason=reason)
        object.__setattr__(self, "versions", MappingProxyType(dict(self.versions)))
        aeads = {version: AESGCM(material) for version, material in self.versions.items()}
        object.__setattr__(self, "_aeads", aeads)

    @classmethod
    def generate(cls, *, kek_id: str, source: str = "memory") -> KeySet:
        """A fresh set: KEK version 1 and a blind-index root, from the operating system's CSPRNG."""
        return cls(
            kek_id=kek_id,
            versions={1: secrets.token_bytes(KEY_BYTES)},
            current=1,
            blind_index_root=secrets.token_bytes(KEY_BYTES),
            source=source,
        )

    def rotated(self) -> KeySet:
        """This set plus a new KEK version, which becomes current; older versions stay active."""
        version = max([*self.versions, *self.retired]) + 1
        versions = {**self.versions, version: secrets.token_bytes(KEY_BYTES)}
        return self._with(versions=versions, current=version, retired=self.retired)

    def without(self, version: int) -> KeySet:
        """This set with `version` retired: its material dropped, its number remembered."""
        if version == self.current:
            raise KeyVersionInUse(kind=KEK_KIND, key_id=self.kek_id, version=version)
        if version in self.retired:
            return self
        if version not in self.versions:
            raise UnknownKeyVersion(kind=KEK_KIND, key_id=self.kek_id, version=version)
        versions = {v: k for v, k in self.versions.items() if v != version}
        return self._with(versions=versions, current=self.current, retired=self.retired | {version})

    def states(self) -> dict[int, KekState]:
        states = dict.fromkeys(self.versions, KekState.ACTIVE)
        states.update(dict.fromkeys(self.retired, KekState.RETIRED))
        return dict(sorted(states.items()))

    def wrap(self, data_key: bytes, *, context: bytes) -> WrappedKey:
        return self._seal(self.current, data_key, context)

    def unwrap(self, wrapped: WrappedKey, *, context: bytes) -> bytes:
        aead = self._aead(wrapped)
        blob = wrapped.blob
        if len(blob) < _NONCE_BYTES + _TAG_BYTES:
            raise KeyUnwrapFailed(key_id=wrapped.kek_id, version=wrapped.kek_version)
        associated = frame(_WRAP_LABEL, self.kek_id, wrapped.kek_version, context)
        try:
            return aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], associated)
        except InvalidTag:
            raise KeyUnwrapFailed(key_id=wrapped.kek_id, version=wrapped.kek_version) from None

    def rewrap(self, wrapped: WrappedKey, *, context: bytes) -> WrappedKey:
        return self._seal(self.current, self.unwrap(wrapped, context=context), context)

    def derive_blind_index_key(self, name: str) -> bytes:
        if not name:
            raise ValueError("a blind index needs a name")
        info = frame(_INDEX_LABEL, name)
        hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info)
        return hkdf.derive(self.blind_index_root)

    def _seal(self, version: int, data_key: bytes, context: bytes) -> WrappedKey:
        nonce = os.urandom(_NONCE_BYTES)
        associated = frame(_WRAP_LABEL, self.kek_id, version, context)
        blob = nonce + self._aeads[version].encrypt(nonce, data_key, associated)
        return WrappedKey(kek_id=self.kek_id, kek_version=version, blob=blob)

    def _aead(self, wrapped: WrappedKey) -> AESGCM:
        if wrapped.kek_id != self.kek_id:
            raise UnknownKeyVersion(
                kind=KEK_KIND, key_id=wrapped.kek_id, version=wrapped.kek_version
            )
        if wrapped.kek_version in self.retired:
            raise KeyVersionRetired(kind=KEK_KIND, key_id=self.kek_id, version=wrapped.kek_version)
        aead = self._aeads.get(wrapped.kek_version)
        if aead is None:
            raise UnknownKeyVersion(kind=KEK_KIND, key_id=self.kek_id, version=wrapped.kek_version)
        return aead

    def _with(
        self, *, versions: Mapping[int, bytes], current: int, retired: frozenset[int]
    ) -> KeySet:
        return KeySet(
            kek_id=self.kek_id,
            versions=versions,
            current=current,
            blind_index_root=self.blind_index_root,
            retired=retired,
            source=self.source,
        )


class KeySetProvider:
    """A `KeyProvider` over a `KeySet` in memory; subclasses decide where the set comes from."""

    def __init__(self, keyset: KeySet) -> None:
        self._keyset = keyset
        self._index_keys: dict[tuple[bytes, str], bytes] = {}
        self._lock = threading.Lock()

    @property
    def kek_id(self) -> str:
        return self._keyset.kek_id

    def current_kek_version(self) -> int:
        return self._current().current

    def kek_versions(self) -> dict[int, KekState]:
        """Every version this provider knows, ascending, with its state."""
        return self._current().states()

    def wrap(self, data_key: bytes, *, context: bytes) -> WrappedKey:
        return self._current().wrap(data_key, context=context)

    def unwrap(self, wrapped: WrappedKey, *, context: bytes) -> bytes:
        return self._current().unwrap(wrapped, context=context)

    def rewrap(self, wrapped: WrappedKey, *, context: bytes) -> WrappedKey:
        return self._current().rewrap(wrapped, context=context)

    def blind_index_key(self, name: str) -> bytes:
        keyset = self._current()
        cache_key = (keyset.blind_index_root, name)
        key = self._index_keys.get(cache_key)
        if key is None:
            key = keyset.derive_blind_index_key(name)
            self._index_keys[cache_key] = key
        return key

    def _current(self) -> KeySet:
        return self._keyset

    def __repr__(self) -> str:
        keyset = self._keyset
        return f"{type(self).__name__}(kek_id={keyset.kek_id!r}, current_version={keyset.current})"


class InMemoryKeyProvider(KeySetProvider):
    """Keys that live only in this process: for tests, benchmarks and the simulated demo."""

    @classmethod
    def generate(cls, *, kek_id: str = "memory") -> InMemoryKeyProvider:
        return cls(KeySet.generate(kek_id=kek_id))

    def rotate_kek(self) -> int:
        """Add a KEK version and make it current; return it. Nothing is re-encrypted."""
        with self._lock:
            self._keyset = self._keyset.rotated()
            return self._keyset.current

    def retire_kek_version(self, version: int) -> None:
        """Drop a KEK version's material; keys still wrapped under it become unreadable."""
        with self._lock:
            self._keyset = self._keyset.without(version)


class EnvironmentKeyProvider(KeySetProvider):
    """KEKs and the blind-index root from environment variables, given as a mapping.

    Variables (with the default prefix `RIGHTPARTY_`):

    - `KEK_VERSIONS`: comma-separated `version:base64key` pairs, e.g. `1:AAAA…,2:BBBB…` (32-byte
      keys). Rotation appends a version; retirement removes one.
    - `KEK_CURRENT` (optional): the version that wraps; defaults to the highest. Set it to the old
      version while rolling a new one out to every process, then move it (Tink's safe rotation).
    - `KEK_ID` (optional, default `env`): the name recorded with every wrapped key.
    - `BLIND_INDEX_KEY`: base64 of a 32-byte root from which every blind-index key is derived.

    The mapping is read once, in the constructor; nothing here touches `os.environ`.
    """

    def __init__(self, environ: Mapping[str, str], *, prefix: str = "RIGHTPARTY_") -> None:
        versions_name = f"{prefix}KEK_VERSIONS"
        current_name = f"{prefix}KEK_CURRENT"
        root_name = f"{prefix}BLIND_INDEX_KEY"
        versions = _parse_versions(versions_name, environ.get(versions_name, ""))
        current_text = environ.get(current_name, "").strip()
        if current_text and not _is_number(current_text):
            raise KeyMaterialInvalid(source=current_name, reason="not a version number")
        current = int(current_text) if current_text else max(versions)
        root = decode_key(root_name, environ.get(root_name, ""))
        kek_id = environ.get(f"{prefix}KEK_ID", "env").strip() or "env"
        source = f"{prefix}KEK_* variables"
        super().__init__(
            KeySet(
                kek_id=kek_id,
                versions=versions,
                current=current,
                blind_index_root=root,
                source=source,
            )
        )

    @staticmethod
    def generate_variables(
        *, prefix: str = "RIGHTPARTY_", kek_id: str = "env", versions: Iterable[int] = (1,)
    ) -> dict[str, str]:
        """Fresh variable values for a deployment's secret store (one KEK per version given)."""
        pairs = ",".join(
            f"{version}:{encode_key(secrets.token_bytes(KEY_BYTES))}" for version in versions
        )
        return {
            f"{prefix}KEK_ID": kek_id,
            f"{prefix}KEK_VERSIONS": pairs,
            f"{prefix}BLIND_INDEX_KEY": encode_key(secrets.token_bytes(KEY_BYTES)),
        }


def _parse_versions(name: str, text: str) -> dict[int, bytes]:
    versions: dict[int, bytes] = {}
    for position, item in enumerate(filter(None, (part.strip() for part in text.split(","))), 1):
        number, separator, encoded = item.partition(":")
        if not separator or not _is_number(number.strip()):
            raise KeyMaterialInvalid(
                source=name, reason=f"entry {position} is not `version:base64`"
            )
        version = int(number)
        if version in versions:
            raise KeyMaterialInvalid(source=name, reason=f"version {version} appears twice")
        versions[version] = decode_key(f"{name} (version {version})", encoded)
    if not versions:
        raise KeyMaterialInvalid(source=name, reason="no key-encryption key is set")
    return versions


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def decode_key(source: str, text: str) -> bytes:
    """A 32-byte key from base64 text; errors name `source`, never the text."""
    try:
        material = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyMaterialInvalid(source=source, reason="not valid base64") from None
    if len(material) != KEY_BYTES:
        raise KeyMaterialInvalid(source=source, reason=f"not a {KEY_BYTES}-byte key")
    return material


def encode_key(material: bytes) -> str:
    return base64.b64encode(material).decode("ascii")
