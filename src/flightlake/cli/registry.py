"""How subcommands register themselves: each module of `flightlake.cli` decorates its handlers with
`command`, so adding a command never means editing a shared list."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from flightlake.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], int]
Arguments = Callable[[argparse.ArgumentParser], Any]
COMMANDS: dict[str, tuple[Handler, Arguments, str]] = {}
ORIGINS: dict[str, str] = {}  # command -> the module that registered it


def command(name: str, help_text: str, arguments: Arguments = lambda p: None) -> Callable[[Handler], Handler]:
    """Register a subcommand: its handler, how it adds arguments, one line of help."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = (handler, arguments, help_text)
        ORIGINS[name] = handler.__module__
        return handler

    return register


def console() -> Any:
    """A rich console; off a terminal (logs, CI) wide enough for the summary tables."""
    from rich.console import Console

    terminal = Console(highlight=False, soft_wrap=True)
    return terminal if terminal.is_terminal else Console(highlight=False, soft_wrap=True, width=160)
