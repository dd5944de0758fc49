"""The deploy plan: a flat, ordered list of actions, each with a kind, a target and a reason.

It is data, not text, so tests can assert on it exactly ("a second deploy plans nothing", "a
changed DAG is the only upload") and `--apply` executes the same steps it printed. A value that
only exists once an earlier step has run (a stack output of a stack still to be created) is a
`Pending`, never a guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

# kinds
STACK, OBJECT, DDL, MWAA, GLUE, ALERT, RELEASE = "stack", "object", "ddl", "mwaa", "glue", "alert", "release"
# changes
CREATE, UPDATE, UPLOAD, DELETE, APPLY, NONE = "create", "update", "upload", "delete", "apply", "none"
COPY, SWITCH, EMPTY, KEEP = "copy", "switch", "empty", "keep"


@dataclass(frozen=True)
class Pending:
    """A value known only after an earlier step of the same deploy has run."""

    source: str  # e.g. "storage stack output ArtifactsBucketName"

    def __str__(self) -> str:
        return f"(known after apply: {self.source})"


@dataclass(frozen=True)
class PlannedAction:
    """One thing the deploy will do (or found already done: change == NONE)."""

    kind: str
    target: str
    change: str
    reason: str
    details: tuple[str, ...] = ()

    @property
    def is_change(self) -> bool:
        return self.change != NONE


@dataclass(frozen=True)
class Plan:
    deployment: str
    region: str
    actions: tuple[PlannedAction, ...]
    status: tuple[str, ...] = ()  # what runs there now: release, when, by whom, drift, DAG runs

    @property
    def changes(self) -> tuple[PlannedAction, ...]:
        return tuple(action for action in self.actions if action.is_change)

    def of_kind(self, kind: str) -> tuple[PlannedAction, ...]:
        return tuple(action for action in self.actions if action.kind == kind)

    def render(self, show_unchanged: bool = True) -> list[str]:
        """The plan as text lines (what `flightlake deploy` prints)."""
        changes = self.changes
        lines = [f"  {line}" for line in self.status]
        lines.insert(0, f"Plan for deployment {self.deployment!r} in {self.region}: "
                     + (f"{len(changes)} change(s) ({_counts(changes)})" if changes else "no changes"))  # fmt: skip
        width = max((len(a.target) for a in self.actions), default=0)
        for action in self.actions:
            if not action.is_change and not show_unchanged:
                continue
            marker = " " if not action.is_change else "*"
            lines.append(f"{marker} {action.kind:<6} {action.change:<7} {action.target:<{width}}  {action.reason}")
            lines.extend(f"      {detail}" for detail in action.details)
        return lines


@dataclass
class Executed:
    """What `--apply` did for one action (the summary lists these)."""

    kind: str
    target: str
    change: str
    outcome: str


@dataclass
class Summary:
    plan: Plan
    executed: list[Executed] = field(default_factory=list)

    def render(self) -> list[str]:
        if not self.executed:
            return ["Nothing to apply: everything is up to date."]
        lines = [f"Applied {len(self.executed)} change(s): " + _counts(self.executed)]
        lines.extend(f"  {e.kind:<6} {e.change:<7} {e.target}  {e.outcome}" for e in self.executed)
        return lines


def _counts(actions: Iterable[PlannedAction | Executed]) -> str:
    counts = Counter(f"{a.kind} {a.change}" for a in actions)
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
