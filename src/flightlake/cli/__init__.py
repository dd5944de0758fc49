"""The `flightlake` command. Each subcommand is a thin shell around one library module.

stack.py     up, down, status, env          run.py       run, backfill
data.py      ingest                          generate.py  generate, fixture-nyc
evaluate.py  evaluate                        deploy.py    deploy
sql.py       sql (the lake and warehouse in SQL; Athena with --env)
arguments.py the argparse types they share: a bad value is exit code 2 before anything is created
registry.py  how a module registers its subcommands (`command`), and the console they print to
failures.py  the one line for a failure no command foresaw (its traceback kept in a log)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from flightlake.cli import data, deploy, evaluate, failures, generate, run, sql, stack
from flightlake.cli.registry import COMMANDS, ORIGINS
from flightlake.errors import FlightlakeError
from flightlake.local.harness.child import Interrupted
from flightlake.settings import Settings, SettingsError, load_settings

# Each module registers its subcommands with `registry.command` as it is imported (`--help` lists
# them in this order).
COMMAND_MODULES = (stack, run, data, generate, evaluate, sql, deploy)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flightlake", description="Airline delay lake house, local-first.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in sorted(COMMANDS, key=_listed):
        _, arguments, help_text = COMMANDS[name]
        arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def _listed(name: str) -> int:
    """Where a command comes in `--help`: by the module that registered it."""
    modules = [module.__name__ for module in COMMAND_MODULES]
    origin = ORIGINS.get(name, "")
    return modules.index(origin) if origin in modules else len(modules)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings: Settings | None = None
    try:
        settings = load_settings()
        handler = COMMANDS[args.command][0]
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
    except Interrupted as error:  # `flightlake run` told to stop: its worker and JVM are stopped too
        print(f"flightlake: {error}", file=sys.stderr)
        return 128 + error.signum
    except BrokenPipeError:
        return failures.reader_gone()
    except Exception as error:  # what no command foresaw: one line, the traceback kept in a log
        return failures.report(error, settings)
