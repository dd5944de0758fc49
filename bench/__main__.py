"""`python -m bench NAME|all`, what `make bench BENCH=...` runs; NAME is one of BENCHES."""

from __future__ import annotations

import subprocess
import sys

BENCHES = {"generate": "bench.bench_generate", "spark": "bench.bench_spark", "charts": "bench.bench_charts",
           "dag": "bench.bench_dag", "compare": "bench.bench_compare",
           "dashboard": "bench.bench_dashboard", "rehearsal": "bench.bench_rehearsal",
           "run": "bench.bench_run", "years": "bench.bench_years"}  # fmt: skip


def main(argv: list[str]) -> int:
    choice = argv[0] if argv else "all"
    names = list(BENCHES) if choice == "all" else [choice]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHES)} or all", file=sys.stderr)
        return 2
    failed = 0
    for name in names:
        print(f"==> bench {name}", flush=True)
        failed += subprocess.run([sys.executable, "-m", BENCHES[name], *argv[1:]], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
