# SPDX-License-Identifier: Apache-2.0
import base64

import pytest

from rightparty.privacy.errors import (
    KeyMaterialInvalid,
    KeyUnwrapFailed,
    KeyVersionInUse,
    KeyVersionRetired,
    UnknownKeyVersion,
)
from rightparty.privacy.keys import (
    EnvironmentKeyProvider,
    InMemoryKeyProvider,
    KekState,
    KeyProvider,
    KeySet,
    WrappedKey,
)

pytestmark = pytest.mark.unit

DATA_KEY = bytes(range(32))


def test_a_wrapped_key_unwraps_with_the_context_it_was_wrapped_with(keys):
    wrapped = keys.wrap(DATA_KEY, context=b"customer c1 version 1")
    assert wrapped.kek_id == keys.kek_id
    assert wrapped.kek_version == 1
    assert DATA_KEY not in wrapped.blob
    assert keys.unwrap(wrapped, context=b"customer c1 version 1") == DATA_KEY


def test_a_wrapped_key_moved_to_another_context_does_not_unwrap(keys):
    wrapped = keys.wrap(DATA_KEY, context=b"customer c1 version 1")
    with pytest.raises(KeyUnwrapFailed):
        keys.unwrap(wrapped, context=b"customer c2 version 1")


@pytest.mark.parametrize("cut", [0, 11, 27, 59])
def test_a_truncated_wrapped_key_does_not_unwrap(keys, cut):
    wrapped = keys.wrap(DATA_KEY, context=b"c")
    shortened = WrappedKey(wrapped.kek_id, wrapped.kek_version, wrapped.blob[:cut])
    with pytest.raises(KeyUnwrapFailed):
        keys.unwrap(shortened, context=b"c")


def test_a_key_wrapped_by_another_installation_is_an_unknown_key(keys):
    foreign = InMemoryKeyProvider.generate(kek_id="elsewhere")
    with pytest.raises(UnknownKeyVersion, match="elsewhere"):
        keys.unwrap(foreign.wrap(DATA_KEY, context=b"c"), context=b"c")


def test_rotation_wraps_under_the_new_version_and_still_unwraps_the_old(keys):
    old = keys.wrap(DATA_KEY, context=b"c")
    assert keys.rotate_kek() == 2
    new = keys.wrap(DATA_KEY, context=b"c")
    assert (old.kek_version, new.kek_version) == (1, 2)
    assert keys.unwrap(old, context=b"c") == keys.unwrap(new, context=b"c") == DATA_KEY
    rewrapped = keys.rewrap(old, context=b"c")
    assert rewrapped.kek_version == 2
    assert keys.unwrap(rewrapped, context=b"c") == DATA_KEY


def test_a_retired_version_refuses_its_keys_by_name(keys):
    old = keys.wrap(DATA_KEY, context=b"c")
    keys.rotate_kek()
    keys.retire_kek_version(1)
    assert keys.kek_versions() == {1: KekState.RETIRED, 2: KekState.ACTIVE}
    with pytest.raises(KeyVersionRetired, match="retired"):
        keys.unwrap(old, context=b"c")
    with pytest.raises(UnknownKeyVersion):
        keys.unwrap(WrappedKey(keys.kek_id, 7, old.blob), context=b"c")


def test_the_current_version_cannot_be_retired(keys):
    with pytest.raises(KeyVersionInUse):
        keys.retire_kek_version(1)
    with pytest.raises(UnknownKeyVersion):
        keys.retire_kek_version(5)


def test_blind_index_keys_are_distinct_per_name_and_stable(keys):
    phone = keys.blind_index_key("contact_points.phone")
    email = keys.blind_index_key("contact_points.email")
    assert len(phone) == len(email) == 32
    assert phone != email
    assert keys.blind_index_key("contact_points.phone") == phone
    keys.rotate_kek()
    assert keys.blind_index_key("contact_points.phone") == phone


def test_blind_index_keys_differ_between_installations(keys):
    other = InMemoryKeyProvider.generate()
    assert keys.blind_index_key("phone") != other.blind_index_key("phone")


def test_every_provider_satisfies_the_port(keys):
    environ = EnvironmentKeyProvider.generate_variables()
    providers: list[KeyProvider] = [keys, EnvironmentKeyProvider(environ)]
    for provider in providers:
        wrapped = provider.wrap(DATA_KEY, context=b"c")
        assert provider.unwrap(wrapped, context=b"c") == DATA_KEY


def test_environment_keys_come_from_the_mapping_given():
    first, second = b"\x01" * 32, b"\x02" * 32
    environ = {
        "RIGHTPARTY_KEK_ID": "prod-eu",
        "RIGHTPARTY_KEK_VERSIONS": f" 1:{_b64(first)} , 2:{_b64(second)} ",
        "RIGHTPARTY_BLIND_INDEX_KEY": _b64(b"\x03" * 32),
    }
    provider = EnvironmentKeyProvider(environ)
    assert provider.kek_id == "prod-eu"
    assert provider.current_kek_version() == 2
    assert provider.wrap(DATA_KEY, context=b"c").kek_version == 2


def test_environment_current_version_can_hold_back_a_new_key_during_roll_out():
    generated = EnvironmentKeyProvider.generate_variables(versions=(1, 2))
    provider = EnvironmentKeyProvider({**generated, "RIGHTPARTY_KEK_CURRENT": "1"})
    assert provider.current_kek_version() == 1
    assert provider.kek_versions() == {1: KekState.ACTIVE, 2: KekState.ACTIVE}


def test_environment_provider_honours_its_prefix():
    generated = EnvironmentKeyProvider.generate_variables(prefix="BANK_")
    assert EnvironmentKeyProvider(generated, prefix="BANK_").kek_id == "env"


def test_environment_provider_never_reads_the_process_environment(monkeypatch):
    for name, value in EnvironmentKeyProvider.generate_variables().items():
        monkeypatch.setenv(name, value)
    with pytest.raises(KeyMaterialInvalid, match="RIGHTPARTY_KEK_VERSIONS"):
        EnvironmentKeyProvider({})


SECRET_TEXT = "c2VjcmV0LXNlY3JldC1zZWNyZXQ="


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"RIGHTPARTY_KEK_VERSIONS": ""}, "RIGHTPARTY_KEK_VERSIONS"),
        ({"RIGHTPARTY_KEK_VERSIONS": f"1:{SECRET_TEXT}"}, "version 1"),
        ({"RIGHTPARTY_KEK_VERSIONS": f"one:{SECRET_TEXT}"}, "entry 1"),
        ({"RIGHTPARTY_KEK_VERSIONS": f"1:{SECRET_TEXT}!"}, "base64"),
        ({"RIGHTPARTY_BLIND_INDEX_KEY": SECRET_TEXT}, "RIGHTPARTY_BLIND_INDEX_KEY"),
        ({"RIGHTPARTY_KEK_CURRENT": "two"}, "RIGHTPARTY_KEK_CURRENT"),
        ({"RIGHTPARTY_KEK_CURRENT": "\u00b2"}, "RIGHTPARTY_KEK_CURRENT"),
        ({"RIGHTPARTY_KEK_CURRENT": "9"}, "current version 9"),
        ({"RIGHTPARTY_KEK_ID": "has spaces"}, "key id"),
    ],
)
def test_bad_environment_material_is_named_but_never_echoed(overrides, names):
    environ = {**EnvironmentKeyProvider.generate_variables(), **overrides}
    with pytest.raises(KeyMaterialInvalid, match=names) as caught:
        EnvironmentKeyProvider(environ)
    assert SECRET_TEXT not in str(caught.value)
    assert SECRET_TEXT not in repr(caught.value)


def test_a_version_given_twice_is_refused():
    key = _b64(b"\x01" * 32)
    environ = {
        **EnvironmentKeyProvider.generate_variables(),
        "RIGHTPARTY_KEK_VERSIONS": f"1:{key},1:{key}",
    }
    with pytest.raises(KeyMaterialInvalid, match="twice"):
        EnvironmentKeyProvider(environ)


def _b64(material: bytes) -> str:
    return base64.b64encode(material).decode()


ROOT = b"\x09" * 32


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ({"kek_id": "", "versions": {1: DATA_KEY}, "current": 1}, "key id"),
        ({"kek_id": "k", "versions": {0: DATA_KEY}, "current": 0}, "not positive"),
        ({"kek_id": "k", "versions": {1: b"short"}, "current": 1}, "32 bytes"),
        ({"kek_id": "k", "versions": {1: DATA_KEY}, "current": 2}, "has no key"),
        (
            {"kek_id": "k", "versions": {1: DATA_KEY}, "current": 1, "retired": frozenset({1})},
            "both retired and present",
        ),
        ({"kek_id": "k", "versions": {1: DATA_KEY}, "current": 1, "root": b"x"}, "blind-index"),
    ],
)
def test_an_inconsistent_key_set_is_refused(arguments, reason):
    arguments = {"blind_index_root": arguments.pop("root", ROOT), **arguments}
    with pytest.raises(KeyMaterialInvalid, match=reason):
        KeySet(**arguments)


def test_retiring_a_retired_version_again_changes_nothing(keys):
    keys.rotate_kek()
    keys.retire_kek_version(1)
    keys.retire_kek_version(1)
    assert keys.kek_versions() == {1: KekState.RETIRED, 2: KekState.ACTIVE}
    assert keys.rotate_kek() == 3


def test_a_blind_index_needs_a_name(keys):
    with pytest.raises(ValueError, match="name"):
        keys.blind_index_key("")
