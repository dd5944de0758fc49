"""Generate one full-scale year (7.2M rows, the size of the real 2018 file) into a temporary
directory and report rows, wall time, rows/s, peak memory of the process tree and file size.

    .venv/bin/python -m bench.bench_generate [--rows 7200000] [--workers N] [--year 2018] [--keep DIR]

Peak memory is sampled (every 50 ms) as the summed RSS of this process and its workers, and
cross-checked with getrusage's per-process maxima, which sampling can miss between two ticks.
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
from pathlib import Path

from bench.full_scale import FULL_SCALE_ROWS, bench_arguments
from bench.measure import measured
from flightlake.datagen import generate_year
from flightlake.datagen.progress import generation_progress

TARGET_SECONDS = 25.0  # for FULL_SCALE_ROWS (and more) on a 2-core machine
TARGET_PEAK_MB = 1500.0
_KB = 1024


def main() -> int:
    parser = bench_arguments(__doc__)
    parser.add_argument("--year", type=int, default=2018)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="write here and keep the file (default: a temp dir, removed)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args()

    out = args.keep or Path(tempfile.mkdtemp(prefix="flightlake-bench-"))
    try:
        with measured() as measurement, generation_progress(args.quiet) as progress:
            result = generate_year(args.year, args.rows, args.seed, out, workers=args.workers, progress=progress)
        wall, peak_sampled = measurement.wall_s, measurement.peak_mb
        size_mb = result.path.stat().st_size / 1e6
    finally:
        if args.keep is None:
            shutil.rmtree(out, ignore_errors=True)
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _KB / 1e6
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * _KB / 1e6
    # Without the sampler, the tree's peak is at least the parent's plus its largest worker's.
    peak = max(peak_sampled, self_mb + (child_mb if args.workers > 1 else 0.0))
    rate = result.rows / wall
    print(f"rows            {result.rows:,}")
    print(f"workers         {args.workers}")
    print(f"wall            {wall:.1f} s")
    print(f"rows/s          {rate:,.0f}")
    print(f"peak RSS        {peak:,.0f} MB (process tree, sampled: {peak_sampled:,.0f};")
    print(f"                parent {self_mb:,.0f}, largest worker {child_mb:,.0f}, from getrusage)")
    print(f"file            {size_mb:,.0f} MB ({result.bytes / result.rows:.0f} bytes/row)")
    if args.rows < FULL_SCALE_ROWS:
        # Start-up costs dominate a small run; scaling the target down would judge them, not the generator.
        verdict = "no verdict below full scale for the"
    else:
        verdict = "within" if wall <= TARGET_SECONDS and peak <= TARGET_PEAK_MB else "OUTSIDE"
    print(
        f"bench_generate: {result.rows:,} rows in {wall:.1f} s = {rate:,.0f} rows/s, peak {peak:,.0f} MB, "
        f"{size_mb:,.0f} MB file; {verdict} target ({TARGET_SECONDS:.0f} s and {TARGET_PEAK_MB:,.0f} MB per 7.2M rows)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
