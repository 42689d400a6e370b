"""Render a page inside the shell layout (signed-in person, department, unread count)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.core import templating, web
from chalicelib.core.errors import NotFound

AREAS = (
    # (key, path, msgid) — the five areas of the product, in navigation order
    ("files", "/files"),
    ("search", "/search"),
    ("surveys", "/surveys"),
    ("projects", "/projects"),
    ("notifications", "/notifications"),
)


def department_name(department_id: str, language: str) -> str:
    from chalicelib.directory import service as directory

    try:
        return directory.get_department(department_id).name(language)
    except NotFound:
        return department_id


def page(template: str, *, status: int = 200, current_area: str | None = None, **context: Any) -> Response:
    from chalicelib.core.i18n import gettext_for
    from chalicelib.notifications import service as notifications
    from chalicelib.notifications import texts

    state = web.state()
    principal = state.principal
    body = templating.render(
        template, state.language,
        principal=principal,
        department_name=department_name(principal.department_id, state.language) if principal else None,
        unread_count=notifications.unread_count(principal) if principal else None,
        csrf_token=state.csrf_token,
        areas=AREAS,
        current_area=current_area,
        current_path=state.path,
        render_notification=lambda n: texts.render(n.kind, n.params, gettext_for(state.language)),
        **context,
    )
    return web.html(body, status=status)
