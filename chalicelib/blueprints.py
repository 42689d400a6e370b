"""The app's blueprints, and the route table that lets a cold start import only what a request needs.

Importing every slice's routes and pages at start-up cost a cold Lambda container most of its
first response (about 40 modules: services, schemas, storage models, page helpers). Instead
app.py registers each route from route_table.json, generated from the blueprints, with a
stand-in view; a route's first request imports its module, registers that blueprint on a
scratch app to collect its real views (Chalice's own registration, so decorators stack exactly
as written) and calls the real view from then on. bench/cold_start.py measures the difference.

The table is generated, never edited: `make routes` writes it, and tests/unit/test_route_table.py
fails when it differs from what the modules declare (a new or changed route).

    python -m chalicelib.blueprints --write    # what `make routes` runs
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# The modules whose `bp` make the app, in the order they are registered.
MODULES: tuple[str, ...] = (
    "chalicelib.shell.pages",
    "chalicelib.shell.routes",
    "chalicelib.accounts.pages",
    "chalicelib.accounts.routes",
    "chalicelib.directory.pages",
    "chalicelib.directory.routes",
    "chalicelib.notifications.pages",
    "chalicelib.notifications.routes",
    "chalicelib.notifications.settings_routes",
    "chalicelib.notifications.mute_pages",
    "chalicelib.notifications.channels.pages",
    "chalicelib.notifications.channels.dev_pages",
    "chalicelib.files.routes",
    "chalicelib.files.pages",
    "chalicelib.sharing.routes",
    "chalicelib.sharing.staff_pages",
    "chalicelib.sharing.partner_routes",
    "chalicelib.sharing.pages",
    "chalicelib.search.routes",
    "chalicelib.search.pages",
    "chalicelib.surveys.routes",
    "chalicelib.surveys.pages",
    "chalicelib.surveys.answer_pages",
    "chalicelib.surveys.attachment_pages",
    "chalicelib.surveys.attachment_routes",
    "chalicelib.surveys.answer_file_routes",
    "chalicelib.surveys.respond_routes",
    "chalicelib.surveys.respond_pages",
    "chalicelib.surveys.result_pages",
    "chalicelib.projects.routes",
    "chalicelib.projects.board_routes",
    "chalicelib.projects.pages",
    "chalicelib.projects.board_pages",
    "chalicelib.projects.card_pages",
    "chalicelib.projects.calendar_routes",
    "chalicelib.projects.calendar_pages",
    "chalicelib.projects.recruiting.routes",
    "chalicelib.projects.recruiting.actuals_routes",
    "chalicelib.projects.recruiting.pages",
    "chalicelib.projects.recruiting.application_pages",
    "chalicelib.projects.recruiting.actuals_pages",
    "chalicelib.ops.pages",
)
TABLE = Path(__file__).with_name("route_table.json")
# Modules that register something when imported that others need before their own first request.
# The error page of a path prefix: a refusal there (a CSRF failure in the middleware, say) may come
# before any of its routes ran. Registered here with a stand-in; the module's import replaces it.
ERROR_PAGES: dict[str, str] = {
    "/": "chalicelib.shell.pages",
    "/r": "chalicelib.surveys.respond_pages",
    "/s": "chalicelib.sharing.pages",
}
# Imported before a module's first request, for what they register when imported: a respondent's
# link opened at /s/ is sent on to the page the surveys slice registers for its link kind
# (sharing.external.register_page); a file's page shows the share panel that sharing provides
# (files.pages.provide_share_panel); every page's header comes from the shell (layout.provide).
TOGETHER: dict[str, tuple[str, ...]] = {
    "chalicelib.sharing.pages": ("chalicelib.surveys.respond_pages",),
    "chalicelib.files.pages": ("chalicelib.sharing.staff_pages",),
    # A share link's and a survey's page show the mute toggle the notifications slice provides
    # (core.mute_toggle.provide, in notifications.mute_pages).
    "chalicelib.sharing.staff_pages": ("chalicelib.notifications.mute_pages",),
    "chalicelib.surveys.pages": ("chalicelib.notifications.mute_pages",),
    "chalicelib.surveys.answer_pages": ("chalicelib.notifications.mute_pages",),
}
LAYOUT = "chalicelib.shell.pages"
_OPTIONS = {"name_prefix": None, "url_prefix": None}  # what Chalice.register_blueprint passes


@dataclass(frozen=True)
class Route:
    path: str
    method: str
    module: str
    name: str
    content_types: tuple[str, ...]


def companions(module_name: str) -> tuple[str, ...]:
    """What must be imported before `module_name` serves its first request."""
    layout = (LAYOUT,) if module_name.endswith("pages") and module_name != LAYOUT else ()
    return layout + TOGETHER.get(module_name, ())


def _scratch_app() -> Any:
    from chalice import Chalice

    return Chalice(app_name="kumo-routes")


_entries: dict[str, dict[tuple[str, str], Any]] = {}


def _registered(module_name: str) -> dict[tuple[str, str], Any]:
    """One module's routes as Chalice registers them, by (path, method), once per process.

    A blueprint can be registered only once: Chalice pops `methods` from the route's stored
    arguments as it registers it, so a second registration would read every route as a GET.
    """
    if module_name not in _entries:
        scratch = _scratch_app()
        importlib.import_module(module_name).bp.register(scratch, dict(_OPTIONS))
        _entries[module_name] = {
            (path, method): entry for path, methods in scratch.routes.items() for method, entry in methods.items()
        }
    return _entries[module_name]


def declared_routes() -> list[Route]:
    """Every route the modules declare (this imports them all: for the table, never at run time)."""
    found = []
    for module_name in MODULES:
        for (path, method), entry in _registered(module_name).items():
            # The stand-ins carry only these; a route that needs more must be added here first.
            if entry.authorizer is not None or entry.api_key_required or entry.cors:
                raise ValueError(f"{method} {path}: authorizers, API keys and CORS are not in the route table")
            found.append(Route(path, method, module_name, entry.view_name, tuple(entry.content_types)))
    return found


def render(routes: list[Route]) -> str:
    """The table as written to route_table.json: one route a line, so merges stay readable."""
    lines = [json.dumps(asdict(r), ensure_ascii=False, separators=(", ", ": ")) for r in routes]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def table() -> list[Route]:
    return [
        Route(r["path"], r["method"], r["module"], r["name"], tuple(r["content_types"]))
        for r in json.loads(TABLE.read_text(encoding="utf-8"))
    ]


class _Views:
    """The real views of the modules imported so far, by (path, method)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.views: dict[tuple[str, str], Callable[..., Any]] = {}
        self.loaded: set[str] = set()
        self.lock = threading.Lock()

    def view(self, route: Route) -> Callable[..., Any]:
        key = (route.path, route.method)
        if key not in self.views:
            with self.lock:
                if route.module not in self.loaded:
                    for companion in companions(route.module):
                        importlib.import_module(companion)
                    entries = _registered(route.module)
                    # The views read the request through their blueprint: point it at the real app.
                    sys.modules[route.module].bp._current_app = self.app
                    self.views.update({k: e.view_function for k, e in entries.items()})
                    self.loaded.add(route.module)
        if key not in self.views:
            raise LookupError(f"{route.method} {route.path} is in route_table.json but not in {route.module}")
        return self.views[key]


def _stand_in(views: _Views, route: Route) -> Callable[..., Any]:
    def view(*args: Any, **kwargs: Any) -> Any:
        return views.view(route)(*args, **kwargs)

    view.__name__ = view.__qualname__ = route.name
    view.__module__ = route.module
    # contract.declared() follows this to the real view (its declared operation).
    view.kumo_view = lambda: views.view(route)  # type: ignore[attr-defined]
    return view


def _error_page(module_name: str) -> Callable[..., Any]:
    def render(*args: Any) -> Any:
        return importlib.import_module(module_name).error_page(*args)

    return render


def register(app: Any) -> None:
    """Every route of the table on `app`, each behind a stand-in that imports its module on first use."""
    from chalicelib.core import error_pages

    for prefix, module_name in ERROR_PAGES.items():
        error_pages.register(prefix, _error_page(module_name))
    views = _Views(app)
    for route in table():
        app.route(route.path, methods=[route.method], name=route.name, content_types=list(route.content_types))(
            _stand_in(views, route)
        )


def main(argv: list[str]) -> int:
    text = render(declared_routes())
    if argv[1:] == ["--write"]:
        TABLE.write_text(text, encoding="utf-8")
        print(f"{TABLE.name}: {text.count(chr(10)) - 2} routes")
        return 0
    if argv[1:] == ["--check"]:
        stale = not TABLE.exists() or TABLE.read_text(encoding="utf-8") != text
        print(f"{TABLE.name} is stale: run `make routes`" if stale else f"{TABLE.name} is up to date")
        return 1 if stale else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
