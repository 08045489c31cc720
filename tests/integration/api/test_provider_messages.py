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


def test_attempts_sent_before_the_migration_are_found_after_it(storage, clock):
    migrate.upgrade(storage.connection, "0003")
    if storage.backend == "sqlite":
        storage.connection.commit()
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
    migrate.upgrade(storage.connection)
    with app.unit_of_work() as uow:
        found = uow.attempts.by_provider_message_id("twilio", "SMy")
    assert found is not None
    assert found.id == attempt.id
    migrate.downgrade(storage.connection, "0003")
    migrate.upgrade(storage.connection)
