"""The emulator process: moto's server wrapped in flightlake's layers (`app`), on one port.

Run as `python -m flightlake.local.emulator.server --port 4566 --snapshot-dir DIR`. It serves
the application, loads the snapshot (if any) before it declares itself ready, and saves the lake
and catalog back to DIR on SIGTERM or SIGINT before it exits. The embedded stack and the
`emulator` service of docker-compose.yml both start it this way.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from flightlake.local.emulator.app import EmulatorContext, build_app

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

READY_FILE = "ready"


def _snapshot(action: str, endpoint: str, snapshot_dir: Path) -> dict[str, int]:
    """Run a snapshot save or restore in a child process (see flightlake.local.emulator.snapshot.main);
    its messages pass through, its last line is the counts."""
    import json
    import subprocess

    argv = [
        sys.executable,
        "-m",
        "flightlake.local.emulator.snapshot",
        action,
        str(snapshot_dir),
        "--endpoint",
        endpoint,
    ]
    done = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line, flush=True)
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"snapshot {action} of {snapshot_dir} failed (exit {done.returncode}); see the log above")
    return json.loads(lines[-1])


def start_server(host: str, port: int, context: EmulatorContext) -> BaseWSGIServer:
    """The application on a threaded HTTP server, serving from a thread of its own."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    server = make_server(host, port, build_app(context), threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, name="emulator-http", daemon=True).start()
    return server


def serve(host: str, port: int, snapshot_dir: Path, state_dir: Path) -> int:
    stop_requested = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop_requested.set())

    local = "127.0.0.1" if host in ("0.0.0.0", "") else host
    endpoint = f"http://{local}:{port}"
    server = start_server(host, port, EmulatorContext(state_dir=state_dir, endpoint=endpoint))
    started = time.monotonic()
    restored = _snapshot("restore", endpoint, snapshot_dir) if (snapshot_dir / "s3.json").exists() else {}
    print(
        f"emulator listening on {host}:{port}; restored {restored.get('objects', 0)} objects, "
        f"{restored.get('tables', 0)} tables, {restored.get('partitions', 0)} partitions "
        f"in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    ready = state_dir / READY_FILE
    ready.write_text(str(port))
    stop_requested.wait()
    ready.unlink(missing_ok=True)
    started = time.monotonic()
    saved = _snapshot("save", endpoint, snapshot_dir)
    print(
        f"emulator snapshot: {saved['objects']} objects in {saved['buckets']} buckets "
        f"({saved['downloaded']} downloaded) in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    server.shutdown()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--snapshot-dir", type=Path, required=True)
    parser.add_argument("--state-dir", type=Path, help="where the ready marker goes (default: snapshot dir's parent)")
    args = parser.parse_args(argv)
    args.snapshot_dir.mkdir(parents=True, exist_ok=True)
    state_dir = args.state_dir or args.snapshot_dir.parent
    state_dir.mkdir(parents=True, exist_ok=True)
    return serve(args.host, args.port, args.snapshot_dir, state_dir)


if __name__ == "__main__":
    sys.exit(main())
