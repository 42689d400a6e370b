"""Render a page inside the layout (base.html): the signed-in person, the header, the navigation.

core knows no feature, so what the header says that a feature owns (the department's name, the
unread count, the areas of the product) comes from providers that the owning slice registers
here when it is imported (the shell does, in chalicelib/shell/pages.py). Error pages are
registered the same way, in core/error_pages.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.core import templating, web
from chalicelib.core.auth import Principal

# (the signed-in principal or None, the page's language) -> names the layout template reads
HeaderProvider = Callable[[Principal | None, str], dict[str, Any]]
_providers: list[HeaderProvider] = []


def provide(provider: HeaderProvider) -> HeaderProvider:
    """Register what a slice adds to every page's layout (usable as a decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def page(template: str, *, status: int = 200, current_area: str | None = None, **context: Any) -> Response:
    state = web.state()
    principal = state.principal
    names: dict[str, Any] = {
        "principal": principal,
        "csrf_token": state.csrf_token,
        "current_area": current_area,
        "current_path": state.path,
    }
    for provider in _providers:
        names.update(provider(principal, state.language))
    names.update(context)
    return web.html(templating.render(template, state.language, **names), status=status)
