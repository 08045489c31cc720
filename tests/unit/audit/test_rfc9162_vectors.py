# SPDX-License-Identifier: Apache-2.0
"""Conformance: every transparency-dev/merkle vector in ../shared/testdata/rfc9162, read in place.

A happy path (`wantErr: false`) must verify; every corruption (`wantErr: true`: bit flips,
truncated, extended or reordered proofs, wrong sizes, indexes or roots) must be rejected.
Outside CI a missing folder skips these tests with its path; under CI=true it fails them.
"""

import base64
import json
from pathlib import Path

import pytest

from rightparty.audit import merkle
from rightparty.audit.errors import InvalidProof
from rightparty.audit.subtree import verify_subtree_consistency, verify_subtree_inclusion
from tests.conftest import IN_CI, SHARED_DIR

pytestmark = pytest.mark.unit

VECTORS = SHARED_DIR / "testdata" / "rfc9162"
EXPECTED_COUNTS = {
    "inclusion": 98,
    "consistency": 98,
    "subtreeinclusion": 204,
    "subtreeconsistency": 118,
}


def _vector_files(kind: str) -> list[Path]:
    folder = VECTORS / kind
    return sorted(folder.rglob("*.json")) if folder.is_dir() else []


def _params(kind: str) -> list[object]:
    files = _vector_files(kind)
    if not files:
        return [pytest.param(None, id="missing")]
    return [pytest.param(path, id=str(path.relative_to(VECTORS / kind))) for path in files]


def _load(path: Path | None) -> dict[str, object]:
    if path is None:
        message = f"RFC 9162 test vectors not found in {VECTORS}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _hash(value: object) -> bytes:
    assert isinstance(value, str)
    return base64.b64decode(value)


def _proof(value: object) -> list[bytes]:
    assert value is None or isinstance(value, list)
    return [_hash(element) for element in value or []]


def _check(vector: dict[str, object], verify) -> None:
    if vector["wantErr"]:
        with pytest.raises(InvalidProof):
            verify()
    else:
        verify()


@pytest.mark.parametrize("path", _params("inclusion"))
def test_inclusion_vector(path):
    vector = _load(path)
    _check(
        vector,
        lambda: merkle.verify_inclusion(
            leaf_hash=_hash(vector["leafHash"]),
            index=vector["leafIdx"],
            size=vector["treeSize"],
            proof=_proof(vector["proof"]),
            root=_hash(vector["root"]),
        ),
    )


@pytest.mark.parametrize("path", _params("consistency"))
def test_consistency_vector(path):
    vector = _load(path)
    _check(
        vector,
        lambda: merkle.verify_consistency(
            old_size=vector["size1"],
            new_size=vector["size2"],
            old_root=_hash(vector["root1"]),
            new_root=_hash(vector["root2"]),
            proof=_proof(vector["proof"]),
        ),
    )


@pytest.mark.parametrize("path", _params("subtreeinclusion"))
def test_subtree_inclusion_vector(path):
    vector = _load(path)
    _check(
        vector,
        lambda: verify_subtree_inclusion(
            leaf_hash=_hash(vector["leafHash"]),
            index=vector["leafIdx"],
            start=vector["start"],
            end=vector["end"],
            proof=_proof(vector["proof"]),
            subtree_root=_hash(vector["root"]),
        ),
    )


@pytest.mark.parametrize("path", _params("subtreeconsistency"))
def test_subtree_consistency_vector(path):
    vector = _load(path)
    _check(
        vector,
        lambda: verify_subtree_consistency(
            start=vector["start"],
            end=vector["end"],
            size=vector["size"],
            proof=_proof(vector["proof"]),
            subtree_root=_hash(vector["root1"]),
            root=_hash(vector["root2"]),
        ),
    )


@pytest.mark.parametrize(("kind", "count"), EXPECTED_COUNTS.items())
def test_every_vector_folder_is_complete_and_has_happy_and_corrupt_cases(kind, count):
    files = _vector_files(kind)
    if not files:
        _load(None)
    outcomes = [json.loads(path.read_text(encoding="utf-8"))["wantErr"] for path in files]
    assert len(files) == count
    assert False in outcomes
    assert True in outcomes
