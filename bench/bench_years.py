"""Ten real-size years in one `flightlake run`: does a year's time follow its rows as the lake grows?

    .venv/bin/python -m bench.bench_years [--scale 1.0]     (make bench BENCH=years)

Generates the ten years at the sizes of the Kaggle files (61.6M rows in all, about 7.6 GB; once,
into the state directory; `--scale 0.1` for a tenth), runs them in one `flightlake run --data`
on the embedded stack, and prints per year: rows, the DagRun's seconds, seconds per million rows
and raw_to_stage's share; then the spread of seconds per million rows over the warm years (the
first carries the JVM's start), and the emulator's resident memory before, at its peak and
after, sampled every second, and once the files are in and after each year: the lake grows by
about 3 GB over the run, and the emulator must not grow with it.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import threading
from pathlib import Path

from bench.full_scale import BENCH_SEED, running_stack
from flightlake.settings import Settings

# Rows of the Kaggle "Airline Delay and Cancellation Data, 2009-2018" year files.
KAGGLE_ROWS = {
    2009: 6_429_338, 2010: 6_450_117, 2011: 6_085_281, 2012: 6_096_762, 2013: 6_369_482,
    2014: 5_819_811, 2015: 5_819_079, 2016: 5_617_658, 2017: 5_674_621, 2018: 7_213_446,
}  # fmt: skip
SAMPLE_SECONDS = 1.0


def real_size_years(settings: Settings, scale: float) -> Path:
    """Each year at its real size (times `scale`), generated once."""
    from flightlake.datagen import generate

    out = settings.state_dir / "data" / f"real-size-x{scale:g}-seed{BENCH_SEED}"
    for year, rows in KAGGLE_ROWS.items():
        if not (out / f"{year}.csv").exists():
            print(f"generating {round(rows * scale):,} rows for {year} into {out} (once) ...", flush=True)
            generate([year], rows_per_year=round(rows * scale), seed=BENCH_SEED + year, out_dir=out, workers=2)
    return out


def emulator_pid(settings: Settings) -> int | None:
    """The embedded emulator serving this stack (found by its port on the command line)."""
    port = settings.s3_endpoint.rsplit(":", 1)[-1].strip("/")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            command = Path(f"/proc/{entry.name}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"flightlake.local.emulator.server" in command and port.encode() in command:
            return int(entry.name)
    return None


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    """The emulator's RSS every SAMPLE_SECONDS while the run goes on."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.done = pid, [rss_mb(pid)], threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.samples.append(rss_mb(self.pid))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    from flightlake.local.harness.main_job import run

    settings = running_stack()
    data = real_size_years(settings, args.scale)
    pid = emulator_pid(settings)
    sampler = Sampler(pid) if pid else None
    if sampler:
        sampler.start()
    marks: list[tuple[str, float]] = []  # the emulator's RSS once the files are in, and after each year

    def echo(line: str) -> None:
        print(line, flush=True)
        if pid and (line.startswith("airflow ") or re.match(r"^\d{4}  run ", line)):
            marks.append((line[:4] if line[0].isdigit() else "ingested", rss_mb(pid)))

    summary = run(settings, tuple(KAGGLE_ROWS), data_dir=data, echo=echo)
    if sampler:
        sampler.done.set()
        sampler.join()
    print(f"\n{'year':<6}{'rows':>12}{'DagRun':>9}{'s/M rows':>10}{'raw_to_stage':>14}")
    per_million: dict[int, float] = {}
    for outcome in summary.outcomes:
        rows = round(KAGGLE_ROWS[outcome.year] * args.scale)
        per_million[outcome.year] = outcome.seconds / (rows / 1e6)
        raw = (outcome.tasks.get("raw_to_stage") or {}).get("seconds") or 0.0
        print(f"{outcome.year:<6}{rows:>12,}{outcome.seconds:>7.0f} s{per_million[outcome.year]:>10.1f}{raw:>12.1f} s")
    warm = [per_million[year] for year in list(KAGGLE_ROWS)[1:] if year in per_million]
    spread = f"{min(warm):.1f}-{max(warm):.1f} s per M rows (median {statistics.median(warm):.1f})" if warm else "-"
    memory = (
        f"emulator RSS {sampler.samples[0]:,.0f} MB before, peak {max(sampler.samples):,.0f} MB, "
        f"{sampler.samples[-1]:,.0f} MB after"
        if sampler
        else "emulator not found"
    )
    if marks:
        print("emulator RSS (MB): " + ", ".join(f"{when} {mb:,.0f}" for when, mb in marks))
    total_rows = sum(round(rows * args.scale) for rows in KAGGLE_ROWS.values())
    state = "success" if summary.ok else "FAILED"
    print(
        f"bench_years: {state}, {total_rows / 1e6:.1f}M rows in {summary.seconds:.0f} s (ingest included); "
        f"warm years {spread}; {memory}"
    )
    return 0 if summary.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
