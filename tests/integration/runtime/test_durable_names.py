# SPDX-License-Identifier: Apache-2.0
"""Where DBOS keeps its state and how workflows are named: fixed by the case, never random."""

from __future__ import annotations

import pytest

from rightparty.runtime.durable import (
    DurableOptions,
    case_workflow_id,
    step_workflow_id,
    system_database_url,
)


def test_postgresql_shares_the_database_and_sqlite_gets_a_sibling_file() -> None:
    url = "postgresql+psycopg://app:secret@db.internal:5432/rightparty"
    assert system_database_url(url) == "postgresql://app:secret@db.internal:5432/rightparty"
    assert (
        system_database_url("sqlite:///var/rightparty.db") == "sqlite:///var/rightparty.dbos.sqlite"
    )
    assert system_database_url("sqlite:////srv/rp/main.db") == "sqlite:////srv/rp/main.dbos.sqlite"
    with pytest.raises(ValueError, match="memory"):
        system_database_url("sqlite:///:memory:")


def test_workflow_ids_derive_from_the_case_and_its_step() -> None:
    assert case_workflow_id("k1") == "case:k1"
    assert step_workflow_id("k1", 2, 0) == "case:k1:step:2:run:0"
    assert step_workflow_id("k1", 2, 1) != step_workflow_id("k1", 2, 0)


def test_options_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="positive"):
        DurableOptions(speed=0)
    with pytest.raises(ValueError, match="at least 1"):
        DurableOptions(step_concurrency=0)
