# SPDX-License-Identifier: Apache-2.0
"""The tamper-evident log: RFC 9162 Merkle tree, proofs and signed checkpoints.

Imports the standard library and `cryptography` only; storage persists it behind a port.
"""
