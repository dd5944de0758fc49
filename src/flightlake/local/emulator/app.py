"""The emulator's WSGI application: moto's server with flightlake's layers around it.

A layer is `layer(inner_app, context) -> app`: a WSGI middleware that answers the requests of the
one AWS API (or concern) it owns and passes every other request on, unchanged, to the app inside
it. `LAYERS` lists them innermost first; moto is the core. Adding a stand-in is one module and
one line here.
"""

from __future__ import annotations

from collections.abc import Callable

from flightlake.local.emulator.context import EmulatorContext
from flightlake.local.emulator.durable_lake import DurableLake
from flightlake.local.emulator.glue_jobs import glue_jobs_layer
from flightlake.local.emulator.redshift_data import redshift_data_layer
from flightlake.local.emulator.wsgi import WSGIApp


def durable_lake(app: WSGIApp, context: EmulatorContext) -> WSGIApp:
    return DurableLake(app, context.store)


Layer = Callable[[WSGIApp, EmulatorContext], WSGIApp]
LAYERS: tuple[Layer, ...] = (
    durable_lake,  # S3 and the catalog, durable
    glue_jobs_layer,  # Glue's job actions: runs that really run the job's script
    redshift_data_layer,  # the Redshift Data API on the warehouse PostgreSQL
)


def build_app(context: EmulatorContext) -> WSGIApp:
    """moto's own application, wrapped in every layer."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app: WSGIApp = DomainDispatcherApplication(create_backend_app)
    for layer in LAYERS:
        app = layer(app, context)
    return app
