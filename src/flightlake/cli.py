"""The `flightlake` command. Each subcommand is a thin shell around one library module."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Sequence

from flightlake.errors import FlightlakeError
from flightlake.settings import Settings, SettingsError, load_settings

Handler = Callable[[argparse.Namespace, Settings], int]
_COMMANDS: dict[str, tuple[Handler, Callable[[argparse.ArgumentParser], None], str]] = {}


def command(
    name: str, help_text: str, arguments: Callable[[argparse.ArgumentParser], None] = lambda p: None
) -> Callable[[Handler], Handler]:
    """Register a subcommand: its handler, how it adds arguments, one line of help."""

    def register(handler: Handler) -> Handler:
        _COMMANDS[name] = (handler, arguments, help_text)
        return handler

    return register


def _console():
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:  # logs and CI: wide enough for the summary table's columns
        console = Console(highlight=False, soft_wrap=True, width=160)
    return console


@command("up", "start the embedded stack (emulator, Postgres; --airflow-ui adds Airflow)",
         lambda p: p.add_argument("--airflow-ui", action="store_true", help="also start Airflow's UI"))  # fmt: skip
def _up(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.stack.manager import Stack

    env = Stack(settings).up(echo=_console().print, airflow_ui=args.airflow_ui)
    _console().print('use it from a shell:  eval "$(flightlake env)"')
    return 0 if env else 1


@command("down", "stop the embedded stack (the lake and catalog are saved first)")
def _down(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.stack.manager import Stack

    Stack(settings).down(echo=_console().print)
    return 0


@command("status", "health of each service of the embedded stack")
def _status(args: argparse.Namespace, settings: Settings) -> int:
    from rich.table import Table

    from flightlake.stack.manager import Stack

    table = Table("service", "state", "endpoint", "what")
    services = Stack(settings).status()
    for service in services:
        state = "healthy" if service.healthy else ("running, unhealthy" if service.running else "stopped")
        colour = "green" if service.healthy else ("yellow" if service.running else "red")
        table.add_row(service.name, f"[{colour}]{state}[/]", service.endpoint, service.detail)
    _console().print(table)
    core = [s for s in services if s.name in ("emulator", "postgres")]
    return 0 if all(s.healthy for s in core) else 3


@command("env", "print shell exports that point clients at the embedded stack")
def _env(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.stack.manager import Stack

    env = Stack(settings).environment()
    if not env:
        print("# the embedded stack has never been started here: run `flightlake up`", file=sys.stderr)
        return 1
    for key, value in sorted(env.items()):
        print(f"export {key}={shlex.quote(value)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    _load_command_modules()
    parser = argparse.ArgumentParser(prog="flightlake", description="Airline delay lake house, local-first.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, arguments, help_text) in _COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        arguments(sub_parser)
    return parser


def _load_command_modules() -> None:
    """Import the modules that register further subcommands."""
    import importlib

    for module in ("flightlake.commands",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        handler = _COMMANDS[args.command][0]
        return handler(args, settings)
    except SettingsError as error:
        print(f"flightlake: configuration error: {error}", file=sys.stderr)
        return 2
    except FlightlakeError as error:
        print(f"flightlake: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("flightlake: interrupted", file=sys.stderr)
        return 130
