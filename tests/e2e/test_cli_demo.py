# SPDX-License-Identifier: Apache-2.0
"""`rightparty demo` as a user runs it: the §8.4 summary, the report, nothing personal in them."""

import json

import pytest
from typer.testing import CliRunner

from rightparty.cli.app import app

pytestmark = pytest.mark.e2e

SUMMARY_KEYS = {
    "customers",
    "cases",
    "attempts",
    "reached",
    "unreachable",
    "blocked",
    "third_party_contacts",
    "audit_verified",
    "by_channel",
}


def test_a_small_demo_writes_the_contract_summary_and_a_self_contained_report(cli_env, tmp_path):
    result = CliRunner().invoke(app, ["demo", "--customers", "40", "--days", "3", "--seed", "7"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "var" / "demo-summary.json").read_text())
    assert set(summary) == SUMMARY_KEYS
    assert summary["customers"] == 40
    assert summary["third_party_contacts"] == 0
    assert summary["audit_verified"] is True
    assert summary["cases"] >= 40
    assert summary["attempts"] == sum(row["attempts"] for row in summary["by_channel"].values())
    assert set(summary["unreachable"]) == {"info_inaccurate", "device_or_network", "refused"}
    assert summary["reached"] + sum(summary["unreachable"].values()) <= summary["cases"]
    report = (tmp_path / "var" / "report.html").read_text()
    assert "<svg" in report
    assert "<script" not in report
    assert "http://" not in report.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for text in (report, json.dumps(summary), result.output):
        assert "@example.com" not in text
        assert "+86" not in text


def test_summary_goes_where_asked_and_a_second_run_counts_only_itself(cli_env, tmp_path):
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    for target in (first, second):
        result = CliRunner().invoke(
            app, ["demo", "--customers", "15", "--days", "1", "--summary", str(target)]
        )
        assert result.exit_code == 0, result.output
    assert json.loads(first.read_text())["customers"] == 15
    assert json.loads(second.read_text())["customers"] == 15
    assert json.loads(second.read_text())["audit_verified"] is True


def test_bad_options_are_refused_without_a_traceback(cli_env):
    result = CliRunner().invoke(app, ["demo", "--customers", "0"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
