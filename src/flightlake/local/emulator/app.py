"""The emulator's WSGI application: moto's server with flightlake's layers around it.

A layer is `layer(inner_app, context) -> app`: a WSGI middleware that answers the requests of the
one AWS API (or concern) it owns and passes every other request on, unchanged, to the app inside
it. `LAYERS` lists them innermost first; moto is the core, authentication the outermost, so
that no request reaches a layer or moto unless it is signed with the stack's credentials.
Adding a stand-in is one module and one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flightlake.local.emulator.authentication import Authentication
from flightlake.local.emulator.dispatch import signed_dispatcher
from flightlake.local.emulator.durable_lake import DurableLake
from flightlake.local.emulator.glue_jobs import glue_jobs_layer
from flightlake.local.emulator.lake_store import LakeStore
from flightlake.local.emulator.redshift_data import redshift_data_layer
from flightlake.local.emulator.sigv4 import Credentials
from flightlake.local.emulator.wsgi import WSGIApp


@dataclass(frozen=True)
class EmulatorContext:
    """What a layer may need to know about the emulator it runs in."""

    state_dir: Path  # the emulator's own directory (state it keeps, logs of what it runs)
    endpoint: str  # how clients (and the layers themselves) reach it, e.g. http://127.0.0.1:4566
    store: LakeStore  # S3 and the Glue Data Catalog, durable (restored before the server starts)
    credentials: Credentials  # the only key pair whose signatures it accepts: its stack's


def durable_lake(app: WSGIApp, context: EmulatorContext) -> WSGIApp:
    return DurableLake(app, context.store)


def authentication(app: WSGIApp, context: EmulatorContext) -> WSGIApp:
    return Authentication(app, context.credentials)


Layer = Callable[[WSGIApp, EmulatorContext], WSGIApp]
LAYERS: tuple[Layer, ...] = (
    durable_lake,  # S3 and the catalog, durable
    glue_jobs_layer,  # Glue's job actions: runs that really run the job's script
    redshift_data_layer,  # the Redshift Data API on the warehouse PostgreSQL
    authentication,  # outermost: every request signed (SigV4) with the stack's credentials, or refused
)


def build_app(context: EmulatorContext) -> WSGIApp:
    """moto's own application (dispatching by signature, `dispatch`), wrapped in every layer."""
    app: WSGIApp = signed_dispatcher()
    for layer in LAYERS:
        app = layer(app, context)
    return app
