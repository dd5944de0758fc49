"""The three ways a release reaches an environment, as `Rollout`s ready to plan or apply.

deploy    build this checkout's release; upload what is not stored; infrastructure from the checkout
promote   the release the source environment runs, copied byte for byte; never rebuilt
rollback  the release that ran before the current one (or a named one), already stored; only
          the release parameters of the airflow stack change (its deployed template is kept)
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from flightlake.deploy import environments, history, release_store
from flightlake.deploy.orchestrate import Rollout
from flightlake.deploy.plan import Pending
from flightlake.deploy.release import build_release
from flightlake.deploy.sources import Built, Copied, Stored
from flightlake.deploy.target import Target
from flightlake.deploy.wheel import build_wheel
from flightlake.errors import FlightlakeError

WheelBuilder = Callable[[Path], Path]  # out_dir -> wheel


class NothingToPromote(FlightlakeError):
    """The source environment runs no release (or has no artifacts bucket)."""


def deploy(target: Target, wheel_builder: WheelBuilder | None = None, git: str | None = None) -> Rollout:
    root = target.root
    with tempfile.TemporaryDirectory(prefix="flightlake-wheel-") as out:
        wheel = (wheel_builder or (lambda d: build_wheel(root, d)))(Path(out))
        release = build_release(root, wheel, environments.load_all(root), git)
    stored_as = release_store.find_same_content(target.s3, target.bucket, release)
    return Rollout(target, Built(release, stored_as), "deploy")


def promote(source: Target, target: Target) -> Rollout:
    bucket = source.bucket
    current = history.current(history.read(source.s3, bucket)) if isinstance(bucket, str) else None
    if current is None or isinstance(bucket, Pending):
        raise NothingToPromote(
            f"{source.env.name} runs no release yet: deploy it first "
            f"(`flightlake deploy --env {source.env.name} --apply`)."
        )
    return Rollout(target, Copied(target.s3, bucket, current.version, source.env.name), "promote")


def rollback(target: Target, version: str | None = None) -> Rollout:
    bucket = target.bucket
    if isinstance(bucket, Pending):
        raise NothingToPromote(f"{target.env.name} is not deployed: nothing to roll back.")
    entries = history.read(target.s3, bucket)
    previous = history.previous(entries)
    chosen = version or (previous.version if previous else None)
    if chosen is None:
        raise NothingToPromote(f"{target.env.name} has no earlier release to roll back to.")
    return Rollout(target, Stored(target.s3, bucket, chosen), "rollback", infra=False)
