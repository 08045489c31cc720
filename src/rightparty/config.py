# SPDX-License-Identifier: Apache-2.0
"""Settings, one pydantic-settings class per section. Imports nothing of the package.

Nothing is read at import time: `Settings.from_environment()` reads the environment when an entry
point asks for it, and tests build `Settings(...)` directly.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    Secret,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

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
    cache_size: int = Field(
        default=50_000,
        ge=1,
        validation_alias=AliasChoices("RIGHTPARTY_KEY_CACHE_SIZE", "cache_size"),
        description="Customers whose data keys a process keeps unwrapped (each for at most the "
        "cache TTL, 60 s): about 3 KB each. Below the number of customers a worker meets within "
        "a minute, their keys are read and unwrapped again and again.",
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


CHANNEL_NAMES = ("sms", "voice", "email", "push", "letter")
CHANNELS_FILE_VARIABLE = "RIGHTPARTY_CHANNELS_FILE"
PROVIDER_OVERRIDE_PREFIX = "RIGHTPARTY_PROVIDERS__"
_FILE_SECTIONS = ("channels", "providers")


class ChannelsFileError(ValueError):
    """The channels file cannot be read or is not shaped as documented, or a provider override
    names no provider of it. The message names the file, section or variable, never a value."""


class ProviderConfig(BaseModel):
    """One provider instance: its kind (a registry name) and its settings.

    Written flat, `kind` beside the provider's own fields. The fields stay opaque (`Secret`,
    masked in every repr and dump) until bootstrap checks them against the kind's settings model,
    the only place that knows which of them are secrets.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    kind: str = Field(
        min_length=1,
        pattern=r"^[a-z0-9][a-z0-9_.-]*$",
        description="The provider kind: smtp, twilio, webpush, letter, sandbox or a plugin's.",
    )
    settings: Secret[dict[str, Any]] = Field(
        default_factory=lambda: Secret[dict[str, Any]]({}),
        description="The provider's fields, checked later against the kind's settings model.",
    )

    @model_validator(mode="before")
    @classmethod
    def _kind_beside_fields(cls, data: object) -> object:
        if not isinstance(data, Mapping):
            return data
        if "settings" in data and set(data) <= {"kind", "settings"}:
            return data
        fields = {key: value for key, value in data.items() if key != "kind"}
        return {"settings": fields} | ({"kind": data["kind"]} if "kind" in data else {})

    def values(self) -> dict[str, Any]:
        """The fields in the clear, for the provider's settings model and nothing else."""
        return dict(self.settings.get_secret_value())


class ChannelSettings(BaseSettings):
    """Which provider instances serve each channel, in failover order (docs/channels.md).

    Read from the file `RIGHTPARTY_CHANNELS_FILE` names (TOML or JSON: a `channels` table of
    provider-name lists and a `providers` table of instances);
    `RIGHTPARTY_PROVIDERS__<NAME>__<FIELD>` sets or overrides one field of a provider there, so
    secrets can stay out of the file.
    """

    model_config = SettingsConfigDict(
        env_prefix="RIGHTPARTY_CHANNELS_", extra="forbid", frozen=True, hide_input_in_errors=True
    )

    file: Path | None = Field(
        default=None,
        description="The channels file (.toml or .json); none means no provider is configured.",
    )
    sms: tuple[str, ...] = Field(default=(), description="Providers for SMS, in failover order.")
    voice: tuple[str, ...] = Field(default=(), description="Providers for voice calls, in order.")
    email: tuple[str, ...] = Field(default=(), description="Providers for email, in order.")
    push: tuple[str, ...] = Field(default=(), description="Providers for web push, in order.")
    letter: tuple[str, ...] = Field(default=(), description="Providers for letters, in order.")
    providers: dict[str, ProviderConfig] = Field(
        default_factory=dict, description="Provider instances by name."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Arguments win over the environment, which wins over the file.
        return (init_settings, env_settings, _ChannelsFileSource(settings_cls, init_settings))

    @field_validator(*CHANNEL_NAMES, mode="before")
    @classmethod
    def _one_name_is_a_list(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _channels_name_defined_providers(self) -> Self:
        for channel, names in self.routes().items():
            for name in names:
                if name not in self.providers:
                    message = f"channel {channel} lists provider {name!r}, which is not defined"
                    raise ValueError(message)
            if len(set(names)) != len(names):
                message = f"channel {channel} lists a provider twice"
                raise ValueError(message)
        return self

    def routes(self) -> dict[str, tuple[str, ...]]:
        """Every channel with the names of its providers in failover order (maybe none)."""
        return {channel: getattr(self, channel) for channel in CHANNEL_NAMES}

    def unserved(self) -> tuple[str, ...]:
        """Channels no provider serves: a message on one fails permanently (`no_provider`)."""
        return tuple(channel for channel, names in self.routes().items() if not names)

    @property
    def configured(self) -> bool:
        return len(self.unserved()) < len(CHANNEL_NAMES)


class _ChannelsFileSource(PydanticBaseSettingsSource):
    """The channels file named by the `file` argument or `RIGHTPARTY_CHANNELS_FILE`, with the
    `RIGHTPARTY_PROVIDERS__…` overrides applied."""

    def __init__(
        self, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource
    ) -> None:
        super().__init__(settings_cls)
        self._init_settings = init_settings

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        given = self._init_settings()
        path = given["file"] if "file" in given else os.environ.get(CHANNELS_FILE_VARIABLE)
        if not path:
            return {}
        data = read_channels_file(Path(path))
        data["providers"] = apply_provider_overrides(data["providers"], os.environ)
        return data


def read_channels_file(path: Path) -> dict[str, Any]:
    """The file's `[channels]` lists and `[providers]` tables, as `ChannelSettings` fields."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        message = f"channels file {path}: cannot be read ({error.strerror or 'unreadable'})"
        raise ChannelsFileError(message) from None
    try:
        if path.suffix == ".json":
            document = json.loads(raw)
        elif path.suffix == ".toml":
            document = tomllib.loads(raw.decode())
        else:
            message = f"channels file {path}: name it *.toml or *.json"
            raise ChannelsFileError(message)
    except (ValueError, UnicodeDecodeError) as error:
        if isinstance(error, ChannelsFileError):
            raise
        # The parsers' messages give a line and column and quote no value.
        message = f"channels file {path}: not valid {path.suffix[1:].upper()} ({error})"
        raise ChannelsFileError(message) from None
    if not isinstance(document, dict):
        message = f"channels file {path}: expected a table with [channels] and [providers]"
        raise ChannelsFileError(message)
    unknown = sorted(set(document) - set(_FILE_SECTIONS))
    if unknown:
        message = (
            f"channels file {path}: unknown section {unknown[0]!r}; use [channels] and [providers]"
        )
        raise ChannelsFileError(message)
    channels = document.get("channels", {})
    providers = document.get("providers", {})
    if not isinstance(channels, dict) or not isinstance(providers, dict):
        message = f"channels file {path}: [channels] and [providers] must be tables"
        raise ChannelsFileError(message)
    for channel in channels:
        if channel not in CHANNEL_NAMES:
            known = ", ".join(CHANNEL_NAMES)
            message = f"channels file {path}: unknown channel {channel!r}; channels are {known}"
            raise ChannelsFileError(message)
    return {**channels, "providers": providers}


def provider_variable_token(name: str) -> str:
    """How a provider's name is spelt in its override variables: `smtp-primary` → `SMTP_PRIMARY`."""
    return "".join(char if char.isalnum() else "_" for char in name).upper()


def apply_provider_overrides(
    providers: Mapping[str, Any], environ: Mapping[str, str]
) -> dict[str, Any]:
    """`providers` with every `RIGHTPARTY_PROVIDERS__<NAME>__<FIELD>=value` applied.

    An override naming no provider is an error rather than ignored: a misspelt password variable
    would otherwise leave a provider failing on every send.
    """
    by_token: dict[str, str] = {}
    for name in providers:
        token = provider_variable_token(name)
        if token in by_token:
            message = f"providers {by_token[token]!r} and {name!r} share override names {token}"
            raise ChannelsFileError(message)
        by_token[token] = name
    merged = {
        name: dict(entry) if isinstance(entry, Mapping) else entry
        for name, entry in providers.items()
    }
    for variable in sorted(environ):
        if not variable.upper().startswith(PROVIDER_OVERRIDE_PREFIX):
            continue
        token, _, field = variable[len(PROVIDER_OVERRIDE_PREFIX) :].partition("__")
        target = by_token.get(token.upper())
        if not field or target is None:
            message = (
                f"{variable} names no provider of the channels file; "
                f"spell it {PROVIDER_OVERRIDE_PREFIX}<PROVIDER>__<FIELD>"
            )
            raise ChannelsFileError(message)
        entry = merged[target]
        if not isinstance(entry, dict):
            message = f"provider {target!r} must be a table"
            raise ChannelsFileError(message)
        entry[field.lower()] = environ[variable]
    return merged


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
    channels: ChannelSettings = Field(
        default_factory=lambda: ChannelSettings(file=None),
        description="Which providers serve each channel (the channels file).",
    )

    @classmethod
    def from_environment(cls) -> Settings:
        """Read every section from `RIGHTPARTY_*` variables (and their defaults) and the channels
        file `RIGHTPARTY_CHANNELS_FILE` names."""
        return cls(
            database=DatabaseSettings(),
            keys=KeySettings(),
            webhooks=WebhookSettings(),
            channels=ChannelSettings(),
        )
