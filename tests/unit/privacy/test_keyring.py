# SPDX-License-Identifier: Apache-2.0
"""The local keyring file. These tests touch tmp_path only."""

import json
import stat

import pytest

from rightparty.privacy.errors import (
    KeyringAlreadyExists,
    KeyringCorrupt,
    KeyringNotFound,
    KeyringPermissionsTooOpen,
    KeyVersionInUse,
    KeyVersionRetired,
)
from rightparty.privacy.keyring import LocalKeyring
from rightparty.privacy.keys import KekState

pytestmark = pytest.mark.unit

DATA_KEY = bytes(range(32))


@pytest.fixture
def path(tmp_path):
    return tmp_path / "var" / "keyring.json"


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_create_writes_a_0600_file_that_opens_to_the_same_keys(path):
    created = LocalKeyring.create(path)
    assert _mode(path) == 0o600
    assert _mode(path.parent) & 0o077 == 0
    reopened = LocalKeyring.open(path)
    assert reopened.kek_id == created.kek_id
    assert reopened.kek_id.startswith("local-")
    wrapped = created.wrap(DATA_KEY, context=b"c")
    assert reopened.unwrap(wrapped, context=b"c") == DATA_KEY
    assert reopened.blind_index_key("phone") == created.blind_index_key("phone")


def test_two_keyrings_never_share_keys(tmp_path):
    first = LocalKeyring.create(tmp_path / "a.json")
    second = LocalKeyring.create(tmp_path / "b.json")
    assert first.kek_id != second.kek_id
    assert first.blind_index_key("phone") != second.blind_index_key("phone")


def test_create_refuses_to_overwrite_an_existing_keyring(path):
    LocalKeyring.create(path)
    before = path.read_bytes()
    with pytest.raises(KeyringAlreadyExists):
        LocalKeyring.create(path)
    assert path.read_bytes() == before


def test_open_or_create_is_idempotent(path):
    first = LocalKeyring.open_or_create(path)
    second = LocalKeyring.open_or_create(path)
    assert first.kek_id == second.kek_id


def test_opening_a_missing_keyring_says_to_run_init(path):
    with pytest.raises(KeyringNotFound, match="rightparty init"):
        LocalKeyring.open(path)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o602, 0o660, 0o644, 0o666, 0o700 | 0o070])
def test_a_keyring_readable_or_writable_by_group_or_others_is_refused(path, mode):
    LocalKeyring.create(path)
    path.chmod(mode)
    with pytest.raises(KeyringPermissionsTooOpen) as caught:
        LocalKeyring.open(path)
    assert caught.value.mode == mode
    assert "chmod 600" in str(caught.value)


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_an_owner_only_keyring_opens(path, mode):
    LocalKeyring.create(path)
    path.chmod(mode)
    assert LocalKeyring.open(path).current_kek_version() == 1


def test_a_keyring_opened_up_after_loading_is_refused_at_its_next_use(path):
    keyring = LocalKeyring.create(path)
    path.chmod(0o644)
    with pytest.raises(KeyringPermissionsTooOpen):
        keyring.wrap(DATA_KEY, context=b"c")


def test_a_keyring_deleted_after_loading_is_reported(path):
    keyring = LocalKeyring.create(path)
    path.unlink()
    with pytest.raises(KeyringNotFound):
        keyring.current_kek_version()


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b'{"format": "something-else"}',
        b'{"format": "rightparty-keyring", "format_version": 99}',
        b'{"format": "rightparty-keyring", "format_version": 1, "kek_id": "x"}',
    ],
)
def test_a_file_that_is_not_a_keyring_is_refused(path, content):
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(KeyringCorrupt):
        LocalKeyring.open(path)


@pytest.mark.parametrize(
    "damage",
    [
        lambda document: document["versions"]["1"].update(key="c2hvcnQ="),
        lambda document: document["versions"]["1"].update(state="unknown"),
        lambda document: document.update(current_version=4),
        lambda document: document.update(blind_index_root=None),
        lambda document: document["versions"].update({"x": {}}),
    ],
)
def test_a_damaged_keyring_is_refused_without_echoing_its_keys(path, damage):
    LocalKeyring.create(path)
    document = json.loads(path.read_text())
    secret = document["versions"]["1"]["key"]
    damage(document)
    path.write_text(json.dumps(document))
    with pytest.raises(KeyringCorrupt) as caught:
        LocalKeyring.open(path)
    assert secret not in str(caught.value)


def test_rotation_is_persisted_and_seen_by_a_keyring_opened_earlier(path):
    writer = LocalKeyring.create(path)
    reader = LocalKeyring.open(path)
    assert writer.rotate_kek() == 2
    assert _mode(path) == 0o600
    assert reader.current_kek_version() == 2
    wrapped = writer.wrap(DATA_KEY, context=b"c")
    assert wrapped.kek_version == 2
    assert reader.unwrap(wrapped, context=b"c") == DATA_KEY


def test_a_retired_version_loses_its_material_in_the_file(path):
    keyring = LocalKeyring.create(path)
    old = keyring.wrap(DATA_KEY, context=b"c")
    old_key = json.loads(path.read_text())["versions"]["1"]["key"]
    keyring.rotate_kek()
    keyring.retire_kek_version(1)
    text = path.read_text()
    assert old_key not in text
    assert json.loads(text)["versions"]["1"] == {"state": "retired"}
    assert LocalKeyring.open(path).kek_versions() == {1: KekState.RETIRED, 2: KekState.ACTIVE}
    with pytest.raises(KeyVersionRetired):
        LocalKeyring.open(path).unwrap(old, context=b"c")


def test_the_current_version_of_a_keyring_cannot_be_retired(path):
    keyring = LocalKeyring.create(path)
    with pytest.raises(KeyVersionInUse):
        keyring.retire_kek_version(1)


def test_writes_leave_no_temporary_files_behind(path):
    keyring = LocalKeyring.create(path)
    keyring.rotate_kek()
    keyring.retire_kek_version(1)
    names = sorted(entry.name for entry in path.parent.iterdir())
    assert names == [".keyring.json.lock", "keyring.json"]
    assert _mode(path.parent / ".keyring.json.lock") == 0o600


def test_repr_names_the_file_and_version_only(path):
    keyring = LocalKeyring.create(path)
    document = json.loads(path.read_text())
    text = repr(keyring)
    assert "keyring.json" in text
    assert "current_version=1" in text
    assert document["versions"]["1"]["key"] not in text
    assert document["blind_index_root"] not in text


def test_the_keyring_knows_its_path(path):
    assert LocalKeyring.create(path).path == path


def test_a_directory_in_place_of_the_keyring_is_refused(path):
    path.mkdir(parents=True, mode=0o700)
    with pytest.raises(KeyringCorrupt, match="regular file"):
        LocalKeyring.open(path)
