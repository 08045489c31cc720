# SPDX-License-Identifier: Apache-2.0
# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""The letter provider writing to a real print queue folder."""

import json
import os
import stat
import threading
from datetime import UTC, datetime

import pytest

from rightparty.channels.providers.letter import (
    FolderPrintQueue,
    LetterProvider,
    LetterSettings,
    PrintJob,
    job_id_for,
)
from rightparty.domain.clock import SimulatedClock
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome
from tests.unit.channels.builders import FakeTimer, fast_resilience, make_message
from tests.unit.channels.pdf_reading import page_count, shows_cjk

pytestmark = pytest.mark.integration

ADDRESS = "Jane Customer, 1 Main Street, Springfield, IL 62701"
ZH_ADDRESS = "王小明，北京市海淀区中关村大街1号 100080"


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "var" / "print-queue"


def provider_for(folder, timer=None):
    settings = LetterSettings(
        print_queue_folder=folder,
        sender_lines=("Example Bank", "1 Bank Plaza"),
    )
    clock = SimulatedClock(datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
    return LetterProvider(settings, resilience=fast_resilience(timer or FakeTimer()), clock=clock)


def letter(address=ADDRESS, key="attempt-1/k", **overrides):
    return make_message(
        key=key, channel=Channel.LETTER, address=address, subject="Card used", **overrides
    )


def test_a_letter_is_queued_as_a_private_pdf_with_a_manifest(folder):
    with provider_for(folder) as provider:
        result = provider.send(letter())
    job_id = job_id_for("attempt-1/k")
    assert result.status is DeliveryStatus.ACCEPTED
    assert result.provider_message_id == job_id
    assert result.outcome is None, "a letter is posted later; its fate is not known yet"
    assert sorted(path.name for path in folder.iterdir()) == [f"{job_id}.json", f"{job_id}.pdf"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = (folder / f"{job_id}.pdf").read_bytes()
    assert document.startswith(b"%PDF-")
    manifest = json.loads((folder / f"{job_id}.json").read_text())
    assert manifest["pages"] == page_count(document) == 1
    assert manifest["locale"] == "en-US"
    assert manifest["reference_code"] == "RP-7K2Q"


def test_a_chinese_letter_shows_its_chinese_text(folder):
    with provider_for(folder) as provider:
        provider.send(letter(ZH_ADDRESS, locale="zh-CN", body="您的银行卡于今日消费12.00元。"))
    document = (folder / f"{job_id_for('attempt-1/k')}.pdf").read_bytes()
    assert shows_cjk(document, "王小明")
    assert shows_cjk(document, "您的银行卡于今日消费12.00元。")


def test_file_names_and_manifest_carry_no_personal_data(folder):
    message = letter(customer_id="cust-4711")
    with provider_for(folder) as provider:
        provider.send(message)
    names = " ".join(path.name for path in folder.iterdir())
    manifest = next(folder.glob("*.json")).read_text()
    for personal in ("Jane", "Customer", "Main", "Springfield", "62701", "cust-4711", "4821"):
        assert personal not in names
        assert personal not in manifest


def test_the_same_key_never_queues_a_second_letter_even_after_a_restart(folder):
    with provider_for(folder) as provider:
        first = provider.send(letter())
    document = next(folder.glob("*.pdf"))
    written = document.stat().st_mtime_ns
    with provider_for(folder) as restarted:
        second = restarted.send(letter(body="A different rendering of the same attempt."))
    assert second == first
    assert len(list(folder.glob("*.pdf"))) == 1
    assert document.stat().st_mtime_ns == written


def test_two_writers_of_one_job_queue_it_once(folder):
    queue = FolderPrintQueue(folder)
    job = PrintJob("letter-race", b"%PDF-1.4 test", 1, ("x",), {})
    barrier = threading.Barrier(8)
    receipts = []

    def submit():
        barrier.wait()
        receipts.append(queue.submit(job))

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(not receipt.duplicate for receipt in receipts) == 1
    assert sorted(path.name for path in folder.iterdir()) == ["letter-race.json", "letter-race.pdf"]


def test_a_failed_write_leaves_no_partial_letter_and_is_transient(folder, monkeypatch):
    timer = FakeTimer()

    def disk_full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with provider_for(folder, timer) as provider:
        result = provider.send(letter())
    assert result.status is DeliveryStatus.TRANSIENT_FAILURE
    assert result.error_code == "letter_queue_unavailable"
    assert result.outcome is Outcome.PROVIDER_ERROR
    assert timer.sleeps == [0.5, 1.0]
    assert list(folder.iterdir()) == [], "no temporary file and no half-written letter"


def test_a_print_queue_path_that_is_not_a_folder_is_transient(tmp_path):
    blocked = tmp_path / "print-queue"
    blocked.write_text("not a folder")
    with provider_for(blocked) as provider:
        result = provider.send(letter())
    assert result.status is DeliveryStatus.TRANSIENT_FAILURE


def test_an_address_that_cannot_be_printed_is_permanent_and_writes_nothing(folder):
    with provider_for(folder) as provider:
        result = provider.send(letter("1, 2, 3, 4, 5, 6, 7"))
    assert result.status is DeliveryStatus.PERMANENT_FAILURE
    assert (result.error_code, result.outcome) == (
        "letter_address_invalid",
        Outcome.UNKNOWN_RECIPIENT,
    )
    assert not folder.exists() or not any(folder.iterdir())
