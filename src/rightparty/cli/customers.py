# SPDX-License-Identifier: Apache-2.0
"""`rightparty customers import|show`: all-or-nothing import and the masked view."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rightparty.cli.context import DbOption, application, fail, stderr
from rightparty.domain.errors import CustomerNotFound
from rightparty.usecases.customer_import import validate_import
from rightparty.usecases.customer_view import masked_customer
from rightparty.usecases.customers import import_customers

customers_app = typer.Typer(
    help="The bank's customers (their own details only).", no_args_is_help=True
)
PROGRESS_FROM = 1000


@customers_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="JSON Lines, one customer per line (§8.5).")],
    db: DbOption = None,
) -> None:
    """Validate the whole file, then import it in one transaction; any bad line: nothing written."""
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{file}: cannot read it as UTF-8 text ({type(error).__name__})")
    # Checked before anything else starts in this process, so it may fork (`validate_import`).
    validation = validate_import(lines, workers=os.cpu_count() or 1)
    if not validation.ok:
        for line_error in validation.errors:
            stderr.print(str(line_error), highlight=False, markup=False)
        fail(f"{len(validation.errors)} bad line(s); nothing was imported")
    with application(db) as app:
        with _progress(len(validation.customers)) as progress:
            task = progress.add_task("importing", total=len(validation.customers))
            report = import_customers(
                validation,
                app.unit_of_work(),
                app.clock,
                on_progress=lambda done: progress.update(task, completed=done),
            )
        app.checkpoint_audit_log()
    typer.echo(f"imported {report.created} new and {report.updated} updated customer(s)")


def _progress(total: int) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        disable=total < PROGRESS_FROM,
        transient=True,
    )


@customers_app.command("show")
def show(
    external_ref: Annotated[str, typer.Argument(help="The bank's reference for the customer.")],
    db: DbOption = None,
) -> None:
    """The customer as staff see them by default: every personal detail masked."""
    with application(db) as app, app.unit_of_work() as uow:
        customer = uow.customers.by_external_ref(external_ref)
        if customer is None:
            raise CustomerNotFound(external_ref)
        view = masked_customer(customer)
    typer.echo(json.dumps(view, ensure_ascii=False, indent=2))
