# SPDX-License-Identifier: Apache-2.0
"""Which provider kinds exist: the built-ins plus any found in the `rightparty.channels` group.

A third-party package adds a provider by declaring, in its own `pyproject.toml`:

    [project.entry-points."rightparty.channels"]
    acme-sms = "acme_rightparty.sms:AcmeSmsProvider"

where `AcmeSmsProvider` subclasses `ChannelProvider` and sets `kind = "acme-sms"`. Nothing is
imported until a kind is asked for, so a broken plugin fails loudly only when it is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any, cast

from rightparty.channels.base import ChannelProvider, ProviderSettings, Resilience
from rightparty.channels.capabilities import Capabilities

ENTRY_POINT_GROUP = "rightparty.channels"

BUILTIN_ENTRY_POINTS: tuple[EntryPoint, ...] = (
    EntryPoint(
        name="sandbox",
        value="rightparty.channels.providers.sandbox:SandboxProvider",
        group=ENTRY_POINT_GROUP,
    ),
    EntryPoint(
        name="smtp",
        value="rightparty.channels.providers.smtp:SmtpProvider",
        group=ENTRY_POINT_GROUP,
    ),
    EntryPoint(
        name="twilio",
        value="rightparty.channels.providers.twilio:TwilioProvider",
        group=ENTRY_POINT_GROUP,
    ),
    EntryPoint(
        name="webpush",
        value="rightparty.channels.providers.webpush:WebPushProvider",
        group=ENTRY_POINT_GROUP,
    ),
    EntryPoint(
        name="letter",
        value="rightparty.channels.providers.letter:LetterProvider",
        group=ENTRY_POINT_GROUP,
    ),
)


class ProviderRegistryError(Exception):
    """Base of the registry's errors; each carries the provider `kind`."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class UnknownProvider(ProviderRegistryError, LookupError):
    pass


class ProviderConflict(ProviderRegistryError):
    """Two entry points claim the same kind; neither wins silently."""


class ProviderLoadError(ProviderRegistryError):
    """An entry point could not be imported or is not a `ChannelProvider` of its kind."""


def installed_entry_points() -> tuple[EntryPoint, ...]:
    """The entry points installed packages declare in the `rightparty.channels` group."""
    return tuple(entry_points(group=ENTRY_POINT_GROUP))


class ProviderRegistry:
    """Provider kinds by name; `create` builds a configured instance from plain settings."""

    def __init__(self, entry_points: Iterable[EntryPoint] = BUILTIN_ENTRY_POINTS) -> None:
        self._entry_points: dict[str, EntryPoint] = {}
        self._loaded: dict[str, type[ChannelProvider[Any]]] = {}
        for entry_point in entry_points:
            self._add(entry_point)

    @classmethod
    def discover(cls, installed: Iterable[EntryPoint] | None = None) -> ProviderRegistry:
        """The built-ins plus `installed` (by default, read from the installed packages)."""
        found = installed_entry_points() if installed is None else tuple(installed)
        builtin = {entry_point.value for entry_point in BUILTIN_ENTRY_POINTS}
        extra = [entry_point for entry_point in found if entry_point.value not in builtin]
        return cls((*BUILTIN_ENTRY_POINTS, *extra))

    def _add(self, entry_point: EntryPoint) -> None:
        if entry_point.group != ENTRY_POINT_GROUP:
            message = f"entry point {entry_point.name!r} is not in the {ENTRY_POINT_GROUP} group"
            raise ProviderLoadError(entry_point.name, message)
        existing = self._entry_points.get(entry_point.name)
        if existing is not None and existing.value != entry_point.value:
            message = (
                f"provider kind {entry_point.name!r} is declared by both {existing.value} "
                f"and {entry_point.value}"
            )
            raise ProviderConflict(entry_point.name, message)
        self._entry_points[entry_point.name] = entry_point

    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted(self._entry_points))

    def __contains__(self, kind: object) -> bool:
        return kind in self._entry_points

    def provider_class(self, kind: str) -> type[ChannelProvider[Any]]:
        if kind in self._loaded:
            return self._loaded[kind]
        entry_point = self._entry_points.get(kind)
        if entry_point is None:
            known = ", ".join(self.kinds())
            raise UnknownProvider(kind, f"no channel provider {kind!r}; known: {known}")
        try:
            loaded = entry_point.load()
        except Exception as error:
            message = f"provider {kind!r} ({entry_point.value}) failed to import: {error}"
            raise ProviderLoadError(kind, message) from error
        if not (isinstance(loaded, type) and issubclass(loaded, ChannelProvider)):
            message = f"provider {kind!r} ({entry_point.value}) is not a ChannelProvider subclass"
            raise ProviderLoadError(kind, message)
        if getattr(loaded, "kind", None) != kind:
            message = f"provider {entry_point.value} declares kind {loaded.kind!r}, not {kind!r}"
            raise ProviderLoadError(kind, message)
        self._loaded[kind] = loaded
        return loaded

    def settings_model(self, kind: str) -> type[ProviderSettings]:
        return self.provider_class(kind).settings_model

    def capabilities(self, kind: str) -> Capabilities:
        """What the kind declares before any settings narrow it."""
        return self.provider_class(kind).CAPABILITIES

    def create(
        self,
        kind: str,
        settings: ProviderSettings | Mapping[str, Any],
        *,
        name: str | None = None,
        resilience: Resilience | None = None,
        **dependencies: object,
    ) -> ChannelProvider[Any]:
        """A configured provider; `settings` are validated against the kind's settings model.

        `dependencies` are keyword arguments the provider's constructor accepts besides settings
        (the sandbox's ledger and outcome model, say).
        """
        provider_class = self.provider_class(kind)
        model = provider_class.settings_model
        validated = settings if isinstance(settings, model) else model.model_validate(settings)
        build = cast("Callable[..., ChannelProvider[Any]]", provider_class)
        return build(validated, name=name, resilience=resilience, **dependencies)
