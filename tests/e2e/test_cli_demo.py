# SPDX-License-Identifier: Apache-2.0
"""`rightparty demo` as a user runs it: the §8.4 summary, the report, nothing personal in them."""

import json

import pytest
from typer.testing import CliRunner

from rightparty.cli.app import app
from rightparty.runtime.demo.synthetic import SyntheticBank

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


def test_the_same_seed_gives_the_same_run_even_in_a_database_that_ran_before(cli_env, tmp_path):
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    for target in (first, second):
        result = CliRunner().invoke(
            app, ["demo", "--customers", "30", "--days", "2", "--summary", str(target)]
        )
        assert result.exit_code == 0, result.output
    assert json.loads(first.read_text()) == json.loads(second.read_text())
    assert json.loads(first.read_text())["attempts"] > 0


def test_no_synthetic_customers_details_appear_in_what_the_demo_prints_or_writes(cli_env, tmp_path):
    result = CliRunner().invoke(app, ["demo", "--customers", "25", "--days", "1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    written = (tmp_path / "var" / "report.html").read_text() + (
        tmp_path / "var" / "demo-summary.json"
    ).read_text()
    for customer in SyntheticBank(3).customers(25):
        document = json.loads(customer.import_line)
        secrets = [document["name"]] + [point["address"] for point in document["contact_points"]]
        for secret in secrets:
            assert secret not in written
            assert secret not in result.output


def test_bad_options_are_refused_without_a_traceback(cli_env):
    result = CliRunner().invoke(app, ["demo", "--customers", "0"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
