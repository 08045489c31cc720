# SPDX-License-Identifier: Apache-2.0
"""Settings, one pydantic-settings class per section. Imports nothing of the package.

Nothing is read at import time: `Settings.from_environment()` reads the environment when an entry
point asks for it, and tests build `Settings(...)` directly.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/rightparty.db"
DEFAULT_KEYRING = Path("var/keyring.json")
_SUPPORTED_SCHEMES = ("sqlite", "postgresql")


class DatabaseSettings(BaseSettings):
    """Where rightparty keeps its own tables (the source of truth for cases, attempts and audit)."""

    model_config = SettingsConfigDict(env_prefix="RIGHTPARTY_DATABASE_", extra="forbid")

    url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path (embedded) or postgresql://… (production).",
    )
    echo: bool = Field(
        default=False, description="Log every SQL statement (never use in production)."
    )

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].split("+", 1)[0]
        if scheme not in _SUPPORTED_SCHEMES:
            supported = ", ".join(_SUPPORTED_SCHEMES)
            message = f"unsupported database scheme {scheme!r}; use one of: {supported}"
            raise ValueError(message)
        return value


class KeySettings(BaseSettings):
    """Where the key-encryption keys come from (DESIGN.md §7)."""

    model_config = SettingsConfigDict(env_prefix="RIGHTPARTY_", extra="forbid")

    keyring: Path = Field(
        default=DEFAULT_KEYRING,
        validation_alias=AliasChoices("RIGHTPARTY_KEYRING", "keyring"),
        description="Local keyring file for the embedded default; created by `rightparty init`.",
    )


class Settings(BaseModel):
    """All settings, by section. Build it with `from_environment()` in entry points."""

    model_config = {"extra": "forbid", "frozen": True}

    database: DatabaseSettings = Field(
        default_factory=DatabaseSettings, description="The database section."
    )
    keys: KeySettings = Field(default_factory=KeySettings, description="The key section.")

    @classmethod
    def from_environment(cls) -> Settings:
        """Read every section from `RIGHTPARTY_*` variables (and their defaults)."""
        return cls(database=DatabaseSettings(), keys=KeySettings())
