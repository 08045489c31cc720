# SPDX-License-Identifier: Apache-2.0
"""What every command needs: settings with the `--db` override, and errors printed, not raised."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from rightparty.bootstrap import Application, bootstrap
from rightparty.config import ChannelsFileError, DatabaseSettings, Settings
from rightparty.domain.errors import RightpartyError
from rightparty.privacy.errors import PrivacyError

EXIT_INVALID_INPUT = 2
stderr = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: RIGHTPARTY_DATABASE_URL, then SQLite)."),
]


def settings_for(db: str | None) -> Settings:
    """The environment's settings; a bad one (a broken channels file, say) is one line on
    stderr naming the setting, never its value, and exit 2."""
    try:
        settings = Settings.from_environment()
    except ChannelsFileError as error:
        fail(str(error))
    except ValidationError as error:
        fail(describe_validation_error(error))
    if db is None:
        return settings
    try:
        database = DatabaseSettings(url=db)
    except ValidationError as error:
        fail(f"--db: {error.errors()[0]['msg']}")
    return settings.model_copy(update={"database": database})


def describe_validation_error(error: ValidationError) -> str:
    """Each problem's place and message; never the input, which may be a secret."""
    problems = [
        f"{'.'.join(str(part) for part in item['loc']) or 'settings'}: {item['msg']}"
        for item in error.errors(include_url=False, include_input=False, include_context=False)
    ]
    return f"{error.title}: " + "; ".join(problems)


def fail(message: str, code: int = EXIT_INVALID_INPUT) -> typer.Exit:
    stderr.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def application(db: str | None) -> Iterator[Application]:
    """The wired application; known failures become one line on stderr, never a traceback."""
    settings = settings_for(db)
    try:
        app = bootstrap(settings)
    except (PrivacyError, FileNotFoundError) as error:
        fail(f"{error} (run `rightparty init` first)", code=1)
    try:
        yield app
    except (RightpartyError, PrivacyError) as error:
        fail(str(error), code=1)
    finally:
        app.close()
