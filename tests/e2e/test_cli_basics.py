# SPDX-License-Identifier: Apache-2.0
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from rightparty import __version__
from rightparty.cli.app import app

pytestmark = pytest.mark.e2e


def test_version_flag_prints_the_package_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"rightparty {__version__}"


def test_help_describes_the_product():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Reach a bank's own customers lawfully" in " ".join(result.output.split())


def test_installed_console_script_runs():
    script = subprocess.run(
        [sys.executable, "-m", "rightparty", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.returncode == 0, script.stderr
    assert script.stdout.strip() == f"rightparty {__version__}"


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("[channels\nemail = ", "channels.toml"),
        ('[channels]\nemail = ["nobody"]\n', "nobody"),
    ],
    ids=["not-toml", "undefined-provider"],
)
def test_a_broken_channels_file_is_one_line_for_every_command(tmp_path, content, named):
    """Not only `worker`: any command reading settings says what is wrong, without a traceback."""
    file = tmp_path / "channels.toml"
    file.write_text(content + '\n[providers.x]\nkind = "smtp"\npassword = "hunter2-secret"\n')
    env = {"RIGHTPARTY_CHANNELS_FILE": str(file), "RIGHTPARTY_DATABASE_URL": "sqlite://"}
    result = CliRunner().invoke(app, ["customers", "show", "C1"], env=env)
    assert result.exit_code == 2
    assert named in result.output
    assert "Traceback" not in result.output
    assert "hunter2-secret" not in result.output
