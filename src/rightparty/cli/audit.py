# SPDX-License-Identifier: Apache-2.0
"""`rightparty audit verify`: re-derive the whole log and name the first bad entry."""

from __future__ import annotations

import typer

from rightparty.cli.context import DbOption, application

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify(db: DbOption = None) -> None:
    """Exit 0 when every entry and checkpoint is intact; 1 with the first bad entry named."""
    with application(db) as app:
        report = app.verify_audit_log()
    if report.ok:
        typer.echo(
            f"audit log intact: {report.size} entries, "
            f"{report.checkpoints_verified} signed checkpoints verified"
        )
        return
    typer.echo(report.tampered_line, err=True)
    raise typer.Exit(1)
