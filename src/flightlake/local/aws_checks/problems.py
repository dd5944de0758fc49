"""One defect a check found: where it is, what it is, how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str  # relative to the checkout
    line: int
    construct: str
    fix: str
    doc: str = ""

    def __str__(self) -> str:
        see = f" (see {self.doc})" if self.doc else ""
        return f"{self.file}:{self.line}: {self.construct}. Fix: {self.fix}{see}"
