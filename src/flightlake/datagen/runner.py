"""Orchestration: plan a year, generate its blocks of days (in worker processes if asked), write
them in order, and write the ground truth beside the year files.

Memory stays bounded whatever the scale: a block (a week, ~140k rows at full scale) is generated,
encoded to CSV bytes and written before more than a few others are in flight.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

from flightlake.datagen.csvformat import CRLF, LF, KaggleCsvFile, encode_rows
from flightlake.datagen.flights import simulate_block
from flightlake.datagen.groundtruth import GROUND_TRUTH_FILE, TruthRow, count_kinds, merge_ground_truth
from flightlake.datagen.plan import build_year_plan
from flightlake.datagen.progress import Silent
from flightlake.datagen.rows import kaggle_fields

# Blocks submitted ahead of the one being written, per worker: enough to keep workers busy,
# few enough that finished blocks waiting to be written stay a few hundred MB at most.
_BLOCKS_AHEAD_PER_WORKER = 2


class Progress(Protocol):
    """What the runner reports while it works (the CLI shows it as a progress bar)."""

    def start_year(self, year: int, rows: int) -> None: ...

    def advance(self, year: int, rows: int) -> None: ...


@dataclass(frozen=True)
class YearResult:
    """One year file written, and the ground truth of that year (not yet written to disk)."""

    year: int
    path: Path
    rows: int
    bytes: int
    truth: tuple[TruthRow, ...]
    storm_events: int
    holiday_days: int
    seconds: float


@dataclass(frozen=True)
class GenerateResult:
    """What `generate` wrote: the year files and the ground-truth file."""

    years: tuple[YearResult, ...]
    ground_truth: Path
    seconds: float

    @property
    def rows(self) -> int:
        return sum(y.rows for y in self.years)

    @property
    def bytes(self) -> int:
        return sum(y.bytes for y in self.years)

    def kind_counts(self) -> dict[str, int]:
        """Ground-truth rows by kind (storm_delay, storm_cancel, holiday_surge, gap)."""
        return count_kinds(row for year in self.years for row in year.truth)


def encode_block(year: int, rows: int, seed: int, block: int, eol: str = LF) -> tuple[int, bytes]:
    """One block of a year as CSV bytes; a module-level function so worker processes can run it.
    Each process builds (and caches) the year plan itself: it is deterministic and cheap."""
    plan = build_year_plan(year, rows, seed)
    flights = simulate_block(plan, block)
    return len(flights), encode_rows(kaggle_fields(plan, flights), eol)


@contextmanager
def _pool(workers: int, given: Executor | None = None) -> Iterator[Executor | None]:
    """`given` if any; else a pool of `workers` processes, shut down afterwards; else (1 worker)
    None: blocks are generated inline."""
    if given is not None or workers <= 1:
        yield given
        return
    # spawn, not fork: the parent may already run Arrow's thread pools, which fork does not survive.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def _in_order(
    pool: Executor | None, workers: int, job: Callable[[int], tuple[int, bytes]], blocks: range
) -> Iterator[tuple[int, bytes]]:
    """`job(block)` for every block, in block order, computed ahead by the pool if there is one."""
    if pool is None:
        yield from map(job, blocks)
        return
    pending: deque[Future[tuple[int, bytes]]] = deque()
    for block in blocks:
        pending.append(pool.submit(job, block))
        if len(pending) > workers * _BLOCKS_AHEAD_PER_WORKER:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def generate_year(
    year: int,
    rows: int,
    seed: int,
    out_dir: Path | str,
    *,
    crlf: bool = False,
    workers: int = 1,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> YearResult:
    """Write `out_dir/<year>.csv` with exactly `rows` flights; the ground truth is returned, not
    written (`generate` writes it for all its years). The bytes depend only on (year, rows, seed,
    crlf), never on `workers`."""
    started = time.perf_counter()
    progress = progress or Silent()
    eol = CRLF if crlf else LF
    plan = build_year_plan(year, rows, seed)
    progress.start_year(year, rows)
    path = Path(out_dir) / f"{year}.csv"
    job = partial(encode_block, year, rows, seed, eol=eol)
    with _pool(workers, executor) as pool, KaggleCsvFile(path, eol) as out:
        for count, body in _in_order(pool, workers, job, range(len(plan.blocks))):
            out.write_encoded(body, count)
            progress.advance(year, count)
    if out.rows != rows:  # the plan allocates exactly `rows`; anything else is a bug
        raise RuntimeError(f"{path}: wrote {out.rows} rows, planned {rows}")
    return YearResult(
        year=year,
        path=path,
        rows=out.rows,
        bytes=out.bytes,
        truth=plan.truth,
        storm_events=plan.storm_events,
        holiday_days=plan.holiday_days,
        seconds=time.perf_counter() - started,
    )


def generate(
    years: Iterable[int],
    rows_per_year: int,
    seed: int,
    out_dir: Path | str,
    *,
    crlf: bool = False,
    workers: int = 1,
    progress: Progress | None = None,
) -> GenerateResult:
    """Write one Kaggle-format file per year and the ground truth `anomalies.csv` beside them.

    The ground truth of other years already in `anomalies.csv` is kept, so a directory can be
    filled a few years at a time. With `workers` > 1, blocks are generated in spawned processes:
    a script calling this must guard its entry point with `if __name__ == "__main__":`."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with _pool(workers) as pool:  # one pool for all the years: workers start once
        results = [
            generate_year(
                year, rows_per_year, seed, out_dir, crlf=crlf, workers=workers, progress=progress, executor=pool
            )
            for year in sorted(set(years))
        ]
    truth_path = merge_ground_truth(
        [row for r in results for row in r.truth], [r.year for r in results], out_dir / GROUND_TRUTH_FILE
    )
    return GenerateResult(tuple(results), truth_path, time.perf_counter() - started)


def ensure_generated(
    out_dir: Path, years: Iterable[int], rows_per_year: int, seed: int, echo: Callable[[str], None] = print
) -> list[Path]:
    """The year files in out_dir, generating only those missing: a year's bytes depend on the
    seed, the year and the size alone, so a cache directory per size and seed can be filled
    piecemeal. Returns the paths in the order of `years`."""
    years = list(years)
    missing = [year for year in years if not (out_dir / f"{year}.csv").exists()]
    if missing:
        echo(f"generating {len(missing)} years x {rows_per_year:,} rows (seed {seed}) in {out_dir}")
        generate(missing, rows_per_year=rows_per_year, seed=seed, out_dir=out_dir)
    return [out_dir / f"{year}.csv" for year in years]
