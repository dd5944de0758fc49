"""`flightlake deploy`: releases of this checkout on AWS, per environment.

    flightlake deploy --env NAME [--plan | --apply]              this checkout's release to NAME
    flightlake deploy promote --from dev --to prod [--apply]     dev's release to prod, byte for byte
    flightlake deploy rollback --env NAME [--version V] [--apply]  back to the previous release
    flightlake deploy status --env NAME                          release, when, by whom, drift, DAG runs
    flightlake deploy destroy --env NAME [--delete-data --confirm NAME] [--apply]
    flightlake deploy ci --repository OWNER/NAME [--apply]       the account's CI roles (GitHub OIDC)

The target is what the environment file names (account, region) with the usual credential chain,
or an emulator when AWS_ENDPOINT_URL is set. Unlike the other commands it never points itself at
the embedded stack on its own: a deploy goes where it is told, and says where. Without --apply
every command only plans: it prints what would change and changes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from flightlake.cli.registry import command
from flightlake.errors import FlightlakeError
from flightlake.settings import Settings

ACTIONS = ("promote", "rollback", "status", "destroy", "ci")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=ACTIONS, help="what to do; none: deploy this checkout")
    parser.add_argument("--env", metavar="NAME", help="the environment (deploy/environments/NAME.toml)")
    parser.add_argument("--from", dest="source", metavar="NAME", help="promote: the environment whose release to copy")
    parser.add_argument("--to", dest="destination", metavar="NAME", help="promote: the environment to deploy it to")
    parser.add_argument("--version", help="rollback: the stored release to return to (default: the previous one)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--plan", action="store_true", help="print what would change and change nothing (default)")
    mode.add_argument("--apply", action="store_true", help="print the plan, then carry it out")
    parser.add_argument("--all", action="store_true", help="also list what is already up to date")
    parser.add_argument("--delete-data", action="store_true", help="destroy: also the lake (asks for the name)")
    parser.add_argument("--confirm", metavar="NAME", help="destroy --delete-data without asking: the environment name")
    parser.add_argument("--repository", metavar="OWNER/NAME", help="ci: the GitHub repository CI runs for")
    parser.add_argument("--no-oidc-provider", action="store_true", help="ci: the account has GitHub's provider already")


def _echo(line: str) -> None:
    print(line, flush=True)


def _need(value: str | None, flag: str, action: str) -> str:
    if not value:
        raise FlightlakeError(f"flightlake deploy {action}: {flag} is required")
    return value


def _target(root: Any, name: str) -> Any:
    from flightlake.deploy.environments import load_environment
    from flightlake.deploy.target import Target

    target = Target(load_environment(root, name), root, echo=_echo)
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    where = f"emulator at {endpoint}" if endpoint else f"AWS account {target.env.account}"
    print(f"target: {target.names.deployment} ({where}, region {target.env.region})", flush=True)
    return target


def _confirm_delete(args: argparse.Namespace, name: str) -> None:
    if not args.delete_data or not args.apply:
        return
    answer = args.confirm
    if answer is None:
        if not sys.stdin.isatty():
            raise FlightlakeError(f"--delete-data deletes the lake of {name}: pass --confirm {name} to run unattended")
        answer = input(f"This deletes every object of {name}'s lake, for good. Type the environment name: ").strip()
    if answer != name:
        raise FlightlakeError(f"not confirmed ({answer!r} is not {name!r}): nothing was deleted")


def _run(args: argparse.Namespace, settings: Settings) -> Any:
    from flightlake.deploy import rollouts
    from flightlake.deploy.destroy import Destroy
    from flightlake.deploy.status import status_lines
    from flightlake.settings.checkout import project_root

    root = project_root(settings)
    action = args.action or "deploy"
    if action == "ci":
        return _ci(args, settings, root)
    if action == "promote":
        source = _target(root, _need(args.source, "--from", action))
        return rollouts.promote(source, _target(root, _need(args.destination, "--to", action)))
    name = _need(args.env, "--env", action)
    target = _target(root, name)
    if action == "status":
        target.check_account()
        for line in status_lines(target):
            print(line)
        return None
    if action == "rollback":
        return rollouts.rollback(target, args.version)
    if action == "destroy":
        _confirm_delete(args, name)
        return Destroy(target, args.delete_data)
    return rollouts.deploy(target)


def _ci(args: argparse.Namespace, settings: Settings, root: Any) -> None:
    from flightlake.deploy import ci, cloudformation
    from flightlake.deploy.clients import Clients

    request = ci.request(root, _need(args.repository, "--repository", "ci"), not args.no_oidc_provider)
    cfn = Clients(settings).cloudformation
    deployed = ci.read_stack(cfn, ci.STACK_NAME)
    action = cloudformation.plan_stack(cfn, request, deployed)
    print(f"* stack  {action.change:<7} {action.target}  {action.reason}")
    if args.apply and action.is_change:
        print(cloudformation.apply_stack(cfn, request, deployed, cloudformation.Timing()))


@command("deploy", "releases to AWS per environment: deploy, promote, rollback, status, destroy", _arguments)
def _deploy(args: argparse.Namespace, settings: Settings) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        work = _run(args, settings)
        if work is None:
            return 0
        if not args.apply:
            for line in work.plan().render(show_unchanged=args.all):
                print(line)
            return 0
        summary = work.apply()
    except (BotoCoreError, ClientError) as error:  # no credentials, access denied, throttling, ...
        raise FlightlakeError(f"deploy stopped, AWS answered: {error}") from error
    for line in summary.render():
        print(line)
    return 0
