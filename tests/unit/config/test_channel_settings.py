# SPDX-License-Identifier: Apache-2.0
"""The channels file and its environment overrides, as `ChannelSettings` reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from rightparty.config import ChannelSettings, ChannelsFileError, Settings

pytestmark = pytest.mark.unit

PASSWORD = "hunter2-relay-pa55"
TOKEN = "tw-token-9f3e"

BANK_TOML = """
[channels]
email = ["smtp-primary", "smtp-backup"]
sms = "twilio"

[providers.smtp-primary]
kind = "smtp"
host = "relay.bank.example"
from_address = "alerts@bank.example"
username = "rightparty"
password = "from-the-file"

[providers.smtp-backup]
kind = "smtp"
host = "relay2.bank.example"
port = 2525
from_address = "alerts@bank.example"

[providers.twilio]
kind = "twilio"
account_sid = "AC123"
sms_from = "+15005550006"
"""


def write(tmp_path: Path, text: str, name: str = "rightparty.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_says_which_providers_serve_each_channel_in_failover_order(tmp_path):
    channels = ChannelSettings(file=write(tmp_path, BANK_TOML))
    assert channels.email == ("smtp-primary", "smtp-backup")
    assert channels.sms == ("twilio",)
    assert channels.unserved() == ("voice", "push", "letter")
    assert channels.configured
    assert channels.providers["smtp-backup"].kind == "smtp"
    assert channels.providers["smtp-backup"].values()["port"] == 2525


def test_the_environment_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("RIGHTPARTY_CHANNELS_FILE", str(write(tmp_path, BANK_TOML)))
    settings = Settings.from_environment()
    assert settings.channels.email == ("smtp-primary", "smtp-backup")


def test_a_json_file_reads_the_same(tmp_path):
    document = {
        "channels": {"letter": ["print"]},
        "providers": {"print": {"kind": "letter", "sender_lines": ["Bank", "1 Main St"]}},
    }
    channels = ChannelSettings(file=write(tmp_path, json.dumps(document), "channels.json"))
    assert channels.letter == ("print",)
    assert channels.providers["print"].values() == {"sender_lines": ["Bank", "1 Main St"]}


def test_an_environment_variable_sets_a_secret_the_file_leaves_out(tmp_path, monkeypatch):
    monkeypatch.setenv("RIGHTPARTY_PROVIDERS__TWILIO__AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("RIGHTPARTY_PROVIDERS__SMTP_PRIMARY__PASSWORD", PASSWORD)
    channels = ChannelSettings(file=write(tmp_path, BANK_TOML))
    assert channels.providers["twilio"].values()["auth_token"] == TOKEN
    assert channels.providers["smtp-primary"].values()["password"] == PASSWORD


def test_the_environment_overrides_a_channel_list(tmp_path, monkeypatch):
    monkeypatch.setenv("RIGHTPARTY_CHANNELS_EMAIL", '["smtp-backup"]')
    channels = ChannelSettings(file=write(tmp_path, BANK_TOML))
    assert channels.email == ("smtp-backup",)


def test_provider_settings_are_masked_in_repr_str_and_json(tmp_path, monkeypatch):
    monkeypatch.setenv("RIGHTPARTY_PROVIDERS__SMTP_PRIMARY__PASSWORD", PASSWORD)
    settings = Settings(channels=ChannelSettings(file=write(tmp_path, BANK_TOML)))
    for shown in (
        repr(settings),
        str(settings),
        settings.model_dump_json(),
        json.dumps(settings.model_dump(mode="json")),
        repr(settings.channels.providers["smtp-primary"]),
    ):
        assert PASSWORD not in shown
        assert "from-the-file" not in shown
        assert "**********" in shown


def test_a_misspelt_override_is_an_error_naming_the_variable_not_its_value(tmp_path, monkeypatch):
    monkeypatch.setenv("RIGHTPARTY_PROVIDERS__SMTP_PRIMRY__PASSWORD", PASSWORD)
    with pytest.raises(
        ChannelsFileError, match="RIGHTPARTY_PROVIDERS__SMTP_PRIMRY__PASSWORD"
    ) as error:
        ChannelSettings(file=write(tmp_path, BANK_TOML))
    assert PASSWORD not in str(error.value)


def test_without_a_file_nothing_is_configured_and_overrides_are_not_read(monkeypatch):
    monkeypatch.setenv("RIGHTPARTY_PROVIDERS__SMTP__PASSWORD", PASSWORD)
    channels = ChannelSettings()
    assert not channels.configured
    assert channels.unserved() == ("sms", "voice", "email", "push", "letter")
    assert not Settings().channels.configured


def test_a_channel_naming_an_undefined_provider_is_refused(tmp_path):
    text = BANK_TOML.replace('"smtp-backup"]', '"smtp-bakup"]')
    with pytest.raises(ValidationError, match="channel email lists provider 'smtp-bakup'"):
        ChannelSettings(file=write(tmp_path, text))


def test_a_provider_without_kind_is_refused_naming_it(tmp_path):
    text = BANK_TOML.replace('kind = "twilio"\n', "")
    with pytest.raises(ValidationError) as error:
        ChannelSettings(file=write(tmp_path, text))
    assert error.value.errors()[0]["loc"] == ("providers", "twilio", "kind")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[channels]\nfax = ["x"]\n', "unknown channel 'fax'"),
        ('[routing]\nsms = ["x"]\n', "unknown section 'routing'"),
        ("[channels\n", "not valid TOML"),
        ('channels = ["sms"]\n', "must be tables"),
    ],
)
def test_a_malformed_file_is_refused_with_what_is_wrong(tmp_path, text, expected):
    with pytest.raises(ChannelsFileError, match=expected):
        ChannelSettings(file=write(tmp_path, text))


def test_a_missing_file_is_refused_naming_it(tmp_path):
    with pytest.raises(ChannelsFileError, match=r"nowhere\.toml: cannot be read"):
        ChannelSettings(file=tmp_path / "nowhere.toml")


def test_a_file_of_another_format_is_refused(tmp_path):
    with pytest.raises(ChannelsFileError, match=r"\*\.toml or \*\.json"):
        ChannelSettings(file=write(tmp_path, "channels: {}", "channels.yaml"))
