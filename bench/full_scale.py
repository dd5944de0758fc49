"""What the full-scale benchmarks share: one generated 7.2M-row year, and the running stack."""

from __future__ import annotations

import argparse
from pathlib import Path

from flightlake.settings import Settings, load_settings

FULL_SCALE_ROWS = 7_200_000  # the real 2018 file, the largest year
BENCH_YEAR = 2018
BENCH_SEED = 7


def bench_arguments(doc: str) -> argparse.ArgumentParser:
    """Every benchmark takes `--rows` (default: the full 7.2M-row year) and describes itself
    with the first paragraph of its module docstring."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=FULL_SCALE_ROWS)
    return parser


def full_scale_file(settings: Settings, rows: int = FULL_SCALE_ROWS, year: int = BENCH_YEAR) -> Path:
    """The year file, generated once into the state directory and reused by every benchmark."""
    from flightlake.datagen import generate

    out = settings.state_dir / "data" / f"bench-{rows}-seed{BENCH_SEED}"
    path = out / f"{year}.csv"
    if not path.exists():
        print(f"generating {rows:,} rows for {year} into {out} (once) ...", flush=True)
        generate([year], rows_per_year=rows, seed=BENCH_SEED, out_dir=out, workers=2)
    return path


def running_stack() -> Settings:
    """Settings pointed at the embedded stack, started if needed by a separate `flightlake up`,
    so the emulator and Postgres are not children of the benchmark and not in its memory."""
    import subprocess
    import sys

    from flightlake.local.stack.manager import activate

    started = subprocess.run([sys.executable, "-m", "flightlake", "up"])
    if started.returncode != 0:
        raise SystemExit(started.returncode)  # `flightlake up` has said why
    return activate(load_settings())
