# SPDX-License-Identifier: Apache-2.0
"""FieldCipher: encryption, per-customer keys, caching, shredding."""

import pytest

from rightparty.privacy.ciphertext import OVERHEAD_BYTES, parse_header
from rightparty.privacy.data_keys import InMemoryDataKeyStore
from rightparty.privacy.envelope import FieldCipher
from rightparty.privacy.errors import KeyShredded, RetentionHoldActive, UnknownKeyVersion
from rightparty.privacy.keys import InMemoryKeyProvider

pytestmark = pytest.mark.unit

PHONE = ("contact_points", "address")


@pytest.mark.parametrize(
    "plaintext", ["+8613812345678", "王小明", "", "x" * 5000, "e\u0301\U0001f600"]
)
def test_a_value_round_trips_for_its_customer_table_and_field(cipher, plaintext):
    ciphertext = cipher.encrypt("c1", *PHONE, plaintext)
    assert len(ciphertext) == len(plaintext.encode()) + OVERHEAD_BYTES
    assert cipher.decrypt("c1", *PHONE, ciphertext) == plaintext


def test_the_same_value_encrypts_differently_every_time(cipher):
    ciphertexts = {cipher.encrypt("c1", *PHONE, "+12125550100") for _ in range(50)}
    assert len(ciphertexts) == 50


def test_the_header_names_the_data_key_by_id_and_version(cipher):
    header = parse_header(cipher.encrypt("c1", *PHONE, "+12125550100"))
    assert (header.format_version, header.algorithm, header.version) == (1, 1, 1)
    assert len(header.key_id) == 4


def test_each_customer_has_a_data_key_of_their_own(cipher, store):
    first = parse_header(cipher.encrypt("c1", *PHONE, "a")).key_id
    second = parse_header(cipher.encrypt("c2", *PHONE, "a")).key_id
    assert first != second
    assert [key.customer_id for key in store.page(after=None, limit=10)] == ["c1", "c2"]


def test_the_store_holds_only_wrapped_keys(keys, store, cipher):
    cipher.encrypt("c1", *PHONE, "a")
    stored = store.get("c1").keys[0]
    assert stored.wrapped.kek_id == keys.kek_id
    assert stored.wrapped.kek_version == 1
    assert stored.encryptions >= 1


def test_another_process_on_the_same_store_reads_what_this_one_wrote(cipher, another_process):
    ciphertext = cipher.encrypt("c1", *PHONE, "+12125550100")
    assert another_process.decrypt("c1", *PHONE, ciphertext) == "+12125550100"
    reply = another_process.encrypt("c1", *PHONE, "+12125550101")
    assert cipher.decrypt("c1", *PHONE, reply) == "+12125550101"


class _RacingStore(InMemoryDataKeyStore):
    """Lets a competitor create the same key version just before our insert lands."""

    def __init__(self, competitor_keys):
        super().__init__()
        self.competitor = FieldCipher(competitor_keys, self)
        self.raced = False

    def insert(self, key):
        if not self.raced:
            self.raced = True
            self.competitor.encrypt(key.customer_id, *PHONE, "competitor")
        return super().insert(key)


def test_two_processes_creating_a_customers_first_key_end_up_with_one(keys):
    store = _RacingStore(keys)
    cipher = FieldCipher(keys, store)
    mine = cipher.encrypt("c1", *PHONE, "mine")
    theirs = store.competitor.encrypt("c1", *PHONE, "theirs")
    assert len(store.get("c1").keys) == 1
    assert parse_header(mine).key_id == parse_header(theirs).key_id
    assert cipher.decrypt("c1", *PHONE, theirs) == "theirs"
    assert store.competitor.decrypt("c1", *PHONE, mine) == "mine"


def test_a_customer_without_keys_has_nothing_to_decrypt(cipher):
    ciphertext = FieldCipher(InMemoryKeyProvider.generate(), InMemoryDataKeyStore()).encrypt(
        "c1", *PHONE, "a"
    )
    with pytest.raises(UnknownKeyVersion):
        cipher.decrypt("c1", *PHONE, ciphertext)


@pytest.mark.parametrize("hold", [True, lambda customer_id: customer_id == "c1"])
def test_shredding_is_refused_while_a_retention_hold_applies(cipher, store, hold):
    ciphertext = cipher.encrypt("c1", *PHONE, "+12125550100")
    with pytest.raises(RetentionHoldActive):
        cipher.shred("c1", retention_hold=hold)
    assert not store.get("c1").shredded
    assert cipher.decrypt("c1", *PHONE, ciphertext) == "+12125550100"


def test_shredding_makes_every_copy_unreadable_and_says_what_it_destroyed(keys, cipher):
    ciphertext = cipher.encrypt("c1", *PHONE, "+12125550100")
    cipher.rotate_data_key("c1")
    copy = bytes(ciphertext)
    receipt = cipher.shred("c1", retention_hold=False)
    assert receipt.customer_id == "c1"
    assert receipt.data_key_versions == (1, 2)
    assert (receipt.kek_id, receipt.kek_version_at_shred) == (keys.kek_id, 1)
    for value in (ciphertext, copy):
        with pytest.raises(KeyShredded):
            cipher.decrypt("c1", *PHONE, value)


def test_a_shredded_customer_never_gets_a_new_key(cipher):
    cipher.encrypt("c1", *PHONE, "a")
    cipher.shred("c1", retention_hold=lambda _: False)
    with pytest.raises(KeyShredded):
        cipher.encrypt("c1", *PHONE, "a")
    with pytest.raises(KeyShredded):
        cipher.rotate_data_key("c1")
    assert cipher.shred("c1", retention_hold=False).data_key_versions == ()


def test_shredding_leaves_other_customers_readable(cipher):
    kept = cipher.encrypt("c2", *PHONE, "kept")
    cipher.encrypt("c1", *PHONE, "gone")
    cipher.shred("c1", retention_hold=False)
    assert cipher.decrypt("c2", *PHONE, kept) == "kept"


def test_a_backup_of_the_keys_stops_working_once_the_shred_time_kek_is_retired(keys, cipher, store):
    ciphertext = cipher.encrypt("c1", *PHONE, "+12125550100")
    backup = InMemoryDataKeyStore()
    backup.insert(store.get("c1").keys[0])
    receipt = cipher.shred("c1", retention_hold=False)
    restored = FieldCipher(keys, backup)
    assert restored.decrypt("c1", *PHONE, ciphertext) == "+12125550100"
    keys.rotate_kek()
    cipher.rewrap_all()
    keys.retire_kek_version(receipt.kek_version_at_shred)
    with pytest.raises(UnknownKeyVersion, match="retired"):
        FieldCipher(keys, backup).decrypt("c1", *PHONE, ciphertext)


def test_other_processes_stop_reading_a_shredded_customer_within_the_cache_ttl(
    cipher, another_process, ticks
):
    ciphertext = cipher.encrypt("c1", *PHONE, "+12125550100")
    assert another_process.decrypt("c1", *PHONE, ciphertext) == "+12125550100"
    cipher.shred("c1", retention_hold=False)
    ticks.advance(59)
    assert another_process.decrypt("c1", *PHONE, ciphertext) == "+12125550100"
    ticks.advance(2)
    with pytest.raises(KeyShredded):
        another_process.decrypt("c1", *PHONE, ciphertext)


def test_forgetting_cached_keys_rereads_the_store(cipher, store):
    ciphertext = cipher.encrypt("c1", *PHONE, "a")
    store.shred("c1")
    assert cipher.decrypt("c1", *PHONE, ciphertext) == "a"
    cipher.forget_cached_keys("c1")
    with pytest.raises(KeyShredded):
        cipher.decrypt("c1", *PHONE, ciphertext)


def test_forgetting_all_cached_keys_drops_a_key_whose_creation_rolled_back(keys):
    store = InMemoryDataKeyStore()
    cipher = FieldCipher(keys, store)
    cipher.encrypt("c1", *PHONE, "rolled back")
    store.delete("c1", 1)  # the transaction that created the key rolled back
    cipher.forget_cached_keys()
    ciphertext = cipher.encrypt("c1", *PHONE, "committed")
    assert FieldCipher(keys, store).decrypt("c1", *PHONE, ciphertext) == "committed"


def test_the_key_cache_is_bounded(keys, store):
    cipher = FieldCipher(keys, store, cache_size=2)
    ciphertexts = {customer: cipher.encrypt(customer, *PHONE, customer) for customer in "abcd"}
    assert "cached_customers=2" in repr(cipher)
    assert all(cipher.decrypt(c, *PHONE, value) == c for c, value in ciphertexts.items())


@pytest.mark.parametrize(
    "options",
    [
        {"max_encryptions_per_key": 2**32 + 1},
        {"reservation_block": 0},
        {"reservation_block": 10, "max_encryptions_per_key": 5},
        {"cache_size": 0},
        {"cache_ttl_seconds": -1},
    ],
)
def test_limits_beyond_nist_or_nonsense_are_refused(keys, store, options):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is not the contract
        FieldCipher(keys, store, **options)


@pytest.mark.parametrize(
    ("customer_id", "table", "field", "schema_version"),
    [("", "t", "f", 1), ("c1", "", "f", 1), ("c1", "t", "", 1), ("c1", "t", "f", -1)],
)
def test_a_value_must_be_bound_to_a_customer_table_field_and_schema(
    cipher, customer_id, table, field, schema_version
):
    with pytest.raises(ValueError):  # noqa: PT011 - a programming error, not a contract
        cipher.encrypt(customer_id, table, field, "a", schema_version=schema_version)


class _ShredBeforeInsert(InMemoryDataKeyStore):
    def insert(self, key):
        self.shred(key.customer_id)
        return super().insert(key)


def test_a_key_created_while_another_process_shreds_the_customer_is_refused(keys):
    cipher = FieldCipher(keys, _ShredBeforeInsert())
    with pytest.raises(KeyShredded):
        cipher.encrypt("c1", *PHONE, "a")
    assert "cached_customers=0" in repr(cipher)


def test_encryption_stops_at_the_next_reservation_after_another_process_shreds(keys, store):
    cipher = FieldCipher(keys, store, reservation_block=1)
    cipher.encrypt("c1", *PHONE, "a")
    FieldCipher(keys, store).shred("c1", retention_hold=False)
    with pytest.raises(KeyShredded):
        cipher.encrypt("c1", *PHONE, "b")


def test_a_key_version_retired_elsewhere_is_replaced_at_the_next_reservation(keys, store):
    cipher = FieldCipher(keys, store, reservation_block=1)
    cipher.encrypt("c1", *PHONE, "a")
    elsewhere = FieldCipher(keys, store)
    elsewhere.rotate_data_key("c1")
    elsewhere.retire_data_key("c1", 1)
    ciphertext = cipher.encrypt("c1", *PHONE, "b")
    assert parse_header(ciphertext).version == 2
    assert elsewhere.decrypt("c1", *PHONE, ciphertext) == "b"
