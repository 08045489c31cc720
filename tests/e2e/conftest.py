# SPDX-License-Identifier: Apache-2.0
"""The CLI as a user runs it: a scratch directory with its own keyring, on either backend."""

from __future__ import annotations

import pytest


@pytest.fixture
def cli_env(tmp_path, monkeypatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RIGHTPARTY_KEYRING", str(tmp_path / "var" / "keyring.json"))
    monkeypatch.delenv("RIGHTPARTY_DATABASE_URL", raising=False)
    return {}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'rightparty.db'}"
    return request.getfixturevalue("fresh_postgres_url")
