"""flightlake: a local-first lake house for the airline delay pipeline (docs/ARCHITECTURE.md)."""

__version__ = "0.1.0"
