# SPDX-License-Identifier: Apache-2.0
"""Field encryption envelope, blind indexes, key providers, masking, retention and erasure helpers.

Imports `rightparty.domain`, the standard library and `cryptography` only.
"""
