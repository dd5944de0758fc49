"""`flightlake up | down | status | env`: the embedded stack (see `flightlake.local.stack`)."""

from __future__ import annotations

import argparse
import shlex
import sys

from flightlake.cli.registry import command, console
from flightlake.settings import Settings


@command("up", "start the embedded stack (emulator, Postgres; --airflow-ui adds Airflow)",
         lambda p: p.add_argument("--airflow-ui", action="store_true", help="also start Airflow's UI"))  # fmt: skip
def _up(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.local.stack.manager import Stack

    env = Stack(settings).up(echo=console().print, airflow_ui=args.airflow_ui)
    console().print('use it from a shell:  eval "$(flightlake env)"')
    return 0 if env else 1


@command("down", "stop the embedded stack (the lake and catalog are already safe on disk)",
         lambda p: p.add_argument("--new-ports", action="store_true",
                                  help="forget the services' ports: the next `up` picks free ones"))  # fmt: skip
def _down(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.local.stack.manager import Stack

    Stack(settings).down(echo=console().print, new_ports=args.new_ports)
    return 0


@command("status", "health of each service of the embedded stack")
def _status(args: argparse.Namespace, settings: Settings) -> int:
    from rich.table import Table

    from flightlake.local.stack.manager import Stack

    table = Table("service", "state", "endpoint", "what")
    services = Stack(settings).status()
    for service in services:
        state = "healthy" if service.healthy else ("running, unhealthy" if service.running else "stopped")
        colour = "green" if service.healthy else ("yellow" if service.running else "red")
        table.add_row(service.name, f"[{colour}]{state}[/]", service.endpoint, service.detail)
    console().print(table)
    core = [s for s in services if s.name in ("emulator", "postgres")]
    return 0 if all(s.healthy for s in core) else 3


@command("env", "print shell exports that point clients at the embedded stack")
def _env(args: argparse.Namespace, settings: Settings) -> int:
    from flightlake.local.stack.manager import Stack
    from flightlake.settings.checkout import stack_state_dir

    stack_state_dir(settings)
    env = Stack(settings).environment()
    if not env:
        print("# the embedded stack has never been started here: run `flightlake up`", file=sys.stderr)
        return 1
    for key, value in sorted(env.items()):
        print(f"export {key}={shlex.quote(value)}")
    return 0
