"""`make run` on a fresh clone, timed, with the day's DuckDB reference beside it.

    .venv/bin/python -m bench.bench_run     (make bench BENCH=run)

Clones this checkout's committed HEAD into a temporary directory and times `make run` there, as a
newcomer's first command runs: set-up included (the virtualenv from the package cache, the S3A
jars fetched into the clone), then the ten default years on the embedded stack, which it stops
afterwards. No `FLIGHTLAKE_*` variable of this shell reaches it, so it shares nothing with this
checkout's stack or caches. Target: at most 3 minutes on an otherwise idle machine.

The machine's speed moves from day to day, so the same run then times DuckDB's two stages on the
full-scale bench year (`bench.duckdb_pipeline`, the reference `BENCH=compare` also prints): a
`make run` figure is read beside the DuckDB time of the same day.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_compare import alone
from bench.full_scale import full_scale_file
from flightlake.settings import load_settings

TARGET_SECONDS = 180
CHECKOUT = Path(__file__).resolve().parent.parent


def fresh_environment() -> dict[str, str]:
    """This shell's environment without flightlake's own settings."""
    return {key: value for key, value in os.environ.items() if not key.startswith("FLIGHTLAKE_")}


def timed_make_run(clone: Path) -> tuple[float, str]:
    """`make run` in `clone`: its wall time and its last summary lines."""
    started = time.perf_counter()
    done = subprocess.run(
        ["make", "run"], cwd=clone, env=fresh_environment(), capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    subprocess.run(["make", "down"], cwd=clone, env=fresh_environment(), capture_output=True, check=False)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        raise SystemExit(f"make run failed (exit {done.returncode}):\n" + "\n".join(tail))
    return seconds, done.stdout


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        Path(tmp).chmod(0o755)  # the embedded PostgreSQL runs as its own user and must reach its state
        clone = Path(tmp) / "flightlake"
        subprocess.run(["git", "clone", "--quiet", str(CHECKOUT), str(clone)], check=True)
        print(f"make run in a fresh clone of {CHECKOUT} ({clone}) ...", flush=True)
        seconds, output = timed_make_run(clone)
    pipeline = re.search(r"^total (\d+) s", output, re.MULTILINE)
    path = full_scale_file(load_settings())
    with tempfile.TemporaryDirectory(prefix="bench-run-duckdb-") as tmp:
        _, duck = alone("bench.duckdb_pipeline", str(path), tmp)
    minutes, rest = divmod(round(seconds), 60)
    verdict = "met" if seconds <= TARGET_SECONDS else "NOT MET"
    print(
        f"bench_run: make run on a fresh clone {minutes} min {rest:02d} s (target <= {TARGET_SECONDS // 60} min) "
        f"{verdict}; the day's DuckDB reference {duck.wall_s:.1f} s on the bench year"
        + (f"; of it, `flightlake run` {pipeline.group(1)} s" if pipeline else "")
    )
    return 0 if seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
