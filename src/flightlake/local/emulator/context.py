"""What a layer of the emulator may need to know about the emulator it runs in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flightlake.local.emulator.lake_store import LakeStore
from flightlake.local.emulator.sigv4 import Credentials


@dataclass(frozen=True)
class EmulatorContext:
    state_dir: Path  # the emulator's own directory (state it keeps, logs of what it runs)
    endpoint: str  # how clients (and the layers themselves) reach it, e.g. http://127.0.0.1:4566
    store: LakeStore  # S3 and the Glue Data Catalog, durable (restored before the server starts)
    credentials: Credentials  # the only key pair whose signatures it accepts: its stack's
