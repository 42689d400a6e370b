"""The 公募 pages: the list every staff member browses and filters, a 公募 with its apply form (and,
for its project's owners, the applications to decide on), posting a new one, and my applications.

Everything is a plain GET page or a form POSTed here and answered 303 with what was done, as on
the survey pages, so it works without JavaScript and a reload never sends a form again; a refusal
the person can fix shows the page again with the reason. Who may see what is decided by the
use-case modules: anything else answers the site's 404 page.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, KumoError
from chalicelib.core.i18n import gettext_for
from chalicelib.core.layout import page
from chalicelib.projects.recruiting import applications, page_views, postings
from chalicelib.projects.recruiting.routes import share_filter

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
FIXABLE = (BadRequest, Conflict, Forbidden)
AREA = "recruitments"
DONE = ("posted", "applied", "closed", "withdrawn", "withdrawn-application")


def me() -> Principal:
    return require_signed_in(web.principal())


def language() -> str:
    return web.state().language


def error_text(err: KumoError) -> str:
    return err.text(gettext_for(language()))


def query(name: str) -> str:
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    return str(params.get(name) or "")


def done() -> str:
    value = query("done")
    return value if value in DONE else ""


def recruitment_path(recruitment_id: str, *rest: str) -> str:
    return "/".join(["/recruitments", quote(recruitment_id, safe=""), *rest])


@bp.route("/recruitments")
def recruitments() -> Response:
    try:
        share = share_filter(query("share"))
    except BadRequest:
        share = None
    f = postings.ListFilter(tag=query("tag"), share_max=share, department_id=query("department"), text=query("q"))
    context = page_views.list_context(me(), f, language())
    return page("projects/recruitments.html", current_area=AREA, subnav="list", done=done(), **context)


# --- posting ----------------------------------------------------------------------------------------


@bp.route("/recruitments/new")
def new_recruitment() -> Response:
    return _new_page(project_id=query("project"))


def _new_page(
    *, status: int = 200, error: str | None = None, values: dict[str, str] | None = None, project_id: str = ""
) -> Response:
    p = me()
    choices = page_views.manageable_projects(p)
    return page(
        "projects/recruitment_new.html",
        status=status,
        current_area=AREA,
        subnav="list",
        error=error,
        projects=choices,
        values={"project_id": project_id, "share_percent": "20", "positions": "1", **(values or {})},
    )


def _whole(value: str, field: str, high: int) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise BadRequest(
            "{field} must be a whole number from {low} to {high}.", field=field, low=1, high=high
        ) from None


@bp.route("/recruitments", methods=["POST"], content_types=FORM)
def post_recruitment() -> Response:
    data = web.form(bp.current_request)
    try:
        draft = postings.RecruitmentDraft(
            project_id=data.get("project_id", ""),
            title=data.get("title", ""),
            needs=data.get("needs", ""),
            tags=tuple(t for t in data.get("tags", "").replace("、", ",").split(",")),
            share_percent=_whole(data.get("share_percent", ""), "share_percent", 100),
            period_start=data.get("period_start", ""),
            period_end=data.get("period_end", ""),
            positions=_whole(data.get("positions", ""), "positions", postings.POSITIONS_MAX),
            deadline=data.get("deadline", ""),
        )
        found = postings.post(me(), draft)
    except FIXABLE as err:
        return _new_page(status=err.status, error=error_text(err), values=data, project_id=data.get("project_id", ""))
    return web.redirect(recruitment_path(found.recruitment_id) + "?done=posted")


# --- one 公募 -----------------------------------------------------------------------------------------


@bp.route("/recruitments/mine")
def mine() -> Response:
    context = page_views.mine_context(me(), language())
    return page("projects/my_applications.html", current_area=AREA, subnav="mine", done=done(), **context)


@bp.route("/recruitments/{recruitment_id}")
def recruitment(recruitment_id: str) -> Response:
    return recruitment_page(unquote(recruitment_id), done=done())


def recruitment_page(recruitment_id: str, *, status: int = 200, error: str | None = None, done: str = "") -> Response:
    context = page_views.recruitment_context(me(), recruitment_id, language())
    return page(
        "projects/recruitment.html", status=status, current_area=AREA, subnav="list", error=error, done=done, **context
    )


def _act(recruitment_id: str, action: Callable[[Principal, str, dict[str, str]], str]) -> Response:
    recruitment_id = unquote(recruitment_id)
    data = web.form(bp.current_request)
    try:
        target = action(me(), recruitment_id, data)
    except FIXABLE as err:
        return recruitment_page(recruitment_id, status=err.status, error=error_text(err))
    return web.redirect(target)


@bp.route("/recruitments/{recruitment_id}/apply", methods=["POST"], content_types=FORM)
def apply(recruitment_id: str) -> Response:
    def action(p: Principal, rid: str, data: dict[str, str]) -> str:
        found = applications.apply(p, rid, data.get("message", ""))
        return f"/applications/{found.application_id}?done=applied"

    return _act(recruitment_id, action)


@bp.route("/recruitments/{recruitment_id}/close", methods=["POST"], content_types=FORM)
def close(recruitment_id: str) -> Response:
    return _act(recruitment_id, lambda p, rid, _: (postings.close(p, rid), recruitment_path(rid) + "?done=closed")[1])


@bp.route("/recruitments/{recruitment_id}/withdraw", methods=["POST"], content_types=FORM)
def withdraw(recruitment_id: str) -> Response:
    return _act(
        recruitment_id, lambda p, rid, _: (postings.withdraw(p, rid), recruitment_path(rid) + "?done=withdrawn")[1]
    )
