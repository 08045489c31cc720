# SPDX-License-Identifier: Apache-2.0
"""KEK rotation work over the data-key store: rewrapping in resumable batches, and usage counts.

Rewrapping re-encrypts wrapped data keys under the current KEK version; the data keys, and so every
field ciphertext, stay the same. `FieldCipher.rewrap_all` and `FieldCipher.kek_usage` call these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rightparty.privacy.ciphertext import data_key_context
from rightparty.privacy.data_keys import DataKeyCursor, DataKeyStore
from rightparty.privacy.keys import KeyProvider

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RewrapProgress:
    """Counts for this call; pass `cursor` back to resume; `done` when the store was exhausted."""

    rewrapped: int
    unchanged: int
    cursor: DataKeyCursor | None

    @property
    def done(self) -> bool:
        return self.cursor is None


def rewrap_all(
    keys: KeyProvider,
    store: DataKeyStore,
    *,
    batch_size: int = 500,
    cursor: DataKeyCursor | None = None,
    max_batches: int | None = None,
) -> RewrapProgress:
    """Rewrap every data key not under the current KEK version, `batch_size` at a time, from
    `cursor`; stop after `max_batches` (resume with the returned cursor) or at the end.

    Safe while the application serves: a key created meanwhile is wrapped under the current
    version already, and one shredded meanwhile is not resurrected (`update_wrapping` is False).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    rewrapped = unchanged = batches = 0
    while True:
        page = store.page(after=cursor, limit=batch_size)
        kek_id, current = keys.kek_id, keys.current_kek_version()
        for key in page:
            if key.wrapped.kek_id == kek_id and key.wrapped.kek_version == current:
                unchanged += 1
                continue
            context = data_key_context(key.customer_id, key.version)
            wrapped = keys.rewrap(key.wrapped, context=context)
            rewrapped += store.update_wrapping(key.customer_id, key.version, wrapped)
        batches += 1
        cursor = (page[-1].customer_id, page[-1].version) if len(page) == batch_size else None
        if cursor is None or (max_batches is not None and batches >= max_batches):
            break
    _LOG.info(
        "rewrap to %s version %d: %d rewrapped, %d already current, done=%s",
        keys.kek_id,
        keys.current_kek_version(),
        rewrapped,
        unchanged,
        cursor is None,
    )
    return RewrapProgress(rewrapped, unchanged, cursor)


def kek_usage(store: DataKeyStore, *, batch_size: int = 1000) -> dict[tuple[str, int], int]:
    """How many data keys each (KEK id, version) wraps: retire a version only when it is absent."""
    usage: dict[tuple[str, int], int] = {}
    cursor: DataKeyCursor | None = None
    while True:
        page = store.page(after=cursor, limit=batch_size)
        for key in page:
            slot = (key.wrapped.kek_id, key.wrapped.kek_version)
            usage[slot] = usage.get(slot, 0) + 1
        if len(page) < batch_size:
            return dict(sorted(usage.items()))
        cursor = (page[-1].customer_id, page[-1].version)
