# SPDX-License-Identifier: Apache-2.0
"""The root of the `rightparty` command and its `--version` flag."""

from __future__ import annotations

import typer

from rightparty import __version__
from rightparty.cli.admin import init
from rightparty.cli.audit import audit_app
from rightparty.cli.channels import channels_app
from rightparty.cli.customers import customers_app
from rightparty.cli.demo import demo
from rightparty.cli.policy import policy_app
from rightparty.cli.serve import serve
from rightparty.cli.worker import worker

app = typer.Typer(
    name="rightparty",
    help="Reach a bank's own customers lawfully, explain every decision, never a third party.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"rightparty {__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """rightparty: a contact engine for banks."""


app.command("init")(init)
app.command("demo")(demo)
app.command("worker")(worker)
app.command("serve")(serve)
app.add_typer(customers_app, name="customers")
app.add_typer(audit_app, name="audit")
app.add_typer(policy_app, name="policy")
app.add_typer(channels_app, name="channels")


def main() -> None:
    """Console-script entry point."""
    app()
