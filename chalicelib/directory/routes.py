"""JSON API of the directory: departments (部局), every org unit, and department notices."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import require_signed_in
from chalicelib.core.contract import operation
from chalicelib.directory import service
from chalicelib.directory.org import Tree
from chalicelib.directory.schemas import DepartmentsOut, NewNotice, NoticeOut, NoticesOut, UnitsOut

bp = Blueprint(__name__)


@bp.route("/api/departments")
@operation("Every department", returns=DepartmentsOut, tag="directory")
def departments() -> Response:
    require_signed_in(web.principal())
    language = web.state().language
    answer: DepartmentsOut = {
        "items": [
            {"department_id": d.department_id, "name": d.name(language), "name_ja": d.name_ja, "name_en": d.name_en}
            for d in service.list_departments()
        ]
    }
    return web.json_response(answer)


@bp.route("/api/units")
@operation("Every org unit (部局, 所属, 係), 部局 first, in display order", returns=UnitsOut, tag="directory")
def units() -> Response:
    require_signed_in(web.principal())
    language = web.state().language
    units = service.list_units()
    tree = Tree.of(units)
    answer: UnitsOut = {
        "items": [
            {
                "unit_id": u.unit_id,
                "name": u.name(language),
                "name_ja": u.name_ja,
                "name_en": u.name_en,
                "kind": u.kind.value,
                "parent_id": u.parent_id,
                "path": list(tree.path(u.unit_id)),
                "short_name": u.short_name,
            }
            for u in units
        ]
    }
    return web.json_response(answer)


def _notice_json(n: service.Notice) -> NoticeOut:
    return {
        "notice_id": n.notice_id,
        "title": n.title,
        "body": n.body,
        "author_name": n.author_name,
        "created_at": n.created_at.isoformat(),
    }


@bp.route("/api/departments/{department_id}/notices")
@operation("A department's notices", returns=NoticesOut, tag="directory")
def notices(department_id: str) -> Response:
    return web.json_response({"items": [_notice_json(n) for n in service.list_notices(web.principal(), department_id)]})


@bp.route("/api/departments/{department_id}/notices", methods=["POST"])
@operation(
    "Post a notice (the department's administrators)", body=NewNotice, returns=NoticeOut, status=201, tag="directory"
)
def post_notice(department_id: str) -> Response:
    data = web.json_body(bp.current_request)
    notice = service.post_notice(web.principal(), department_id, str(data.get("title", "")), str(data.get("body", "")))
    return web.json_response(_notice_json(notice), status=201)
