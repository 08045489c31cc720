# SPDX-License-Identifier: Apache-2.0
"""Audit log throughput on one core, for events whose canonical encoding is 300 bytes.

Prints one JSON line:

- `append_per_s`: `AuditLog.append(event)` one event at a time over `InMemoryAuditStore` (encode,
  leaf hash, chain value, frontier update, saved state); events are built before the clock starts.
- `append_batch_per_s`: the same through `append_batch` in batches of `--batch`.
- `verify_per_s`: entries per second of `verify_log` over the whole stored log from scratch
  (leaf hash of every stored event, chain value, Merkle frontier, every signed checkpoint).
- `inclusion_verify_per_s`: `verify_inclusion` of one proof at the full log size (log2 n hashes).

Each figure is the median of `--repeat` runs. `--profile` prints the top functions of one
append run and one verify run to stderr.

    .venv/bin/python bench/audit.py --events 200000
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import platform
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rightparty.audit.events import AuditEvent
from rightparty.audit.log import AuditLog, InclusionProof, verify_log
from rightparty.audit.memory import InMemoryAuditStore
from rightparty.audit.merkle import verify_inclusion

EVENT_BYTES = 300
ORIGIN = "bench.example/audit"
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def build_events(count: int) -> list[AuditEvent]:
    """Distinct events whose encoding is exactly EVENT_BYTES long."""
    probe = _event(0, "customer:")
    padding = EVENT_BYTES - len(probe.encode())
    events = []
    for number in range(count):
        subject = f"customer:{number:0{padding}d}"
        events.append(_event(number, subject))
    assert all(len(event.encode()) == EVENT_BYTES for event in events[:10])  # noqa: S101 - a bench precondition
    return events


def _event(number: int, subject: str) -> AuditEvent:
    return AuditEvent(
        event_type="personal_data.revealed",
        actor=f"staff:s-{number % 997:04d}",
        subject_id=subject,
        payload_digest=hashlib.sha256(number.to_bytes(8, "big")).digest(),
        occurred_at=START + timedelta(microseconds=number),
    )


def fill(events: list[AuditEvent], batch: int) -> tuple[float, AuditLog, InMemoryAuditStore]:
    store = InMemoryAuditStore()
    log = AuditLog(store, origin=ORIGIN)
    started = time.perf_counter()
    if batch <= 1:
        append = log.append
        for event in events:
            append(event)
    else:
        for position in range(0, len(events), batch):
            log.append_batch(events[position : position + batch])
    return time.perf_counter() - started, log, store


def checkpointed_log(
    events: list[AuditEvent], every: int, key: Ed25519PrivateKey
) -> tuple[AuditLog, InMemoryAuditStore]:
    """The log as a checkpointer running alongside would leave it: signed every `every` entries."""
    store = InMemoryAuditStore()
    log = AuditLog(store, origin=ORIGIN)
    for position in range(0, len(events), every):
        log.append_batch(events[position : position + every])
        log.checkpoint(key, issued_at=START + timedelta(seconds=position))
    return log, store


def time_verify(store: InMemoryAuditStore, key: Ed25519PrivateKey) -> float:
    started = time.perf_counter()
    report = verify_log(store, key.public_key(), origin=ORIGIN)
    elapsed = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"benchmark log failed verification: {report.detail}")
    return elapsed


def time_inclusion(log: AuditLog, samples: int) -> float:
    size = log.tree_head().size
    root = log.tree_head().root
    rng = random.Random(7)
    proofs: list[InclusionProof] = [log.prove_inclusion(rng.randrange(size)) for _ in range(8)]
    started = time.perf_counter()
    for number in range(samples):
        proof = proofs[number % len(proofs)]
        verify_inclusion(
            leaf_hash=proof.leaf_hash, index=proof.index, size=size, proof=proof.path, root=root
        )
    return time.perf_counter() - started


def median_rate(count: int, runs: list[float]) -> float:
    return round(count / statistics.median(runs))


def profile(label: str, action: Callable[[], object]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(action)
    print(f"--- profile: {label}", file=sys.stderr)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(8)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="events in the log")
    parser.add_argument("--batch", type=int, default=100, help="batch size for append_batch")
    parser.add_argument(
        "--checkpoint-every", type=int, default=10_000, help="entries per checkpoint"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--profile", action="store_true", help="profile to stderr")
    options = parser.parse_args(argv)
    if options.events < 1 or options.repeat < 1 or options.checkpoint_every < 1:
        parser.error("--events, --repeat and --checkpoint-every must be positive")

    key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    events = build_events(options.events)
    single_runs = [fill(events, 1)[0] for _ in range(options.repeat)]
    batch_runs = [fill(events, options.batch)[0] for _ in range(options.repeat)]
    log, store = checkpointed_log(events, options.checkpoint_every, key)
    verify_runs = [time_verify(store, key) for _ in range(options.repeat)]
    inclusion_samples = 20_000
    inclusion_runs = [time_inclusion(log, inclusion_samples) for _ in range(options.repeat)]
    if options.profile:
        profile("append", lambda: fill(events, 1))
        profile("verify", lambda: verify_log(store, key.public_key(), origin=ORIGIN))

    print(
        json.dumps(
            {
                "append_per_s": median_rate(options.events, single_runs),
                "verify_per_s": median_rate(options.events, verify_runs),
                "append_batch_per_s": median_rate(options.events, batch_runs),
                "inclusion_verify_per_s": median_rate(inclusion_samples, inclusion_runs),
                "events": options.events,
                "event_bytes": EVENT_BYTES,
                "checkpoints": len(store.signed_checkpoints),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
