"""Benchmarks: each module runs with `python -m bench.<name>` and prints wall time, rows/s and peak memory."""
