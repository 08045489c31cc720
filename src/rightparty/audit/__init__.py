# SPDX-License-Identifier: Apache-2.0
"""The tamper-evident log: RFC 9162 Merkle tree, proofs and signed checkpoints.

Imports the standard library and `cryptography` only; storage persists it behind a port.

- `merkle`: leaf and node hashing, tree heads, the compact frontier, inclusion and consistency
  proofs (`subtree` generalises them to subtree ranges for the conformance vectors);
- `events`: `AuditEvent` and its canonical, versioned encoding; payload digests;
- `checkpoint`: Ed25519-signed checkpoints as C2SP signed notes;
- `store`: the `AuditStore` port, the stored `AuditEntry` and the saved `LogState`;
  `memory` holds the in-memory store;
- `log`: the `AuditLog` service; `verification`: `verify_log` and its report;
- `errors`: the typed failures. See docs/audit.md.
"""
