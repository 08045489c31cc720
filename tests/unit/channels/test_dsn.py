# SPDX-License-Identifier: Apache-2.0
import pytest

from rightparty.channels.dsn import (
    DsnAction,
    NotADeliveryReport,
    classify_smtp_reply,
    envelope_id_for,
    outcome_for_status,
    parse_dsn,
)
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Outcome
from tests.unit.channels.builders import dsn_bytes

pytestmark = pytest.mark.unit

PERMANENT = DeliveryStatus.PERMANENT_FAILURE
TRANSIENT = DeliveryStatus.TRANSIENT_FAILURE


def test_a_failed_report_names_the_attempt_and_the_unknown_recipient():
    report = parse_dsn(dsn_bytes())
    assert report.original_envelope_id == "0123456789abcdef0123456789abcdef"
    assert report.original_message_id == "<0123456789abcdef@bank.example>"
    assert report.reporting_mta == "mx.example.net"
    assert report.outcome is Outcome.UNKNOWN_RECIPIENT
    (recipient,) = report.recipients
    assert (recipient.action, recipient.status, recipient.final) == (
        DsnAction.FAILED,
        "5.1.1",
        True,
    )
    assert recipient.final_recipient == "nobody@example.net"


def test_a_report_prints_without_the_address_or_the_servers_words():
    text = repr(parse_dsn(dsn_bytes()))
    assert "nobody@example.net" not in text
    assert "Recipient address rejected" not in text


@pytest.mark.parametrize(
    ("action", "status", "outcome", "final"),
    [
        ("failed", "5.1.1", Outcome.UNKNOWN_RECIPIENT, True),
        ("failed", "5.1.10", Outcome.UNKNOWN_RECIPIENT, True),
        ("failed", "5.0.0", Outcome.BOUNCED_HARD, True),
        ("failed", "5.4.4", Outcome.BOUNCED_HARD, True),
        ("failed", "5.2.2", Outcome.BOUNCED_SOFT, True),
        ("failed", "5.7.1", Outcome.BLOCKED, True),
        ("failed", "4.4.7", Outcome.BOUNCED_SOFT, True),
        ("delayed", "4.4.1", Outcome.BOUNCED_SOFT, False),
        ("delivered", "2.0.0", Outcome.DELIVERED, True),
        ("relayed", "2.0.0", Outcome.DELIVERED, True),
        ("Failed", "5.1.1 (user unknown)", Outcome.UNKNOWN_RECIPIENT, True),
    ],
)
def test_report_actions_and_statuses_map_to_outcomes(action, status, outcome, final):
    (recipient,) = parse_dsn(dsn_bytes(action=action, status=status)).recipients
    assert (recipient.outcome, recipient.final) == (outcome, final)


def test_the_message_id_is_read_from_a_returned_full_message_too():
    raw = dsn_bytes(
        returned_as="message/rfc822",
        returned_headers="Message-ID: <abc@bank.example>\r\nSubject: x\r\n\r\nbody\r\n",
        envelope_id=None,
    )
    report = parse_dsn(raw)
    assert report.original_message_id == "<abc@bank.example>"
    assert report.original_envelope_id is None


def test_a_text_report_parses_like_bytes():
    assert parse_dsn(dsn_bytes().decode()) == parse_dsn(dsn_bytes())


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"From: a@b\r\nSubject: out of office\r\n\r\nback monday\r\n", "not a multipart/report"),
        (dsn_bytes(action="vanished"), "no valid Action"),
        (dsn_bytes(status="soon"), "no valid Status"),
    ],
)
def test_what_is_not_a_delivery_report_is_refused(raw, message):
    with pytest.raises(NotADeliveryReport, match=message):
        parse_dsn(raw)


def test_a_report_without_a_delivery_status_part_is_refused():
    raw = dsn_bytes().replace(b"message/delivery-status", b"text/plain")
    with pytest.raises(NotADeliveryReport, match="no message/delivery-status"):
        parse_dsn(raw)


@pytest.mark.parametrize(
    ("code", "text", "status", "outcome", "error_code"),
    [
        (
            550,
            "5.1.1 <x@example.net>: user unknown",
            PERMANENT,
            Outcome.UNKNOWN_RECIPIENT,
            "smtp_550_5.1.1",
        ),
        (550, "mailbox unavailable", PERMANENT, Outcome.BOUNCED_HARD, "smtp_550"),
        (553, "mailbox name not allowed", PERMANENT, Outcome.UNKNOWN_RECIPIENT, "smtp_553"),
        (552, "", PERMANENT, Outcome.BOUNCED_SOFT, "smtp_552"),
        (554, "5.7.1 rejected by policy", PERMANENT, Outcome.BLOCKED, "smtp_554_5.7.1"),
        (451, "4.7.1 greylisted, try later", TRANSIENT, Outcome.BOUNCED_SOFT, "smtp_451_4.7.1"),
        (421, b"service closing", TRANSIENT, Outcome.BOUNCED_SOFT, "smtp_421"),
        (354, "odd", TRANSIENT, Outcome.PROVIDER_ERROR, "smtp_354"),
    ],
)
def test_smtp_replies_are_permanent_for_5xx_and_transient_for_4xx(
    code, text, status, outcome, error_code
):
    verdict = classify_smtp_reply(code, text)
    assert (verdict.status, verdict.outcome, verdict.error_code) == (status, outcome, error_code)


def test_the_same_enhanced_status_means_the_same_outcome_at_send_time_and_in_a_report():
    for status in ("5.1.1", "5.2.2", "5.7.1", "5.3.0"):
        (recipient,) = parse_dsn(dsn_bytes(status=status)).recipients
        assert recipient.outcome is outcome_for_status(status)
        assert classify_smtp_reply(550, f"{status} refused").outcome is recipient.outcome


def test_the_envelope_id_is_a_stable_32_hex_digest_of_the_key():
    assert envelope_id_for("attempt-1/k") == envelope_id_for("attempt-1/k")
    assert envelope_id_for("attempt-1/k") != envelope_id_for("attempt-2/k")
    assert len(envelope_id_for("k")) == 32
    assert int(envelope_id_for("k"), 16) >= 0
