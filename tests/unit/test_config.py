# SPDX-License-Identifier: Apache-2.0
from pathlib import Path

import pytest
from pydantic import ValidationError

from rightparty.config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_KEYRING,
    DatabaseSettings,
    KeySettings,
    Settings,
)

pytestmark = pytest.mark.unit


def test_defaults_are_the_embedded_database_and_local_keyring(monkeypatch):
    monkeypatch.delenv("RIGHTPARTY_DATABASE_URL", raising=False)
    monkeypatch.delenv("RIGHTPARTY_KEYRING", raising=False)
    settings = Settings.from_environment()
    assert settings.database.url == DEFAULT_DATABASE_URL == "sqlite:///var/rightparty.db"
    assert settings.keys.keyring == DEFAULT_KEYRING == Path("var/keyring.json")


def test_environment_overrides_database_and_keyring(monkeypatch):
    monkeypatch.setenv("RIGHTPARTY_DATABASE_URL", "postgresql://bank@db.internal/rightparty")
    monkeypatch.setenv("RIGHTPARTY_KEYRING", "/etc/rightparty/keyring.json")
    settings = Settings.from_environment()
    assert settings.database.url == "postgresql://bank@db.internal/rightparty"
    assert settings.keys.keyring == Path("/etc/rightparty/keyring.json")


def test_unknown_backend_is_refused_with_the_supported_list():
    with pytest.raises(ValidationError, match="unsupported database scheme 'mysql'"):
        DatabaseSettings(url="mysql://root@localhost/bank")


def test_settings_are_frozen():
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.database = DatabaseSettings()  # type: ignore[misc]


def test_every_setting_has_a_description():
    for section in (Settings, *(field.annotation for field in Settings.model_fields.values())):
        assert isinstance(section, type)
        for name, field in section.model_fields.items():  # type: ignore[attr-defined]
            assert field.description, f"{section.__name__}.{name} has no description"


def test_the_key_cache_size_comes_from_the_environment_and_must_be_positive(monkeypatch):
    assert Settings().keys.cache_size == 50_000
    monkeypatch.setenv("RIGHTPARTY_KEY_CACHE_SIZE", "1234")
    assert Settings.from_environment().keys.cache_size == 1234
    with pytest.raises(ValidationError, match="cache_size"):
        KeySettings(cache_size=0)
