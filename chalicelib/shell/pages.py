"""Home, language switch, static assets, health check, and the header's contents."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import error_pages, i18n, layout, web
from chalicelib.core.auth import Principal
from chalicelib.core.config import settings
from chalicelib.core.errors import NotFound
from chalicelib.core.layout import page

bp = Blueprint(__name__)
AREAS = (
    # (key, path) — the five areas of the product, 公募 beside its projects, and 自分のタスク, in order
    ("files", "/files"),
    ("search", "/search"),
    ("surveys", "/surveys"),
    ("projects", "/projects"),
    ("recruitments", "/recruitments"),
    ("my_tasks", "/my/tasks"),  # 自分のタスク: the person's cards across projects, and their calendar
    ("notifications", "/notifications"),
)
FORM = ["application/x-www-form-urlencoded"]
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
HOME_SURVEYS = 8  # the 所属's open surveys on the home page; the rest are on /surveys
STATIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


@layout.provide
def header(principal: Principal | None, language: str) -> dict[str, Any]:
    """What every page's header shows: the areas, the person's 所属, their unread notices."""
    from chalicelib.directory import service as directory
    from chalicelib.notifications import service as notifications
    from chalicelib.notifications import texts

    translate = i18n.gettext_for(language)
    return {
        "areas": AREAS,
        # Where the person works: their main 所属 with its 部局 (総務部 財政課), from the cached tree.
        "department_name": directory.full_name(principal.unit_id, language) if principal else None,
        "unread_count": notifications.unread_count(principal) if principal else None,
        "render_notification": lambda n: texts.render(n.kind, n.params, translate),
    }


def error_page(message: str, status: int, state: web.RequestState) -> Response:
    """Errors on staff pages keep the layout: the areas and who is signed in (no unread count:
    the error may be the database being away, and this page must not fail with it)."""
    from chalicelib.directory import service as directory

    who = directory.full_name(state.principal.unit_id, state.language) if state.principal else None
    return error_pages.staff_page(message, status, state, areas=AREAS, department_name=who)


error_pages.register("/", error_page)


@bp.route("/")
def home() -> Response:
    from chalicelib.directory import service as directory
    from chalicelib.notifications import service as notifications
    from chalicelib.surveys import views as surveys
    from chalicelib.surveys.states import BOARD_LABELS

    principal = web.principal()
    assert principal is not None  # the middleware lets no anonymous request through
    return page(
        "home.html",
        current_area=None,
        recent=notifications.inbox(principal, limit=5),
        notices=directory.list_notices(principal, principal.department_id, limit=5),
        surveys=surveys.to_answer_rows(principal, web.state().language, open_only=True)[:HOME_SURVEYS],
        board_labels=BOARD_LABELS,
    )


@bp.route("/language", methods=["POST"], content_types=FORM)
def switch_language() -> Response:
    data = web.form(bp.current_request)
    language = data.get("language", "")
    if language not in i18n.LANGUAGES:
        language = settings().default_language
    cookie = web.cookie(i18n.LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, http_only=False)
    return web.redirect(web.safe_next(data.get("next")), set_cookies=[cookie])


@bp.route("/static/{name}")
def static(name: str) -> Response:
    return _static_file("", name)


@bp.route("/static/vendor/{name}")
def vendor_static(name: str) -> Response:
    """Third-party browser bundles, copied from frontend/node_modules by `make vendor`."""
    return _static_file("vendor", name)


def _static_file(folder: str, name: str) -> Response:
    suffix = Path(name).suffix
    if not STATIC_NAME.match(name) or suffix not in STATIC_TYPES:
        raise NotFound("This file does not exist.")
    path = settings().frontend_dir / "static" / folder / name
    if not path.is_file():
        raise NotFound("This file does not exist.")
    content_type = STATIC_TYPES[suffix]
    body: str | bytes = path.read_bytes() if content_type.startswith("image/") else path.read_text("utf-8")
    return Response(
        body=body, status_code=200, headers={"Content-Type": content_type, "Cache-Control": "public, max-age=300"}
    )


@bp.route("/healthz")
def healthz() -> Response:
    return web.json_response({"status": "ok"})
