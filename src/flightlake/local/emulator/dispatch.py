"""moto's dispatcher, routing each request by the service its signature names, never by its Host.

moto picks a request's service from its Host header first (`s3.amazonaws.com`, a bucket's
virtual host, `glue.us-east-1.amazonaws.com`) and only then from its signature. The durable layer
knows an S3 write by its signature (`wsgi.signed_service`); if moto routed by a Host the signature
does not name, an S3 write would pass that layer unrecorded. So moto sees the signing name only,
and reads buckets from the path, never from the Host: the layers and moto agree on every request.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from flightlake.local.emulator.sigv4 import ALGORITHM
from flightlake.local.emulator.wsgi import Environ, WSGIApp

_FALLBACK_HOST = "s3.us-east-1.amazonaws.com"  # moto's own default for a request it cannot place


def signed_dispatcher() -> WSGIApp:
    """moto's application, dispatching by the credential scope's service."""
    import moto.settings
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    moto.settings.S3_IGNORE_SUBDOMAIN_BUCKETNAME = True

    class SignedServiceDispatcher(DomainDispatcherApplication):  # type: ignore[misc]
        def get_application(self, environ: Environ) -> Any:
            view = environ
            if not environ.get("HTTP_AUTHORIZATION"):  # presigned: the scope is in the query
                credential = _query_credential(str(environ.get("QUERY_STRING", "")))
                view = dict(environ, HTTP_AUTHORIZATION=f"{ALGORITHM} Credential={credential}")
            host = self.infer_service_region_host(view, str(environ.get("PATH_INFO", ""))) or _FALLBACK_HOST
            with self.lock:
                backend = self.get_backend_for_host(host)
                app = self.app_instances.get(backend)
                if app is None:
                    app = self.app_instances[backend] = self.create_app(backend)
            return app

    return SignedServiceDispatcher(create_backend_app)


def _query_credential(query: str) -> str:
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == "X-Amz-Credential":
            return unquote(value)
    return ""
