# SPDX-License-Identifier: Apache-2.0
"""`rightparty channels check`: the channel configuration as a worker would use it, secrets
masked, with the channels no provider serves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from rightparty.bootstrap import ProviderCheck, check_channels
from rightparty.cli.context import describe_validation_error, fail, settings_for
from rightparty.config import ChannelSettings, ChannelsFileError, Settings

channels_app = typer.Typer(
    help="Channel providers: which serve each channel, from the channels file.",
    no_args_is_help=True,
)

ChannelsFileOption = Annotated[
    Path | None,
    typer.Option(
        "--channels",
        dir_okay=False,
        help="The channels file, TOML or JSON (default: RIGHTPARTY_CHANNELS_FILE).",
    ),
]


def configured_settings(db: str | None, channels_file: Path | None) -> Settings:
    """The settings with the channels file read; a bad file is one line on stderr (exit 2)."""
    try:
        settings = settings_for(db)
        if channels_file is not None:
            channels = ChannelSettings(file=channels_file)
            settings = settings.model_copy(update={"channels": channels})
    except ChannelsFileError as error:
        fail(str(error))
    except ValidationError as error:
        fail(describe_validation_error(error))
    return settings


@channels_app.command("check")
def check(channels: ChannelsFileOption = None) -> None:
    """Print which providers serve each channel and each provider's settings, secrets masked.
    Exit 1 when a provider cannot be built; a channel without a provider is only reported."""
    settings = configured_settings(None, channels)
    section = settings.channels
    providers, problems = check_channels(section)
    typer.echo(f"channels file: {section.file or 'none (set RIGHTPARTY_CHANNELS_FILE)'}")
    for channel, names in section.routes().items():
        served = " -> ".join(names) if names else "no provider: its messages fail (no_provider)"
        typer.echo(f"  {channel:<7} {served}")
    listed = {name for names in section.routes().values() for name in names}
    for provider in providers:
        _print_provider(provider, listed=provider.name in listed)
    callbacks = set(settings.webhooks.twilio_providers)
    for provider in providers:
        if provider.kind == "twilio" and provider.name not in callbacks:
            typer.echo(
                f"note: status callbacks for {provider.name!r} are refused until "
                "RIGHTPARTY_WEBHOOKS_TWILIO_PROVIDERS lists it"
            )
    if problems:
        fail("; ".join(problems), code=1)
    if not section.configured:
        typer.echo("note: no channel has a provider; `rightparty worker` refuses to start")


def _print_provider(provider: ProviderCheck, *, listed: bool) -> None:
    unused = "" if listed else " (listed for no channel)"
    if provider.problem is not None:
        typer.echo(f"provider {provider.name} ({provider.kind}): cannot be built{unused}")
        return
    serves = ", ".join(provider.serves)
    typer.echo(f"provider {provider.name} ({provider.kind}): serves {serves}{unused}")
    if provider.kind == "sandbox":
        typer.echo("    the sandbox sends nothing to anyone")
    for field, value in sorted(provider.settings.items()):
        if value is not None:
            typer.echo(f"    {field} = {json.dumps(value, ensure_ascii=False)}")
