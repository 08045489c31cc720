# SPDX-License-Identifier: Apache-2.0
"""Settings, one pydantic-settings class per section. Imports nothing of the package.

Nothing is read at import time: `Settings.from_environment()` reads the environment when an entry
point asks for it, and tests build `Settings(...)` directly.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator
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


DEFAULT_HELP_MESSAGE = (
    "Messages from your bank about your own accounts. Reply STOP to stop texts and automated "
    "calls to this number. For help, call the number on the back of your card."
)


class WebhookSettings(BaseSettings):
    """Provider webhooks served by `rightparty serve` (status callbacks, inbound SMS)."""

    model_config = SettingsConfigDict(env_prefix="RIGHTPARTY_WEBHOOKS_", extra="forbid")

    public_base_url: str | None = Field(
        default=None,
        description="The scheme, host and optional path prefix the provider calls, e.g. "
        "https://contact.bank.example; behind a proxy the request URL differs, and signatures "
        "cover the public one. Webhooks answer 503 until it is set.",
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None,
        description="The Twilio account's auth token, which signs its callbacks "
        "(X-Twilio-Signature). Webhooks answer 503 until it is set.",
    )
    twilio_providers: tuple[str, ...] = Field(
        default=("twilio",),
        description="Names of the Twilio provider instances whose attempts these callbacks "
        "report on (a JSON list in the environment).",
    )
    max_callback_age_seconds: float = Field(
        default=600.0,
        gt=0,
        description="A signed callback whose Timestamp is older than this is refused as stale.",
    )
    help_message: str = Field(
        default=DEFAULT_HELP_MESSAGE,
        min_length=1,
        max_length=320,
        description="The answer to HELP or INFO: the programme and how to reach the bank "
        "(CTIA requires both).",
    )

    @field_validator("public_base_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("https://", "http://")) or "?" in value or "#" in value:
            message = "public_base_url must be an absolute http(s) URL without query or fragment"
            raise ValueError(message)
        return value.rstrip("/")


class Settings(BaseModel):
    """All settings, by section. Build it with `from_environment()` in entry points."""

    model_config = {"extra": "forbid", "frozen": True}

    database: DatabaseSettings = Field(
        default_factory=DatabaseSettings, description="The database section."
    )
    keys: KeySettings = Field(default_factory=KeySettings, description="The key section.")
    webhooks: WebhookSettings = Field(
        default_factory=WebhookSettings, description="The provider webhook section."
    )

    @classmethod
    def from_environment(cls) -> Settings:
        """Read every section from `RIGHTPARTY_*` variables (and their defaults)."""
        return cls(database=DatabaseSettings(), keys=KeySettings(), webhooks=WebhookSettings())
