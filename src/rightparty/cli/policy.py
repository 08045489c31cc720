# SPDX-License-Identifier: Apache-2.0
"""`rightparty policy`: check a scenario against rule packs, list the packs.

Exit codes: 0 when a decision was printed (allowed or not), 2 for invalid input (a bad scenario,
an unreadable file, an unknown or broken pack), with one line per problem and never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from rightparty.usecases.policy_check import check_scenario
from rightparty.usecases.policy_packs import PackFormatError, UnknownPackError, available_packs
from rightparty.usecases.policy_scenario import ScenarioError

INVALID_INPUT = 2

policy_app = typer.Typer(
    name="policy",
    help="Decide whether a contact is allowed, why not, and when it next could be.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(lines: list[str]) -> typer.Exit:
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    return typer.Exit(INVALID_INPUT)


def _read(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise _fail([f"cannot read scenario file {source!r}: {reason}"]) from None


@policy_app.command("check")
def check(
    pack: Annotated[
        list[str],
        typer.Option(
            "--pack", help="A pack name (see `policy packs`) or a pack YAML file; repeat."
        ),
    ],
    scenario: Annotated[
        str, typer.Option("--scenario", help="The scenario JSON file, or - for standard input.")
    ],
) -> None:
    """Print the decision JSON for a scenario under one or more packs."""
    document = _read(scenario)
    try:
        decision = check_scenario(document, pack)
    except ScenarioError as error:
        raise _fail(list(error.problems)) from None
    except UnknownPackError as error:
        raise _fail([str(error)]) from None
    except PackFormatError as error:
        raise _fail(
            [f"invalid pack {error.origin}: {problem}" for problem in error.problems]
        ) from None
    typer.echo(json.dumps(decision.to_json(), indent=2, ensure_ascii=False))


@policy_app.command("packs")
def packs(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list instead.")] = False,
) -> None:
    """List the shipped packs with their versions."""
    found = available_packs()
    if as_json:
        listing = [
            {
                "name": info.name,
                "version": info.version,
                "title": info.title,
                "jurisdiction": info.jurisdiction,
            }
            for info in found
        ]
        typer.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return
    width = max(len(info.name) for info in found)
    for info in found:
        typer.echo(f"{info.name:<{width}}  {info.version}  {info.title}")
