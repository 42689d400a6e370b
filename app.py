"""The Chalice app: creates it, registers the routes (from chalicelib/blueprints.py) and the middleware."""

from chalice import Chalice

from chalicelib import blueprints
from chalicelib.accounts import middleware
from chalicelib.core.config import settings

settings()  # fail closed: outside stage local a missing setting stops the process here, by name

app = Chalice(app_name="kumo")
app.api.binary_types = ["image/png", "image/x-icon", "application/octet-stream"]

# Each route behind a stand-in that imports its module on its first request (chalicelib/blueprints.py).
blueprints.register(app)
middleware.guard_views(app)


@app.middleware("http")
def kumo_http(event, get_response):  # type: ignore[no-untyped-def]
    return middleware.handle(event, get_response)
