# SPDX-License-Identifier: Apache-2.0
"""`rightparty init`: the schema and, for the embedded default, the local keyring."""

from __future__ import annotations

import typer

from rightparty.bootstrap import initialise
from rightparty.cli.context import DbOption, fail, settings_for
from rightparty.privacy.errors import PrivacyError


def init(db: DbOption = None) -> None:
    """Create or migrate the database and the local keyring; safe to run again."""
    settings = settings_for(db)
    try:
        initialise(settings)
    except PrivacyError as error:
        fail(str(error), code=1)
    typer.echo(f"ready: keyring {settings.keys.keyring}, schema at the latest revision")
