# SPDX-License-Identifier: Apache-2.0
"""Field encryption envelope, blind indexes, key providers and masking (docs/privacy.md).

`envelope.FieldCipher` encrypts; `keys` and `keyring` provide key-encryption keys; `data_keys`
is the port where wrapped per-customer keys persist; `blind_index` finds rows without decrypting;
`masking` is what people see. Imports `rightparty.domain`, the standard library and `cryptography`
only; importing it does no I/O.
"""
