# SPDX-License-Identifier: Apache-2.0
"""`rightparty policy check` and `rightparty policy packs`, as a user types them."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from rightparty.cli.app import app

pytestmark = pytest.mark.e2e

SCENARIO = {
    "now": "2026-03-02T14:00:00Z",
    "customer": {
        "id": "c1",
        "locations": [{"timezone": "America/Los_Angeles", "source": "address"}],
        "contact_points": [
            {
                "id": "m1",
                "channel": "voice",
                "address": "+12125550100",
                "kind": "mobile",
                "status": "valid",
            }
        ],
    },
    "request": {
        "channel": "voice",
        "contact_point_id": "m1",
        "purpose": "collections",
        "debt_id": "d1",
        "target": "customer",
    },
    "history": [],
}


def _run(*arguments, stdin=None):
    return subprocess.run(  # noqa: S603 - this interpreter, arguments from the test itself
        [sys.executable, "-m", "rightparty", "policy", *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def _write(tmp_path, document):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_check_prints_a_blocked_decision_and_exits_zero(tmp_path):
    result = _run("check", "--pack", "us-reg-f", "--scenario", _write(tmp_path, SCENARIO))
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["allowed"] is False
    assert [reason["code"] for reason in decision["reasons"]] == ["QUIET_HOURS"]
    assert decision["next_allowed_at"] == "2026-03-02T16:00:00Z"
    assert result.stderr == ""


def test_check_reads_the_scenario_from_stdin_and_allows_a_lawful_call():
    document = {**SCENARIO, "now": "2026-03-02T17:00:00Z"}
    result = _run(
        "check",
        "--pack",
        "us-reg-f",
        "--pack",
        "bank-baseline",
        "--scenario",
        "-",
        stdin=json.dumps(document),
    )
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["allowed"] is True
    assert [pack["name"] for pack in decision["packs"]] == ["us-reg-f", "bank-baseline"]


def test_invalid_scenario_exits_two_naming_each_bad_field_without_a_traceback(tmp_path):
    document = json.loads(json.dumps(SCENARIO))
    document["now"] = "yesterday"
    document["customer"]["contact_points"][0]["status"] = "dubious"
    document["request"]["colour"] = "blue"
    result = _run("check", "--pack", "us-reg-f", "--scenario", _write(tmp_path, document))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for path in ("now", "customer.contact_points.0.status", "request.colour"):
        assert f"error: {path}:" in result.stderr


def test_malformed_json_exits_two():
    result = CliRunner().invoke(
        app, ["policy", "check", "--pack", "us-reg-f", "--scenario", "-"], input="{"
    )
    assert result.exit_code == 2
    assert "not valid JSON" in result.output


def test_unknown_pack_exits_two_with_the_known_packs(tmp_path):
    result = CliRunner().invoke(
        app, ["policy", "check", "--pack", "us-reg-z", "--scenario", _write(tmp_path, SCENARIO)]
    )
    assert result.exit_code == 2
    assert "unknown pack 'us-reg-z'" in result.output
    assert "us-reg-f" in result.output


def test_missing_scenario_file_exits_two(tmp_path):
    result = CliRunner().invoke(
        app, ["policy", "check", "--pack", "us-reg-f", "--scenario", str(tmp_path / "none.json")]
    )
    assert result.exit_code == 2
    assert "cannot read scenario file" in result.output


def test_packs_lists_every_pack_with_its_version():
    result = _run("packs")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    names = {line.split()[0] for line in lines}
    assert names == {"us-reg-f", "us-tcpa", "us-ma", "cn-collections", "eu-gdpr", "bank-baseline"}
    assert all(line.split()[1][0].isdigit() for line in lines)


def test_packs_as_json():
    result = CliRunner().invoke(app, ["policy", "packs", "--json"])
    assert result.exit_code == 0
    listing = json.loads(result.stdout)
    assert {"name", "version", "title", "jurisdiction"} == set(listing[0])
