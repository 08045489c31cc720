# SPDX-License-Identifier: Apache-2.0
"""The root of the `rightparty` command and its `--version` flag."""

from __future__ import annotations

import typer

from rightparty import __version__

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


def main() -> None:
    """Console-script entry point."""
    app()
