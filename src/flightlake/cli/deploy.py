"""`flightlake deploy --stack NAME [--plan | --apply]`: this checkout to MWAA, Glue and Redshift.

The target is whatever the environment names: AWS with the usual credential chain and
AWS_REGION, or an emulator when AWS_ENDPOINT_URL is set. Unlike the other commands it never
points itself at the embedded stack on its own: a deploy goes where it is told, and says where.
"""

from __future__ import annotations

import argparse
import os

from flightlake.cli.registry import command
from flightlake.errors import FlightlakeError
from flightlake.settings import Settings


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, metavar="NAME", help="deployment name; stacks are NAME-storage, ...")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--plan", action="store_true", help="print what would change and change nothing (default)")
    mode.add_argument("--apply", action="store_true", help="print the plan, then carry it out")
    parser.add_argument("--all", action="store_true", help="also list what is already up to date")


def _echo(line: str) -> None:
    print(line, flush=True)


@command("deploy", "deploy the DAG, Spark jobs and warehouse DDL to AWS (MWAA, Glue, Redshift)", _arguments)
def _deploy(args: argparse.Namespace, settings: Settings) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from flightlake.deploy.clients import Clients
    from flightlake.deploy.orchestrate import Deployment
    from flightlake.settings.checkout import project_root

    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    print(f"target: {'emulator at ' + endpoint if endpoint else 'AWS'}, region {settings.region}", flush=True)
    try:
        with Deployment(args.stack, settings, project_root(settings), Clients(settings), echo=_echo) as dep:
            if not args.apply:
                for line in dep.plan().render(show_unchanged=args.all):
                    print(line)
                return 0
            summary = dep.apply()
    except (BotoCoreError, ClientError) as error:  # no credentials, access denied, throttling, ...
        raise FlightlakeError(f"deploy stopped, AWS answered: {error}") from error
    for line in summary.render():
        print(line)
    return 0
