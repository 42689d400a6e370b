"""The directory's pages: the organisation (部局 → 所属 → 係 with who holds which post), and a
department's page with its notices, the form an administrator posts them with, and its units."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import require_signed_in
from chalicelib.core.errors import BadRequest
from chalicelib.core.layout import page
from chalicelib.directory import chart, service

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


def _department_page(
    department_id: str, *, status: int = 200, error: str | None = None, title: str = "", body: str = ""
) -> Response:
    principal = web.principal()
    department = service.get_department(department_id)
    return page(
        "department.html",
        status=status,
        department=department,
        department_label=department.name(web.state().language),
        notices=service.list_notices(principal, department_id),
        units=chart.chart(department_id),
        can_post=bool(principal and principal.administers(department_id)),
        error=error,
        form_title=title,
        form_body=body,
    )


@bp.route("/directory")
def directory() -> Response:
    require_signed_in(web.principal())
    return page("directory.html", units=chart.chart())


@bp.route("/departments/{department_id}")
def department(department_id: str) -> Response:
    return _department_page(department_id)


@bp.route("/departments/{department_id}/notices", methods=["POST"], content_types=FORM)
def post_notice(department_id: str) -> Response:
    from chalicelib.core.i18n import gettext_for

    data = web.form(bp.current_request)
    try:
        service.post_notice(web.principal(), department_id, data.get("title", ""), data.get("body", ""))
    except BadRequest as err:
        return _department_page(
            department_id,
            status=400,
            error=err.text(gettext_for(web.state().language)),
            title=data.get("title", "")[:200],
            body=data.get("body", "")[:5000],
        )
    return web.redirect(f"/departments/{department_id}?posted=1")
