"""The emulator's WSGI application: moto's server with flightlake's layers around it.

A layer is `layer(inner_app, context) -> app`: a WSGI middleware that answers the requests of the
one AWS API (or concern) it owns and passes every other request on, unchanged, to the app inside
it. `LAYERS` lists them innermost first; moto is the core, authentication the outermost, so
that no request reaches a layer or moto unless it is signed with the stack's credentials.
Adding a stand-in is one module and one line here.
"""

from __future__ import annotations

from collections.abc import Callable

from flightlake.local.emulator.authentication import Authentication
from flightlake.local.emulator.context import EmulatorContext
from flightlake.local.emulator.dispatch import signed_dispatcher
from flightlake.local.emulator.durable_lake import DurableLake
from flightlake.local.emulator.glue_jobs import glue_jobs_layer
from flightlake.local.emulator.redshift_data import redshift_data_layer
from flightlake.local.emulator.wsgi import WSGIApp


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
