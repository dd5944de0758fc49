"""`<state>/stack.json`: what the stack's clients need to find it (ports, URLs, credentials).

Written by `up` (mode 0600: it holds the generated credentials), read by `flightlake env` and by
every command that points itself at the stack. Ports are remembered across `down` and `up`, so a
restarted service comes back where its clients (a run in progress, a shell that ran
`flightlake env`) expect it.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any


class StackState:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "stack.json"

    def read(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}

    def write(self, state: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(state, indent=2))
        partial.chmod(0o600)
        os.replace(partial, self.path)

    def forget_ports(self) -> list[str]:
        """Drop the remembered ports (the next `up` picks free ones); returns the services named."""
        state = self.read()
        services = [name for name in ("emulator", "postgres", "airflow") if name in state]
        for name in services:
            del state[name]
        if services:
            self.write(state)
        return services


def credentials(state: dict[str, Any]) -> dict[str, str]:
    """Emulator credentials: generated once; the emulator accepts any, real AWS none of these."""
    if "credentials" not in state:
        state["credentials"] = {
            "access_key": "FL" + secrets.token_hex(9).upper(),
            "secret_key": secrets.token_urlsafe(30),
        }
    return state["credentials"]
