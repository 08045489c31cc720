# SPDX-License-Identifier: Apache-2.0
"""Typed failures of the privacy core.

Every error carries the identifiers a caller needs (customer id, table, field, key id, version,
path) and a message built from them alone: never a plaintext, a ciphertext or key material.
Identifiers such as the customer id are internal keys, not personal data, so they may appear in
logs (ASVS 16.2.5).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class PrivacyError(Exception):
    """Base of every error raised by `rightparty.privacy`."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take keyword fields, not the message; rebuild from the stored state instead,
        # so an error survives pickling between worker processes.
        return (_rebuild, (type(self), self.args, self.__dict__.copy()))


def _rebuild(cls: type[PrivacyError], args: tuple[Any, ...], state: dict[str, Any]) -> PrivacyError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class DecryptionFailed(PrivacyError):
    """A field ciphertext did not authenticate: wrong customer, table, field or schema version
    (the value was moved or copied), or the bytes were altered."""

    def __init__(self, *, customer_id: str, table: str, field: str, reason: str) -> None:
        self.customer_id = customer_id
        self.table = table
        self.field = field
        self.reason = reason
        super().__init__(
            f"cannot decrypt {table}.{field} of customer {customer_id!r}: {reason}",
        )


class MalformedCiphertext(DecryptionFailed):
    """The bytes are not a rightparty field ciphertext (too short, unknown format or algorithm).

    The customer, table and field are empty when the bytes were inspected without that context.
    """

    def __init__(
        self, *, reason: str, customer_id: str = "", table: str = "", field: str = ""
    ) -> None:
        if customer_id or table or field:
            super().__init__(customer_id=customer_id, table=table, field=field, reason=reason)
            return
        self.customer_id, self.table, self.field, self.reason = "", "", "", reason
        PrivacyError.__init__(self, f"not a rightparty field ciphertext: {reason}")


class UnknownKeyVersion(PrivacyError):
    """A ciphertext or wrapped key names a key version this process does not have."""

    def __init__(self, *, kind: str, key_id: str, version: int) -> None:
        self.kind = kind
        self.key_id = key_id
        self.version = version
        super().__init__(self._describe(kind, key_id, version))

    @staticmethod
    def _describe(kind: str, key_id: str, version: int) -> str:
        return f"no {kind} {key_id!r} version {version}"


class KeyVersionRetired(UnknownKeyVersion):
    """The key version existed but was retired; its material is gone on purpose."""

    @staticmethod
    def _describe(kind: str, key_id: str, version: int) -> str:
        return f"{kind} {key_id!r} version {version} is retired"


class KeyVersionInUse(PrivacyError):
    """A key version cannot be retired because it is still the one that encrypts."""

    def __init__(self, *, kind: str, key_id: str, version: int) -> None:
        self.kind = kind
        self.key_id = key_id
        self.version = version
        super().__init__(
            f"{kind} {key_id!r} version {version} is current; rotate before retiring it",
        )


class KeyUnwrapFailed(PrivacyError):
    """A wrapped data key did not authenticate under its key-encryption key: it was altered, or it
    was moved to another customer or version."""

    def __init__(self, *, key_id: str, version: int) -> None:
        self.key_id = key_id
        self.version = version
        super().__init__(
            f"wrapped data key did not authenticate under key-encryption key {key_id!r} "
            f"version {version}",
        )


class KeyShredded(PrivacyError):
    """The customer's data keys were destroyed: their data is unreadable everywhere, by design."""

    def __init__(self, *, customer_id: str) -> None:
        self.customer_id = customer_id
        super().__init__(f"the data keys of customer {customer_id!r} were shredded")


class RetentionHoldActive(PrivacyError):
    """Erasure was refused because a legal retention hold applies to the customer."""

    def __init__(self, *, customer_id: str) -> None:
        self.customer_id = customer_id
        super().__init__(
            f"customer {customer_id!r} is under a legal retention hold; their keys are kept",
        )


class KeyMaterialInvalid(PrivacyError):
    """Configured key material is missing or malformed; `source` names where it came from (an
    environment variable, a keyring entry), never its value."""

    def __init__(self, *, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"invalid key material in {source}: {reason}")


class KeyringError(PrivacyError):
    """A problem with a local keyring file."""

    def __init__(self, *, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"keyring {str(path)!r}: {reason}")


class KeyringNotFound(KeyringError):
    """No keyring file at the path; `rightparty init` creates one."""


class KeyringAlreadyExists(KeyringError):
    """`LocalKeyring.create` refuses to overwrite a keyring (that would destroy every key)."""


class KeyringCorrupt(KeyringError):
    """The keyring file is not a valid rightparty keyring."""


class KeyringPermissionsTooOpen(KeyringError):
    """The keyring file is readable or writable by its group or by others."""

    def __init__(self, *, path: Path, mode: int) -> None:
        self.mode = mode
        super().__init__(
            path=path,
            reason=(
                f"mode {mode:04o} lets group or others read or write it; "
                f"run `chmod 600 {path}` and check who could have copied it"
            ),
        )
