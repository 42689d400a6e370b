"""The one way an error reaches a person: JSON for the API, a Kumo page for a browser.

Every refusal and failure (a KumoError from a service, a crash, an unknown path, Chalice's own
405/415) ends in `respond`. Under /api/, or when the client asks for JSON, the answer is the
error's JSON shape; otherwise it is a page in the reader's language with a title, the page's
language and a way home. A feature with pages of its own registers its error page for its
path prefix here (the shell's layout for "/", the partners' page for /s/); core imports no
feature, and `staff_page` below is what is left when none is registered.

Rendering an error page must not fail in turn (the error may be the database being away): a
renderer that raises is logged and the plain built-in page below is sent instead.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.core import i18n, web
from chalicelib.core.errors import KumoError
from chalicelib.core.i18n_markers import N_

# (message in the reader's language, status, the request's state) -> the page
Renderer = Callable[[str, int, web.RequestState], Response]

SERVER_ERROR = N_("Something went wrong on our side. Try again later.")
UNKNOWN_PATH = N_("This page does not exist. Check the address, or start again from the home page.")
# What API Gateway (the `/{proxy+}` resource in infra/) and the local server name as the
# resource of a path no route matches: such a request reaches the app only to be answered 404.
UNKNOWN_ROUTE = "/{proxy+}"

_renderers: list[tuple[str, Renderer]] = []


def register(prefix: str, renderer: Renderer) -> None:
    """Pages under `prefix` (a path like "/s": itself and everything below it) get this renderer."""
    _renderers[:] = [(p, r) for p, r in _renderers if p != prefix] + [(prefix, renderer)]
    _renderers.sort(key=lambda pair: len(pair[0]), reverse=True)  # the most specific first


def renderer_for(path: str) -> Renderer:
    for prefix, renderer in _renderers:
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            return renderer
    return staff_page


def wants_json(path: str, accept: str | None) -> bool:
    """API clients get JSON; so does anything that asks for JSON rather than a page."""
    if path == "/api" or path.startswith("/api/"):
        return True
    accept = (accept or "").lower()
    return "application/json" in accept and "text/html" not in accept


def respond(
    path: str, accept: str | None, err: KumoError, state: web.RequestState, status: int | None = None
) -> Response:
    code = status or err.status
    translate = i18n.gettext_for(state.language)
    if wants_json(path, accept):
        return web.json_response(err.to_dict(translate), status=code)
    message = err.text(translate)
    for render in (renderer_for(path), staff_page):
        try:
            return render(message, code, state)
        except Exception:  # the error page itself failed: a simpler one, never a bare 500
            from chalicelib.core.observability import logger

            logger.exception("error page failed", extra={"status": code})
    return plain_page(message, code, state.language)


def staff_page(message: str, status: int, state: web.RequestState, **layout: Any) -> Response:
    """The staff layout's error page, signed in or not. `layout` is what the shell adds (its
    navigation, the department's name); without it nothing is looked up that could fail again.

    Signed out (401), a page sends the person to sign in and then back here.
    """
    from urllib.parse import quote

    from chalicelib.core import templating

    if status == 401:
        return web.redirect("/login?next=" + quote(state.path, safe=""), status=302)
    context: dict[str, Any] = {"unread_count": None, "department_name": None, **layout}
    body = templating.render(
        "error.html",
        state.language,
        status=status,
        message=message,
        principal=state.principal,
        csrf_token=state.csrf_token,
        current_path=state.path,
        **context,
    )
    return web.html(body, status=status)


def plain_page(message: str, status: int, language: str) -> Response:
    _ = i18n.gettext_for(language)
    title, home = html.escape(_("Error")), html.escape(_("Back to the home page"))
    body = (
        f'<!doctype html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} {status} | Kumo</title></head><body><main>"
        f"<h1>{title} {status}</h1><p>{html.escape(message)}</p>"
        f'<p><a href="/">{home}</a></p></main></body></html>'
    )
    return web.html(body, status=status)


def chalice_error(response: Any) -> KumoError | None:
    """Chalice's own error answers (405, 415, a response it refused) as a KumoError, else None.

    Chalice builds these before or after the view, where no Kumo code runs; their bodies are
    `{"Code": ..., "Message": ...}` in English.
    """
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return None
    if response.status_code == 405:
        return KumoError("This address does not take that kind of request.")
    if response.status_code == 415:
        return KumoError("The request's content type is not one this address takes.")
    if response.status_code >= 500:
        return KumoError(SERVER_ERROR)
    return KumoError("The request could not be read.")
