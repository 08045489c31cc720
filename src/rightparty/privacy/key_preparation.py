# SPDX-License-Identifier: Apache-2.0
"""Loading, creating and reserving the data keys of many customers with a few store calls.

`FieldCipher.prepare` uses it before a chunk of work (an import chunk, a batch of attempts): one
`get_many`, one `insert_many` of new wrapped keys for the customers that have none, and one
`reserve_many` of a nonce block for every existing key that will encrypt. Customers whose keys
the cipher read within its time to live (to decrypt their details, say) are not read again: one
`reserve_many` on their newest version does, while it is still their newest. What comes back is
what the per-customer path (`FieldCipher._load`, `_create_version`, `_replenish`) would have cached,
so the following `encrypt` and `decrypt` calls find everything in the cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rightparty.privacy.ciphertext import data_key_context
from rightparty.privacy.data_keys import DataKeyStore, KeyVersion, WrappedDataKey
from rightparty.privacy.errors import KeyShredded
from rightparty.privacy.key_cache import CachedKeys, UnwrappedKey
from rightparty.privacy.keys import KeyProvider


def to_prepare(
    cache: Mapping[str, CachedKeys],
    customer_ids: Iterable[str],
    now: float,
    *,
    for_encryption: bool,
) -> tuple[list[str], dict[str, CachedKeys]]:
    """The customers `FieldCipher.prepare` must load (not cached, expired, or without a nonce
    budget to encrypt), each once, and what the cache still holds of them unexpired."""
    wanted: list[str] = []
    cached: dict[str, CachedKeys] = {}
    for customer_id in dict.fromkeys(customer_ids):
        if not customer_id:
            raise ValueError("a customer id is required")
        loaded = cache.get(customer_id)
        if loaded is None or now > loaded.expires_at:
            wanted.append(customer_id)
        elif for_encryption and loaded.budget <= 0:  # budget > 0 implies a current key
            wanted.append(customer_id)
            cached[customer_id] = loaded
    return wanted, cached


def prepare_keys(
    keys: KeyProvider,
    store: DataKeyStore,
    customer_ids: Sequence[str],
    *,
    for_encryption: bool,
    block: int,
    max_encryptions: int,
    expires_at: float,
    cached: Mapping[str, CachedKeys] | None = None,
) -> tuple[dict[str, CachedKeys], list[str]]:
    """The keys to cache for each customer that is not shredded, and the customers whose current
    key reached `max_encryptions` with this reservation (the cipher rotates them). For
    encryption, each has its current key unwrapped (created when missing) and a budget reserved
    in the store; when another process created the key first, the budget is 0 and the cipher
    reserves on first use, exactly as when the key was loaded alone.

    A shredded customer is left out, so the cipher's own path raises `KeyShredded` where it used
    to. When a tombstone appears between the read and the insert (another transaction shredded a
    customer meanwhile), no key is created here and those customers are left out as well.

    `cached` holds what the cipher still caches of some of them, unexpired (keys read to decrypt,
    a used-up nonce budget). Their key sets were read within the cipher's time to live, so they
    only need a budget: one reservation on their newest version, which the store grants only
    while it is still their newest (`_reserve_newest`). Those it refuses (rotated, retired or
    shredded since) are read anew with the rest; a version unwrapped before whose wrapped form
    the store still holds unchanged is kept rather than unwrapped again, and the entry then
    expires no later than that one would have, so no unwrapped key outlives the time to live."""
    earlier = cached or {}
    prepared: dict[str, CachedKeys] = {}
    exhausted: list[str] = []
    if for_encryption and earlier:
        read_lately = {
            customer_id: loaded
            for customer_id in customer_ids
            if (loaded := earlier.get(customer_id)) is not None and loaded.wrapped
        }
        prepared, exhausted = _reserve_newest(keys, store, read_lately, block, max_encryptions)
    if len(prepared) < len(customer_ids):
        to_read = [customer_id for customer_id in customer_ids if customer_id not in prepared]
        read, also_exhausted = _read_and_reserve(
            keys,
            store,
            to_read,
            earlier,
            for_encryption=for_encryption,
            block=block,
            max_encryptions=max_encryptions,
            expires_at=expires_at,
        )
        prepared.update(read)
        exhausted += also_exhausted
    return prepared, exhausted


def _reserve_newest(
    keys: KeyProvider,
    store: DataKeyStore,
    read_lately: Mapping[str, CachedKeys],
    block: int,
    max_encryptions: int,
) -> tuple[dict[str, CachedKeys], list[str]]:
    """A budget on each customer's newest cached version, in one store call, for those whose
    newest it still is; each made current (unwrapped if it was not). The entries keep their
    expiry: nothing was read anew."""
    newest = {customer_id: max(loaded.wrapped) for customer_id, loaded in read_lately.items()}
    if not newest:
        return {}, []
    totals = store.reserve_many(list(newest.items()), block, newest_only=True)
    prepared: dict[str, CachedKeys] = {}
    exhausted: list[str] = []
    for customer_id, version in newest.items():
        total = totals.get((customer_id, version))
        if total is None:  # rotated, retired or shredded since it was read: read it anew
            continue
        loaded = prepared[customer_id] = read_lately[customer_id]
        _make_current(keys, loaded, version)
        if _grant(loaded, total, block, max_encryptions):
            exhausted.append(customer_id)
    return prepared, exhausted


def _read_and_reserve(
    keys: KeyProvider,
    store: DataKeyStore,
    customer_ids: Sequence[str],
    earlier: Mapping[str, CachedKeys],
    *,
    for_encryption: bool,
    block: int,
    max_encryptions: int,
    expires_at: float,
) -> tuple[dict[str, CachedKeys], list[str]]:
    """`prepare_keys` for customers whose key sets are read from the store: one read, one
    insert of the first versions that are missing, one reservation on the others."""
    prepared: dict[str, CachedKeys] = {}
    for customer_id, key_set in store.get_many(customer_ids).items():
        if not key_set.shredded:
            loaded = prepared[customer_id] = CachedKeys(key_set, expires_at)
            before = earlier.get(customer_id)
            if before is not None and before.unwrapped:
                _keep_unwrapped(loaded, before)
    if not for_encryption:
        return prepared, []
    missing = [customer_id for customer_id, loaded in prepared.items() if not loaded.wrapped]
    raced = set(missing)  # those another process may create first
    created = _create_first_versions(keys, store, prepared, missing, block)
    reserve: list[KeyVersion] = []
    for customer_id, loaded in prepared.items():
        if customer_id in created:
            continue
        if not loaded.wrapped:  # its creation was abandoned: the cipher's own path decides
            continue
        latest = max(loaded.wrapped)
        _make_current(keys, loaded, latest)
        if customer_id in raced:  # another process created it first: reserve before use
            continue
        reserve.append((customer_id, latest))
    totals = store.reserve_many(reserve, block) if reserve else {}
    exhausted = []
    for customer_id, version in reserve:
        total = totals.get((customer_id, version))
        if total is None:  # retired or shredded meanwhile: the budget stays 0, checked on use
            continue
        if _grant(prepared[customer_id], total, block, max_encryptions):
            exhausted.append(customer_id)
    ready = {customer_id: loaded for customer_id, loaded in prepared.items() if loaded.wrapped}
    return ready, exhausted


def _create_first_versions(
    keys: KeyProvider,
    store: DataKeyStore,
    prepared: dict[str, CachedKeys],
    customer_ids: list[str],
    block: int,
) -> set[str]:
    """Insert version 1 for each customer in one call; the customers whose key is ours."""
    if not customer_ids:
        return set()
    data_keys = {customer_id: AESGCM.generate_key(bit_length=256) for customer_id in customer_ids}
    candidates = [
        WrappedDataKey(
            customer_id,
            1,
            keys.wrap(data_keys[customer_id], context=data_key_context(customer_id, 1)),
            encryptions=block,
        )
        for customer_id in customer_ids
    ]
    try:
        stored_keys = store.insert_many(candidates)
    except KeyShredded:
        return set()
    ours: set[str] = set()
    for candidate, stored in zip(candidates, stored_keys, strict=True):
        loaded = prepared[candidate.customer_id]
        loaded.wrapped[1] = stored
        if stored.wrapped != candidate.wrapped:
            continue  # another process created this version first: unwrapped by the caller
        entry = UnwrappedKey(data_keys[candidate.customer_id], 1)
        loaded.keep(1, entry)
        loaded.current, loaded.current_version, loaded.budget = entry, 1, block
        ours.add(candidate.customer_id)
    return ours


def _make_current(keys: KeyProvider, loaded: CachedKeys, version: int) -> None:
    """Make `version` the one `loaded` encrypts with, unwrapping it unless it already is."""
    entry = loaded.unwrapped.get(version) or _unwrap(keys, loaded.wrapped[version])
    loaded.keep(version, entry)
    loaded.current, loaded.current_version = entry, version


def _grant(loaded: CachedKeys, total: int, block: int, max_encryptions: int) -> bool:
    """The budget a block just reserved (the version's `total` counts it) gives `loaded`;
    whether the version reached `max_encryptions` with it, to be rotated."""
    loaded.budget = min(block, max_encryptions - (total - block))
    return loaded.budget <= 0


def _keep_unwrapped(loaded: CachedKeys, before: CachedKeys) -> None:
    """Carry over the versions `before` unwrapped that are stored, wrapped, exactly as then."""
    kept = False
    for version, entry in before.unwrapped.items():
        stored, known = loaded.wrapped.get(version), before.wrapped.get(version)
        if stored is not None and known is not None and stored.wrapped == known.wrapped:
            loaded.keep(version, entry)
            kept = True
    if kept:
        loaded.expires_at = min(loaded.expires_at, before.expires_at)


def _unwrap(keys: KeyProvider, stored: WrappedDataKey) -> UnwrappedKey:
    context = data_key_context(stored.customer_id, stored.version)
    return UnwrappedKey(keys.unwrap(stored.wrapped, context=context), stored.version)
