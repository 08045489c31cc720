# SPDX-License-Identifier: Apache-2.0
"""`rightparty init`, `customers import|show` and `audit verify` as a user types them."""

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from rightparty.cli.app import app

pytestmark = pytest.mark.e2e

PEOPLE = [
    ("C0001", "王小明", "+8613812345678", "wxm@example.com", "CN", "Asia/Shanghai"),
    (
        "C0002",
        "Zoë Washington",
        "+12125550100",
        "zoe.washington@example.com",
        "US",
        "America/New_York",
    ),
]


def _jsonl(people=PEOPLE, **extra):
    lines = []
    for ref, name, phone, email, jurisdiction, zone in people:
        document = {
            "external_ref": ref,
            "name": name,
            "locale": "zh-CN" if jurisdiction == "CN" else "en-US",
            "jurisdiction": jurisdiction,
            "locations": [{"timezone": zone, "source": "address"}],
            "contact_points": [
                {
                    "channel": "sms",
                    "address": phone,
                    "kind": "mobile",
                    "source": "customer_provided",
                },
                {"channel": "email", "address": email, "kind": "personal", "source": "app"},
            ],
            **extra,
        }
        lines.append(json.dumps(document, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def run(*args):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_init_is_idempotent_and_creates_a_private_keyring(cli_env, database_url, tmp_path):
    first = run("init", "--db", database_url)
    second = run("init", "--db", database_url)
    assert (first.exit_code, second.exit_code) == (0, 0), first.output
    keyring = tmp_path / "var" / "keyring.json"
    assert keyring.stat().st_mode & 0o077 == 0


def test_import_show_and_verify(cli_env, database_url, tmp_path):
    assert run("init", "--db", database_url).exit_code == 0
    source = tmp_path / "customers.jsonl"
    source.write_text(_jsonl(), encoding="utf-8")
    imported = run("customers", "import", str(source), "--db", database_url)
    assert imported.exit_code == 0, imported.output
    assert "imported 2 new and 0 updated" in imported.output
    again = run("customers", "import", str(source), "--db", database_url)
    assert "imported 0 new and 2 updated" in again.output
    shown = run("customers", "show", "C0001", "--db", database_url)
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.output)
    assert view["name"] == "王*明"
    assert [point["address"] for point in view["contact_points"]] == [
        "+86 138****5678",
        "w***@example.com",
    ]
    assert "13812345678" not in shown.output
    verified = run("audit", "verify", "--db", database_url)
    assert verified.exit_code == 0, verified.output
    assert "audit log intact: 4 entries" in verified.output


def test_a_bad_file_exits_2_naming_each_bad_line_and_changes_nothing(
    cli_env, database_url, tmp_path
):
    assert run("init", "--db", database_url).exit_code == 0
    source = tmp_path / "customers.jsonl"
    good = _jsonl(PEOPLE[:1]).strip()
    bad_phone = _jsonl([("C0009", "Bad", "12", "b@example.com", "US", "America/Chicago")]).strip()
    phone_book = _jsonl(PEOPLE[1:], phone_book=[{"name": "李四", "phone": "+8613900000000"}])
    source.write_text("\n".join([good, bad_phone, phone_book]), encoding="utf-8")
    result = CliRunner().invoke(app, ["customers", "import", str(source), "--db", database_url])
    assert result.exit_code == 2
    assert "line 2: contact_points[0].address: not a valid phone number" in result.output
    assert "line 3: phone_book: rightparty keeps no one's details but the customer's own" in (
        " ".join(result.output.split())
    )
    assert "nothing was imported" in result.output
    missing = run("customers", "show", "C0001", "--db", database_url)
    assert missing.exit_code == 1
    assert "no customer C0001" in missing.output


def test_no_plaintext_reaches_the_sqlite_files_wal_included(cli_env, tmp_path):
    database = tmp_path / "var" / "rightparty.db"
    url = f"sqlite:///{database}"
    assert run("init", "--db", url).exit_code == 0
    source = tmp_path / "customers.jsonl"
    source.write_text(_jsonl(), encoding="utf-8")
    assert run("customers", "import", str(source), "--db", url).exit_code == 0
    files = [path for path in database.parent.iterdir() if path.name.startswith("rightparty.db")]
    assert any(path.name.endswith("-wal") for path in files) or files
    content = b"".join(path.read_bytes() for path in files)
    for _ref, name, phone, email, _jurisdiction, _zone in PEOPLE:
        for secret in (name, phone, phone.lstrip("+"), email, "Washington"):
            assert secret.encode() not in content, "plaintext personal data on disk"
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM customers").fetchone() == (2,)


def test_tampering_with_a_stored_audit_row_fails_verify_with_the_entry_named(cli_env, tmp_path):
    database = tmp_path / "var" / "rightparty.db"
    url = f"sqlite:///{database}"
    run("init", "--db", url)
    source = tmp_path / "customers.jsonl"
    source.write_text(_jsonl(), encoding="utf-8")
    run("customers", "import", str(source), "--db", url)
    with sqlite3.connect(database) as connection:
        connection.execute('DELETE FROM audit_entries WHERE "index" = 0')
    result = CliRunner().invoke(app, ["audit", "verify", "--db", url])
    assert result.exit_code == 1
    assert "audit log TAMPERED at entry 0" in result.output


def test_commands_without_init_say_what_to_do(cli_env, tmp_path):
    result = CliRunner().invoke(app, ["audit", "verify", "--db", f"sqlite:///{tmp_path}/x.db"])
    assert result.exit_code == 1
    assert "rightparty init" in result.output
    assert "Traceback" not in result.output
