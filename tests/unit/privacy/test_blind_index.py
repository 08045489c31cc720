# SPDX-License-Identifier: Apache-2.0
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.privacy.blind_index import (
    DEFAULT_BITS,
    BlindIndex,
    Candidate,
    confirm_candidates,
    expected_coincidences,
    recommended_bits,
)
from rightparty.privacy.errors import DecryptionFailed

pytestmark = pytest.mark.unit

KEY = bytes(range(32))
PLACE = {"table": "contact_points", "field": "address"}


def test_the_index_of_a_value_is_stable_for_its_key(keys):
    index = BlindIndex(keys.blind_index_key("phone"))
    again = BlindIndex(keys.blind_index_key("phone"))
    assert index.index("+8613812345678") == again.index("+8613812345678")


def test_the_same_value_indexes_differently_under_another_name(keys):
    phone = BlindIndex(keys.blind_index_key("phone"), bits=32)
    email = BlindIndex(keys.blind_index_key("email"), bits=32)
    values = [f"+861381234{n:04d}" for n in range(20)]
    assert sum(phone.index(v) == email.index(v) for v in values) <= 1


def test_the_index_is_keyed_not_a_plain_hash():
    first, second = BlindIndex(KEY, bits=32), BlindIndex(bytes(32), bits=32)
    assert first.index("+12125550100") != second.index("+12125550100")


@given(value=st.text(), bits=st.integers(min_value=1, max_value=63))
def test_an_index_always_fits_its_bits(value, bits):
    assert 0 <= BlindIndex(KEY, bits).index(value) < 2**bits


def test_indexes_spread_evenly_over_their_range():
    index = BlindIndex(KEY, bits=4)
    counts = [0] * 16
    for n in range(16_000):
        counts[index.index(f"+1212555{n:04d}")] += 1
    assert min(counts) > 850
    assert max(counts) < 1150


@pytest.mark.parametrize(("key", "bits"), [(b"short", 16), (KEY, 0), (KEY, 64)])
def test_a_short_key_or_impossible_length_is_refused(key, bits):
    with pytest.raises(ValueError):  # noqa: PT011 - a programming error
        BlindIndex(key, bits)


@pytest.mark.parametrize(
    ("population", "minimum", "maximum"),
    [(10**5, 9, 15), (10**6, 10, 18), (10**7, 12, 22), (10**8, 14, 25)],
)
def test_recommended_bits_reproduce_the_ciphersweet_rule(population, minimum, maximum):
    """The worked ranges of the reference (privacy-and-audit.md §2.4): 2 <= C < sqrt(R)."""
    advice = recommended_bits(population)
    assert (advice.minimum, advice.maximum) == (minimum, maximum)
    assert 2 <= expected_coincidences(population, maximum) < population**0.5
    assert expected_coincidences(population, maximum + 1) < 2
    assert expected_coincidences(population, minimum - 1) >= population**0.5


@pytest.mark.parametrize("population", [65_536, 10**5, 10**6, 10**7, 10**8, 10**9, 2**30 - 1])
def test_the_default_length_obeys_the_rule_for_the_populations_it_is_documented_for(population):
    assert DEFAULT_BITS in recommended_bits(population)


@pytest.mark.parametrize("population", [1_000, 65_535, 2**30])
def test_the_default_length_is_wrong_outside_its_documented_populations(population):
    assert DEFAULT_BITS not in recommended_bits(population)


def test_other_indexes_on_the_same_field_lower_the_advice():
    alone = recommended_bits(10**7)
    beside_another = recommended_bits(10**7, other_index_bits=[8])
    assert beside_another.maximum == alone.maximum - 8


def test_a_small_input_domain_caps_what_extra_bits_buy():
    assert recommended_bits(10**6, input_bits=12).maximum == 63
    assert expected_coincidences(10**6, 40, input_bits=12) == 10**6 / 2**12


@pytest.mark.parametrize("population", [0, 1, 5])
def test_a_population_too_small_has_no_safe_length(population):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is not the contract
        recommended_bits(population)


def _phone_rows(cipher, index, count):
    rows = {}
    for n in range(count):
        customer_id, phone = f"c{n}", f"+1212555{n:04d}"
        ciphertext = cipher.encrypt(customer_id, PLACE["table"], PLACE["field"], phone)
        rows.setdefault(index.index(phone), []).append(Candidate(customer_id, ciphertext, n))
    return rows


def test_a_lookup_returns_candidates_and_decryption_confirms_the_real_match(keys, cipher):
    index = BlindIndex(keys.blind_index_key("phone"), bits=2)
    rows = _phone_rows(cipher, index, 40)
    wanted = "+12125550007"
    candidates = rows[index.index(wanted)]
    assert len(candidates) > 1
    assert confirm_candidates(cipher, wanted, candidates, **PLACE) == [7]
    assert confirm_candidates(cipher, "+19999999999", candidates, **PLACE) == []


def test_confirmation_skips_shredded_customers(keys, cipher):
    index = BlindIndex(keys.blind_index_key("phone"), bits=2)
    rows = _phone_rows(cipher, index, 10)
    wanted = "+12125550003"
    cipher.shred("c3", retention_hold=False)
    assert confirm_candidates(cipher, wanted, rows[index.index(wanted)], **PLACE) == []


def test_confirmation_raises_on_a_tampered_candidate(keys, cipher):
    index = BlindIndex(keys.blind_index_key("phone"), bits=2)
    rows = _phone_rows(cipher, index, 10)
    wanted = "+12125550003"
    candidates = [
        Candidate(c.customer_id, c.ciphertext[:-1] + bytes([c.ciphertext[-1] ^ 1]), c.row)
        for c in rows[index.index(wanted)]
    ]
    with pytest.raises(DecryptionFailed):
        confirm_candidates(cipher, wanted, candidates, **PLACE)


def test_repr_shows_the_length_not_the_key():
    assert repr(BlindIndex(KEY, 16)) == "BlindIndex(bits=16)"
