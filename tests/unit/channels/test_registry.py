# SPDX-License-Identifier: Apache-2.0
from importlib.metadata import EntryPoint

import pytest
from pydantic import ValidationError

from rightparty.channels.providers.sandbox import SandboxLedger
from rightparty.channels.registry import (
    ENTRY_POINT_GROUP,
    ProviderConflict,
    ProviderLoadError,
    ProviderRegistry,
    UnknownProvider,
)
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel
from tests.unit.channels.builders import ScriptedProvider, make_message

pytestmark = pytest.mark.unit

NOT_A_PROVIDER = "a string, not a provider class"


def plugin(name, value):
    return EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


SCRIPTED = plugin("scripted", "tests.unit.channels.builders:ScriptedProvider")


def test_the_built_in_providers_are_registered():
    registry = ProviderRegistry()
    assert registry.kinds() == ("letter", "sandbox", "smtp", "twilio", "webpush")
    assert registry.capabilities("smtp").serves(Channel.EMAIL)
    assert registry.capabilities("twilio").serves(Channel.VOICE)
    assert registry.settings_model("sandbox").__name__ == "SandboxSettings"


def test_a_plugin_from_the_entry_point_group_is_discovered_and_built():
    registry = ProviderRegistry.discover([SCRIPTED])
    assert "scripted" in registry
    provider = registry.create("scripted", {"token": "t0k3n"}, name="plugin")
    assert isinstance(provider, ScriptedProvider)
    assert provider.send(make_message()).status is DeliveryStatus.ACCEPTED


def test_discovery_reads_installed_packages_and_keeps_the_built_ins():
    assert {"sandbox", "smtp", "twilio"} <= set(ProviderRegistry.discover().kinds())


def test_a_plugin_repeating_a_built_in_declaration_is_not_a_conflict():
    same = plugin("smtp", "rightparty.channels.providers.smtp:SmtpProvider")
    assert ProviderRegistry.discover([same]).kinds() == ProviderRegistry().kinds()


def test_two_declarations_of_one_kind_conflict():
    impostor = plugin("smtp", "tests.unit.channels.builders:ScriptedProvider")
    with pytest.raises(ProviderConflict, match="'smtp' is declared by both") as raised:
        ProviderRegistry.discover([impostor])
    assert raised.value.kind == "smtp"


def test_an_entry_point_of_another_group_is_refused():
    stray = EntryPoint(name="x", value="tests.unit.channels.builders:ScriptedProvider", group="g")
    with pytest.raises(ProviderLoadError, match=r"not in the rightparty\.channels group"):
        ProviderRegistry([stray])


@pytest.mark.parametrize(
    ("entry_point", "message"),
    [
        (plugin("missing", "tests.unit.channels.no_such_module:Provider"), "failed to import"),
        (plugin("scalar", "tests.unit.channels.test_registry:NOT_A_PROVIDER"), "not a Channel"),
        (plugin("renamed", "tests.unit.channels.builders:ScriptedProvider"), "declares kind"),
    ],
)
def test_a_broken_plugin_fails_loudly_when_used(entry_point, message):
    registry = ProviderRegistry.discover([entry_point])
    assert entry_point.name in registry.kinds()
    with pytest.raises(ProviderLoadError, match=message):
        registry.provider_class(entry_point.name)


def test_an_unknown_kind_names_the_known_ones():
    with pytest.raises(UnknownProvider, match="known: letter, sandbox, smtp, twilio, webpush"):
        ProviderRegistry().provider_class("carrier-pigeon")


def test_invalid_settings_are_refused_without_echoing_the_secret():
    with pytest.raises(ValidationError) as raised:
        ProviderRegistry().create("twilio", {"account_sid": "AC1", "auth_token": "hunter2-token"})
    assert "hunter2-token" not in str(raised.value)
    assert "sms_from" in str(raised.value)


def test_create_passes_dependencies_besides_settings_to_the_provider():
    ledger = SandboxLedger()
    provider = ProviderRegistry().create("sandbox", {}, name="demo", ledger=ledger)
    provider.send(make_message(key="k1"))
    assert (provider.name, ledger.times_sent("k1")) == ("demo", 1)
