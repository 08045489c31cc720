# SPDX-License-Identifier: Apache-2.0
import base64
import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.audit.checkpoint import (
    Checkpoint,
    NoteSignature,
    SignedCheckpoint,
    key_id,
    sign,
    verify,
)
from rightparty.audit.errors import InvalidCheckpoint, InvalidEncoding
from tests.unit.audit.builders import ORIGIN, flip_bit, signing_key

pytestmark = pytest.mark.unit

ROOT = hashlib.sha256(b"root").digest()
ISSUED = datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC)


def _checkpoint(**changes):
    fields = {"origin": ORIGIN, "size": 1042, "root": ROOT, "issued_at": ISSUED}
    return Checkpoint(**(fields | changes))


def test_note_text_is_origin_size_root_and_time():
    text = _checkpoint().note_text().decode()
    assert text == (
        f"{ORIGIN}\n1042\n{base64.b64encode(ROOT).decode()}\ntime 2026-03-02T12:00:05.000000Z\n"
    )


def test_a_signed_checkpoint_is_a_signed_note():
    key = signing_key()
    encoded = sign(_checkpoint(), key).encode().decode()
    body, signature_line = encoded.split("\n\n")
    assert body + "\n" == _checkpoint().note_text().decode()
    dash, name, blob = signature_line.rstrip("\n").split(" ")
    assert (dash, name) == ("\u2014", ORIGIN)
    raw = base64.b64decode(blob)
    assert raw[:4] == key_id(ORIGIN, key.public_key())
    key.public_key().verify(raw[4:], _checkpoint().note_text())


def test_key_id_follows_the_signed_note_definition():
    public = signing_key().public_key()
    expected = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + public.public_bytes_raw()).digest()
    assert key_id(ORIGIN, public) == expected[:4]


@given(
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
    st.datetimes(
        min_value=datetime(1970, 1, 1),  # noqa: DTZ001 - Hypothesis bounds are naive by design
        max_value=datetime(9999, 1, 1),  # noqa: DTZ001 - as above
        timezones=st.just(UTC),
    ),
)
def test_signed_checkpoints_survive_a_round_trip(size, root, issued_at):
    key = signing_key()
    signed = sign(_checkpoint(size=size, root=root, issued_at=issued_at), key)
    decoded = SignedCheckpoint.decode(signed.encode())
    assert decoded == signed
    assert verify(decoded, key.public_key()) == signed.checkpoint


def test_issued_at_is_stored_in_utc():
    shanghai = timezone(timedelta(hours=8))
    checkpoint = _checkpoint(issued_at=datetime(2026, 3, 2, 20, 0, 5, tzinfo=shanghai))
    assert checkpoint.issued_at.tzinfo is UTC
    assert checkpoint == _checkpoint()


def test_a_checkpoint_by_another_key_is_refused():
    signed = sign(_checkpoint(), signing_key(2))
    with pytest.raises(InvalidCheckpoint, match="no signature by the log's key"):
        verify(signed, signing_key(1).public_key())


@pytest.mark.parametrize(
    "changes",
    [
        {"size": 1043},
        {"root": hashlib.sha256(b"other").digest()},
        {"issued_at": ISSUED + timedelta(microseconds=1)},
    ],
    ids=["size", "root", "time"],
)
def test_a_changed_field_breaks_the_signature(changes):
    signed = sign(_checkpoint(), signing_key())
    forged = replace(signed, checkpoint=_checkpoint(**changes))
    with pytest.raises(InvalidCheckpoint, match="invalid signature"):
        verify(forged, signing_key().public_key())


def test_a_checkpoint_renamed_to_another_log_is_refused():
    signed = sign(_checkpoint(), signing_key())
    renamed = replace(signed, checkpoint=_checkpoint(origin="other.example/audit"))
    with pytest.raises(InvalidCheckpoint):
        verify(renamed, signing_key().public_key())


@given(st.integers(0, 511))
def test_any_bit_flip_in_the_signature_is_refused(bit):
    signed = sign(_checkpoint(), signing_key())
    line = signed.signatures[0]
    forged = replace(signed, signatures=(replace(line, signature=flip_bit(line.signature, bit)),))
    with pytest.raises(InvalidCheckpoint):
        verify(forged, signing_key().public_key())


def test_witness_cosignatures_are_kept_and_ignored():
    signed = sign(_checkpoint(), signing_key())
    witness = NoteSignature(name="witness.example", key_id=b"wwww", signature=b"s" * 72)
    cosigned = replace(signed, signatures=(witness, *signed.signatures))
    decoded = SignedCheckpoint.decode(cosigned.encode())
    assert decoded.signatures == (witness, *signed.signatures)
    assert verify(decoded, signing_key().public_key()) == _checkpoint()


def test_a_checkpoint_without_signature_lines_is_refused():
    with pytest.raises(InvalidCheckpoint):
        verify(
            SignedCheckpoint(checkpoint=_checkpoint(), signatures=()), signing_key().public_key()
        )


def _signed_text() -> str:
    return sign(_checkpoint(), signing_key()).encode().decode()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda text: text.replace("\n\n", "\n"),
        lambda text: text.replace("\n1042\n", "\n01042\n"),
        lambda text: text.replace("\n1042\n", "\n+1042\n"),
        lambda text: text.replace("\ntime ", "\nextra line\ntime "),
        lambda text: text.replace("time ", "when "),
        lambda text: text.replace(".000000Z", "Z"),
        lambda text: text.replace("=\n", "\n", 1),
        lambda text: text.replace("\u2014 ", "- "),
        lambda text: text.rstrip("\n"),
        lambda text: text + "\n",
        lambda text: text.replace(ORIGIN, "bank example", 1),
        lambda text: text + "\u2014 w " + base64.b64encode(b"abc").decode() + "\n",
        lambda text: text + "\u2014 w !!!!\n",
        lambda text: text + "\u2014 w AAAA AAAA\n",
        lambda text: text + "\u2014 w AAAAAAB=\n",
        lambda text: text + "\u2014 w AAAAAAAA\n" * 100,
    ],
    ids=[
        "no-blank-line",
        "leading-zero",
        "signed-size",
        "unknown-extension",
        "no-time-line",
        "short-time",
        "unpadded-root",
        "hyphen",
        "no-final-newline",
        "empty-signature-line",
        "space-in-origin",
        "blob-too-short",
        "not-base64",
        "three-fields",
        "non-canonical-base64",
        "too-many-signatures",
    ],
)
def test_decode_refuses_malformed_notes(mutate):
    with pytest.raises(InvalidEncoding):
        SignedCheckpoint.decode(mutate(_signed_text()).encode())


def test_decode_refuses_non_utf8_and_oversized_notes():
    with pytest.raises(InvalidEncoding):
        SignedCheckpoint.decode(b"\xff\xfe")
    with pytest.raises(InvalidEncoding):
        SignedCheckpoint.decode(_signed_text().encode() + b"x" * 70000)


@pytest.mark.parametrize(
    "changes",
    [
        {"origin": "has space"},
        {"origin": "plus+sign"},
        {"origin": ""},
        {"size": -1},
        {"size": 2**64},
        {"root": b"short"},
        {"issued_at": datetime(2026, 3, 2)},  # noqa: DTZ001 - the naive time is under test
    ],
    ids=["space", "plus", "empty-origin", "negative", "too-large", "short-root", "naive"],
)
def test_invalid_checkpoints_cannot_be_built(changes):
    with pytest.raises(ValueError, match=r"origin|size|root|issued_at"):
        _checkpoint(**changes)
