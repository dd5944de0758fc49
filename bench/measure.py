"""Wall time and peak memory of work that may run in child processes (Spark's JVM, workers).

`/usr/bin/time -v` and getrusage report one process at a time and miss the JVM that
spark-submit starts, so peak memory is sampled: the summed RSS of this process and all its
descendants, read from /proc every 50 ms.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

SAMPLE_SECONDS = 0.05


def tree_rss_mb(root: int) -> float:
    """Summed resident memory of `root` and all its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry.name), int(fields[1])
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / 1e6


class PeakSampler(threading.Thread):
    """Samples the process tree of `root` (default: this process) until stopped."""

    def __init__(self, root: int | None = None) -> None:
        super().__init__(daemon=True)
        self.root = root or os.getpid()
        self.peak_mb = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.root))
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_mb


@dataclass
class Measurement:
    wall_s: float = 0.0
    peak_mb: float = 0.0


@contextmanager
def measured() -> Iterator[Measurement]:
    """`with measured() as m: ...` then m.wall_s and m.peak_mb (this process and its children)."""
    result = Measurement()
    sampler = PeakSampler()
    sampler.start()
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.wall_s = time.perf_counter() - started
        result.peak_mb = sampler.stop()
