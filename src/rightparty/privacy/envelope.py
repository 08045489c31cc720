# SPDX-License-Identifier: Apache-2.0
"""Envelope encryption of personal-data fields: per-customer data keys wrapped by a KEK.

`FieldCipher` encrypts one field value with AES-256-GCM under the customer's current data key and
binds it to (customer, table, field, schema version) as associated data (format: `ciphertext`).

Nonces are 96 random bits (`nonces.next_nonce`: the OS CSPRNG, read in blocks, thread- and
fork-safe), so NIST SP 800-38D §8.3 caps each key at 2**32 encryptions. Every customer has their
own key, which keeps each far below that; to make the bound a guarantee rather than an
expectation, encryptions are counted per data-key version through the store, in reserved blocks (a
store write per `reservation_block` encryptions, not per encryption), and a key is rotated
automatically before `max_encryptions_per_key` (default 2**31, half the limit). Counts are
conservative: an unused reservation still counts.

Unwrapped keys are cached per customer in a bounded cache that forgets an entry after
`cache_ttl_seconds`, which is also how long another process may keep encrypting with a key that was
rotated, or decrypting with one that was shredded, here.
"""

from __future__ import annotations

import logging
import struct
import threading
import time
from collections.abc import Callable, Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rightparty.privacy import rotation
from rightparty.privacy.cipher_types import EncryptedField, ShredReceipt
from rightparty.privacy.ciphertext import (
    HEADER_BYTES,
    NONCE_BYTES,
    OVERHEAD_BYTES,
    PREFIX,
    data_key_context,
    key_version,
    malformed,
)
from rightparty.privacy.data_keys import (
    DATA_KEY_KIND,
    DataKeyCursor,
    DataKeyStore,
    InMemoryDataKeyStore,
    WrappedDataKey,
)
from rightparty.privacy.errors import (
    DecryptionFailed,
    KeyShredded,
    KeyVersionInUse,
    RetentionHoldActive,
    UnknownKeyVersion,
)
from rightparty.privacy.key_cache import CachedKeys, UnwrappedKey
from rightparty.privacy.key_preparation import prepare_keys, to_prepare
from rightparty.privacy.keys import KeyProvider
from rightparty.privacy.nonces import next_nonce
from rightparty.privacy.rotation import RewrapProgress

__all__ = [
    "DataKeyStore",
    "EncryptedField",
    "FieldCipher",
    "InMemoryDataKeyStore",
    "RewrapProgress",
    "ShredReceipt",
    "key_version",
]

_LOG = logging.getLogger(__name__)
NIST_RANDOM_NONCE_LIMIT = 2**32
DEFAULT_MAX_ENCRYPTIONS = 2**31
_HEADER = struct.Struct(">2s4sI")
_NONCE_END = HEADER_BYTES + NONCE_BYTES
_AUTHENTICATION_FAILED = (
    "authentication failed: the value belongs to another customer, table, field or schema "
    "version, or its bytes were altered"
)


class FieldCipher:
    """Encrypts, decrypts, rotates and shreds per-customer field values. Thread-safe."""

    def __init__(
        self,
        keys: KeyProvider,
        store: DataKeyStore,
        *,
        cache_size: int = 10_000,
        cache_ttl_seconds: float = 60.0,
        max_encryptions_per_key: int = DEFAULT_MAX_ENCRYPTIONS,
        reservation_block: int = 256,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < reservation_block <= max_encryptions_per_key <= NIST_RANDOM_NONCE_LIMIT:
            message = "need 0 < reservation_block <= max_encryptions_per_key <= 2**32"
            raise ValueError(message)
        if cache_size < 1 or cache_ttl_seconds < 0:
            raise ValueError("cache_size must be positive and cache_ttl_seconds not negative")
        self._keys = keys
        self._store = store
        self._cache_size = cache_size
        self._ttl = cache_ttl_seconds
        self._max = max_encryptions_per_key
        self._block = reservation_block
        self._monotonic = monotonic
        self._cache: dict[str, CachedKeys] = {}
        self._lock = threading.RLock()

    @property
    def cache_size(self) -> int:
        """How many customers' keys this cipher keeps at most."""
        return self._cache_size

    def encrypt(
        self, customer_id: str, table: str, field: str, plaintext: str, *, schema_version: int = 1
    ) -> bytes:
        """The ciphertext of `plaintext` for this customer, table, field and schema version,
        creating the customer's first data key if needed. Raises `KeyShredded` for an erased
        customer, and a provider's error when the current data key cannot be unwrapped."""
        loaded = self._cache.get(customer_id)
        if loaded is None or self._monotonic() > loaded.expires_at:
            loaded = self._load(customer_id, for_encryption=True)
        if loaded.budget <= 0:  # also when no key is loaded yet: budget starts at 0
            loaded = self._replenish(customer_id, loaded)
        loaded.budget -= 1
        current = loaded.current
        assert current is not None  # noqa: S101 - _replenish sets it when budget is 0
        associated = current.associated.get((table, field, schema_version))
        if associated is None:
            associated = current.associate(customer_id, table, field, schema_version)
        nonce = next_nonce()
        return current.header + nonce + current.aead.encrypt(nonce, plaintext.encode(), associated)

    def decrypt(
        self,
        customer_id: str,
        table: str,
        field: str,
        ciphertext: bytes,
        *,
        schema_version: int = 1,
    ) -> str:
        """The plaintext, if the ciphertext authenticates for exactly this place. Raises
        `MalformedCiphertext`, `DecryptionFailed`, `UnknownKeyVersion` (`KeyVersionRetired`),
        `KeyUnwrapFailed` or `KeyShredded`, all `PrivacyError`s; never returns a wrong value."""
        if len(ciphertext) < OVERHEAD_BYTES:
            raise malformed(customer_id, table, field, ciphertext)
        loaded = self._cache.get(customer_id)
        if loaded is None or self._monotonic() > loaded.expires_at:
            loaded = self._load(customer_id, for_encryption=False)
        entry = loaded.by_header.get(ciphertext[:HEADER_BYTES])
        if entry is None:
            entry = self._entry_for(customer_id, table, field, loaded, ciphertext)
        associated = entry.associated.get((table, field, schema_version))
        if associated is None:
            associated = entry.associate(customer_id, table, field, schema_version)
        try:
            data = entry.aead.decrypt(
                ciphertext[HEADER_BYTES:_NONCE_END], ciphertext[_NONCE_END:], associated
            )
        except InvalidTag:
            raise DecryptionFailed(
                customer_id=customer_id, table=table, field=field, reason=_AUTHENTICATION_FAILED
            ) from None
        return data.decode()

    def prepare(self, customer_ids: Iterable[str], *, for_encryption: bool) -> None:
        """Load the keys of many customers with a few store calls (`key_preparation`), creating
        missing keys and reserving nonce blocks when `for_encryption`, so that their following
        `encrypt`/`decrypt` calls touch no store. Customers already cached and ready are skipped;
        a shredded one is not cached, so its next use raises `KeyShredded` as before."""
        now = self._monotonic()
        wanted, cached = to_prepare(self._cache, customer_ids, now, for_encryption=for_encryption)
        if not wanted:
            return
        with self._lock:
            prepared, exhausted = prepare_keys(
                self._keys,
                self._store,
                wanted,
                for_encryption=for_encryption,
                block=self._block,
                max_encryptions=self._max,
                expires_at=now + self._ttl,
                cached=cached,
            )
            for customer_id in wanted:
                self._cache.pop(customer_id, None)
                if customer_id in prepared:
                    self._remember(customer_id, prepared[customer_id])
            for customer_id in exhausted:  # as `_replenish` does when a key reaches its limit
                loaded = prepared[customer_id]
                self._create_version(customer_id, loaded, max(loaded.wrapped) + 1)

    def shred(
        self, customer_id: str, *, retention_hold: bool | Callable[[str], bool]
    ) -> ShredReceipt:
        """Destroy every version of the customer's data key, so every copy of every value
        encrypted under them is unreadable, and refuse any new key for them.

        `retention_hold` is whether a legal retention hold applies, or a callable that answers for
        a customer id; while one applies the keys are kept and `RetentionHoldActive` is raised.
        """
        held = retention_hold(customer_id) if callable(retention_hold) else retention_hold
        if held:
            _LOG.info("erasure of customer %s refused: retention hold", customer_id)
            raise RetentionHoldActive(customer_id=customer_id)
        kek_version = self._keys.current_kek_version()
        with self._lock:
            destroyed = self._store.shred(customer_id)
            self._cache.pop(customer_id, None)
        versions = tuple(key.version for key in destroyed)
        _LOG.info("data keys of customer %s shredded: versions %s", customer_id, versions)
        return ShredReceipt(customer_id, versions, self._keys.kek_id, kek_version)

    def rotate_data_key(self, customer_id: str) -> int:
        """Start a new data-key version for the customer and return it. New values use it at once;
        old ones stay readable until `reencrypt` moves them and `retire_data_key` drops the old
        version. Other processes switch within `cache_ttl_seconds`."""
        with self._lock:
            loaded = self._fresh(customer_id)
            latest = max(loaded.wrapped, default=0)
            self._create_version(customer_id, loaded, latest + 1)
            self._remember(customer_id, loaded)
        _LOG.info(
            "data key of customer %s rotated to version %d", customer_id, loaded.current_version
        )
        return loaded.current_version

    def reencrypt(self, customer_id: str, fields: Iterable[EncryptedField]) -> list[bytes]:
        """New ciphertexts, in order, under the customer's current data key. A value already
        under it is authenticated and returned unchanged, so a re-encryption job can restart
        anywhere (its row cursor is the resume point)."""
        result = []
        for table, field, ciphertext, schema_version in fields:
            plaintext = self.decrypt(
                customer_id, table, field, ciphertext, schema_version=schema_version
            )
            if key_version(ciphertext) == self._current_version(customer_id):
                result.append(ciphertext)
                continue
            result.append(
                self.encrypt(customer_id, table, field, plaintext, schema_version=schema_version)
            )
        return result

    def retire_data_key(self, customer_id: str, version: int) -> bool:
        """Delete an old data-key version once no stored value uses it (check with `key_version`
        over the customer's rows). Values still under it become unreadable."""
        with self._lock:
            loaded = self._fresh(customer_id)
            if version == max(loaded.wrapped, default=0):
                raise KeyVersionInUse(kind=DATA_KEY_KIND, key_id=customer_id, version=version)
            deleted = self._store.delete(customer_id, version)
            self._cache.pop(customer_id, None)
        _LOG.info("data key of customer %s version %d retired", customer_id, version)
        return deleted

    def rewrap_all(
        self,
        *,
        batch_size: int = 500,
        cursor: DataKeyCursor | None = None,
        max_batches: int | None = None,
    ) -> RewrapProgress:
        """After a KEK rotation: rewrap data keys in resumable batches (`rotation.rewrap_all`)."""
        return rotation.rewrap_all(
            self._keys, self._store, batch_size=batch_size, cursor=cursor, max_batches=max_batches
        )

    def kek_usage(self, *, batch_size: int = 1000) -> dict[tuple[str, int], int]:
        """Data keys per (KEK id, version): retire a KEK version only when it is absent here."""
        return rotation.kek_usage(self._store, batch_size=batch_size)

    def forget_cached_keys(self, customer_id: str | None = None) -> None:
        """Drop cached keys (one customer's, or all): call it when a transaction that may have
        created or rotated a data key rolls back, so a key that was never stored is not reused."""
        with self._lock:
            if customer_id is None:
                self._cache.clear()
            else:
                self._cache.pop(customer_id, None)

    def __repr__(self) -> str:
        return f"FieldCipher(kek_id={self._keys.kek_id!r}, cached_customers={len(self._cache)})"

    def _fresh(self, customer_id: str) -> CachedKeys:
        key_set = self._store.get(customer_id)
        if key_set.shredded:
            self._cache.pop(customer_id, None)
            raise KeyShredded(customer_id=customer_id)
        return CachedKeys(key_set, self._monotonic() + self._ttl)

    def _load(self, customer_id: str, *, for_encryption: bool) -> CachedKeys:
        """Fetch the customer's wrapped keys. Only encryption needs the current key unwrapped (or
        created); decryption unwraps the version a ciphertext names, when it first meets it."""
        if not customer_id:
            raise ValueError("a customer id is required")
        with self._lock:
            loaded = self._fresh(customer_id)
            if for_encryption and loaded.wrapped:
                latest = loaded.wrapped[max(loaded.wrapped)]
                loaded.current = self._unwrap(latest)
                loaded.keep(latest.version, loaded.current)
                loaded.current_version = latest.version
            elif for_encryption:
                self._create_version(customer_id, loaded, 1)
            self._remember(customer_id, loaded)
            return loaded

    def _create_version(self, customer_id: str, loaded: CachedKeys, version: int) -> None:
        data_key = AESGCM.generate_key(bit_length=256)
        wrapped = self._keys.wrap(data_key, context=data_key_context(customer_id, version))
        candidate = WrappedDataKey(customer_id, version, wrapped, encryptions=self._block)
        try:
            stored = self._store.insert(candidate)
        except KeyShredded:
            self._cache.pop(customer_id, None)
            raise
        if stored.wrapped == candidate.wrapped:
            entry, loaded.budget = UnwrappedKey(data_key, version), self._block
        else:  # another process created this version first: use theirs, reserve before use
            entry, loaded.budget = self._unwrap(stored), 0
        loaded.wrapped[version] = stored
        loaded.keep(version, entry)
        loaded.current, loaded.current_version = entry, version
        _LOG.debug("data key version %d of customer %s in use", version, customer_id)

    def _replenish(self, customer_id: str, loaded: CachedKeys) -> CachedKeys:
        with self._lock:
            while loaded.budget <= 0:
                if loaded.current is None:
                    loaded = self._load(customer_id, for_encryption=True)
                    continue
                version = loaded.current_version
                try:
                    total = self._store.reserve_encryptions(customer_id, version, self._block)
                except KeyShredded:
                    self._cache.pop(customer_id, None)
                    raise
                except UnknownKeyVersion:  # retired by another process: take the newest one
                    loaded = self._load(customer_id, for_encryption=True)
                    continue
                loaded.budget = min(self._block, self._max - (total - self._block))
                if loaded.budget <= 0:
                    _LOG.info(
                        "data key of customer %s version %d reached %d encryptions; rotating",
                        customer_id,
                        version,
                        self._max,
                    )
                    self._create_version(customer_id, loaded, max(loaded.wrapped) + 1)
                    self._remember(customer_id, loaded)
            return loaded

    def _entry_for(
        self, customer_id: str, table: str, field: str, loaded: CachedKeys, ciphertext: bytes
    ) -> UnwrappedKey:
        """The key a header names, when it is not cached yet, or the typed reason it has none."""
        prefix, key_id, version = _HEADER.unpack_from(ciphertext)
        if prefix != PREFIX:
            raise malformed(customer_id, table, field, ciphertext)
        entry = loaded.unwrapped.get(version) or self._unwrap_version(customer_id, loaded, version)
        if key_id != entry.key_id:
            reason = f"its key id is not that of the customer's data key version {version}"
            raise DecryptionFailed(customer_id=customer_id, table=table, field=field, reason=reason)
        return entry

    def _unwrap_version(self, customer_id: str, loaded: CachedKeys, version: int) -> UnwrappedKey:
        with self._lock:
            if version not in loaded.wrapped:  # perhaps rotated by another process since loading
                loaded = self._load(customer_id, for_encryption=False)
            stored = loaded.wrapped.get(version)
            if stored is None:
                raise UnknownKeyVersion(kind=DATA_KEY_KIND, key_id=customer_id, version=version)
            entry = loaded.unwrapped.get(version) or self._unwrap(stored)
            loaded.keep(version, entry)
            return entry

    def _unwrap(self, stored: WrappedDataKey) -> UnwrappedKey:
        context = data_key_context(stored.customer_id, stored.version)
        return UnwrappedKey(self._keys.unwrap(stored.wrapped, context=context), stored.version)

    def _current_version(self, customer_id: str) -> int:
        loaded = self._cache.get(customer_id)
        if loaded is None or loaded.current is None or self._monotonic() > loaded.expires_at:
            loaded = self._load(customer_id, for_encryption=True)
        return loaded.current_version

    def _remember(self, customer_id: str, loaded: CachedKeys) -> None:
        self._cache.pop(customer_id, None)
        self._cache[customer_id] = loaded
        while len(self._cache) > self._cache_size:
            del self._cache[next(iter(self._cache))]
