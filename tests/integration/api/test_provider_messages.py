# SPDX-License-Identifier: Apache-2.0
"""Finding an attempt by any of its provider message ids, on both backends, including attempts
sent before the `provider_messages` table existed."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from rightparty.bootstrap import assemble
from rightparty.config import Settings
from rightparty.db import migrate
from rightparty.domain.vocabulary import Outcome
from rightparty.privacy.keys import InMemoryKeyProvider
from tests.integration.stored import committed_attempt

pytestmark = pytest.mark.integration


def test_every_part_id_finds_the_attempt_and_parts_keep_their_outcomes(app):
    attempt = committed_attempt(app, sent_as="SMa,SMb,SMc")
    with app.unit_of_work() as uow:
        assert [uow.attempts.by_provider_message_id("twilio", p).id for p in ("SMa", "SMc")] == [
            attempt.id,
            attempt.id,
        ]
        assert uow.attempts.by_provider_message_id("other", "SMa") is None
        assert uow.attempts.by_provider_message_id("twilio", "SMa,SMb,SMc") is None
        parts = uow.attempts.record_part_outcome("twilio", "SMb", Outcome.DELIVERED)
        assert parts == [None, Outcome.DELIVERED, None]
        uow.commit()


def _migrated(storage, step, revision="head"):
    """`step` (upgrade or downgrade) to `revision`. On SQLite what is there is committed and the
    migration runs through the engine, as `rightparty init` runs it: migration 0007 rebuilds
    `attempts`, which SQLite allows only with its foreign keys off, outside a transaction."""
    if storage.backend == "sqlite":
        storage.connection.commit()
        step(storage.engine, revision)
    else:
        step(storage.connection, revision)


def test_attempts_sent_before_the_migration_are_found_after_it(storage, clock):
    _migrated(storage, migrate.upgrade, "0003")
    keys = InMemoryKeyProvider.generate()
    app = assemble(Settings(), storage.engine, keys, clock, bind=storage.connection)
    attempt = committed_attempt(app)
    storage.connection.execute(
        text(
            "UPDATE attempts SET status = 'sent', provider = 'twilio', "
            "provider_message_id = 'SMx,SMy' WHERE id = :id"
        ),
        {"id": attempt.id},
    )
    _migrated(storage, migrate.upgrade)
    with app.unit_of_work() as uow:
        found = uow.attempts.by_provider_message_id("twilio", "SMy")
    assert found is not None
    assert found.id == attempt.id
    _migrated(storage, migrate.downgrade, "0003")
    _migrated(storage, migrate.upgrade)
