"""The emulator process: moto's server wrapped in flightlake's layers (`app`), on one port.

    python -m flightlake.local.emulator.server --port 4566 --store-dir DIR [--state-dir DIR]

It accepts requests signed (SigV4) with one key pair, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
of its environment: the embedded stack's generated credentials, or compose's from .env; it does
not start without them. On start it rebuilds S3 and the Glue Data Catalog from the store as they were at the last write
it acknowledged (`lake_store`), says what it restored (and anything it could not), then serves
and declares itself ready. It has nothing to save on the way down: every write was recorded
before it was answered, so SIGTERM, SIGINT or a crash (kill -9) lose nothing acknowledged. The
embedded stack and the `emulator` service of docker-compose.yml both start it this way.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from flightlake.local.emulator.app import build_app
from flightlake.local.emulator.context import EmulatorContext
from flightlake.local.emulator.lake_store import LakeStore
from flightlake.local.emulator.sigv4 import Credentials

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

READY_FILE = "ready"
RESTORED_FILE = "restored.json"  # what the last start restored, for `flightlake up` to report


def start_server(host: str, port: int, context: EmulatorContext) -> BaseWSGIServer:
    """The application on a threaded HTTP server, serving from a thread of its own."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request would fill the log

    server = make_server(host, port, build_app(context), threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, name="emulator-http", daemon=True).start()
    return server


def credentials_from(environ: dict[str, str]) -> Credentials | None:
    """The key pair the emulator accepts, from the environment it was started with."""
    access_key = environ.get("AWS_ACCESS_KEY_ID", "").strip()
    secret_key = environ.get("AWS_SECRET_ACCESS_KEY", "").strip()
    return Credentials(access_key, secret_key) if access_key and secret_key else None


def serve(host: str, port: int, store_dir: Path, state_dir: Path, credentials: Credentials) -> int:
    stop_requested = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop_requested.set())
    started = time.monotonic()
    store = LakeStore(store_dir)
    restored = store.restore()
    local = "127.0.0.1" if host in ("0.0.0.0", "") else host
    endpoint = f"http://{local}:{port}"
    context = EmulatorContext(state_dir=state_dir, endpoint=endpoint, store=store, credentials=credentials)
    server = start_server(host, port, context)
    for problem in restored.problems:
        print(f"emulator WARNING: {problem}", flush=True)
    print(
        f"emulator listening on {host}:{port}; restored {restored.objects} objects in {restored.buckets} buckets, "
        f"{restored.tables} tables, {restored.partitions} partitions (as of acknowledged write "
        f"#{restored.acknowledged_writes}) in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    (state_dir / RESTORED_FILE).write_text(json.dumps(asdict(restored)))
    ready = state_dir / READY_FILE
    ready.write_text(str(port))
    stop_requested.wait()
    ready.unlink(missing_ok=True)
    server.shutdown()
    store.journal.close()
    print("emulator stopped; nothing to save (every write was recorded when it was acknowledged)", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--store-dir", type=Path, required=True, help="object files, journal and catalog")
    parser.add_argument("--state-dir", type=Path, help="where the ready marker goes (default: the store's parent)")
    args = parser.parse_args(argv)
    credentials = credentials_from(dict(os.environ))
    if credentials is None:
        print(
            "emulator: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: they are the only credentials it "
            "accepts. `flightlake up` generates them; for compose, run `sh docker/gen-env.sh` to create .env.",
            file=sys.stderr,
        )
        return 2
    state_dir = args.state_dir or args.store_dir.parent
    state_dir.mkdir(parents=True, exist_ok=True)
    return serve(args.host, args.port, args.store_dir, state_dir, credentials)


if __name__ == "__main__":
    sys.exit(main())
