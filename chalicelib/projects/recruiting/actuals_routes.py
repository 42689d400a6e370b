"""JSON API of 実績 and of the time-share settings: a member's monthly form, the 所属長's view of
their staff, and for system administrators the caps, the lock and the plan-vs-actual export."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.contract import operation, parse_body
from chalicelib.projects.recruiting import actuals, caps, reports, shapes
from chalicelib.projects.recruiting.schemas import (
    ActualIn,
    ActualRowOut,
    ActualsMonthQuery,
    ActualsOut,
    CapIn,
    CapSettingsOut,
    LockIn,
    PeriodQuery,
    StaffTimesOut,
    TimeShareCp932Out,
    TimeShareExportQuery,
)

bp = Blueprint(__name__)
TAG = "recruiting"
ADMIN = "/api/admin/time-shares"


def _me() -> Principal:
    return require_signed_in(web.principal())


def _language() -> str:
    return web.state().language


def _params() -> dict[str, str]:
    return {str(k): str(v) for k, v in dict(bp.current_request.query_params or {}).items()}


@bp.route("/api/actuals")
@operation(
    "Your 実績 form for a month: each project's plan and what you recorded",
    query=ActualsMonthQuery,
    returns=ActualsOut,
    tag=TAG,
)
def month_actuals() -> Response:
    found = actuals.month_form(_me(), _params().get("month") or None)
    language = _language()
    out: ActualsOut = {
        "month": found.month,
        "rows": [shapes.row_json(r, language) for r in found.rows],
        "months": list(found.months),
        "locked_through": found.locked_through,
    }
    return web.json_response(out)


@bp.route("/api/actuals/{month}/{project_id}", methods=["PUT"])
@operation(
    "Record a month's 実績 for a project (a share in %, hours, or both)", body=ActualIn, returns=ActualRowOut, tag=TAG
)
def record_actual(month: str, project_id: str) -> Response:
    body = parse_body(ActualIn, web.json_body(bp.current_request))
    row = actuals.record(_me(), month, project_id, percent=body.actual_percent, hours=body.actual_hours)
    return web.json_response(shapes.row_json(row, _language()))


@bp.route("/api/actuals/staff")
@operation("Your staff's outside commitments and 実績 (所属長)", returns=StaffTimesOut, tag=TAG)
def staff_actuals() -> Response:
    language = _language()
    out: StaffTimesOut = {"items": [shapes.staff_json(s, language) for s in actuals.staff_overview(_me())]}
    return web.json_response(out)


def _caps(found: caps.CapSettings) -> Response:
    out: CapSettingsOut = shapes.caps_json(found, _language())
    return web.json_response(out)


@bp.route(ADMIN)
@operation("The time-share caps and the 実績 lock (system administrators)", returns=CapSettingsOut, tag=TAG)
def read_caps() -> Response:
    return _caps(caps.read(_me()))


@bp.route(ADMIN + "/default", methods=["PUT"])
@operation("Set the default cap on a person's committed share (%)", body=CapIn, returns=CapSettingsOut, tag=TAG)
def set_default_cap() -> Response:
    body = parse_body(CapIn, web.json_body(bp.current_request))
    return _caps(caps.set_default(_me(), body.cap_percent))


@bp.route(ADMIN + "/units/{unit_id}", methods=["PUT"])
@operation("Give a 所属 a cap of its own (%)", body=CapIn, returns=CapSettingsOut, tag=TAG)
def set_unit_cap(unit_id: str) -> Response:
    body = parse_body(CapIn, web.json_body(bp.current_request))
    return _caps(caps.set_unit(_me(), unit_id, body.cap_percent))


@bp.route(ADMIN + "/units/{unit_id}", methods=["DELETE"])
@operation("A 所属 goes back to the default cap", returns=CapSettingsOut, tag=TAG)
def clear_unit_cap(unit_id: str) -> Response:
    return _caps(caps.clear_unit(_me(), unit_id))


@bp.route(ADMIN + "/lock", methods=["PUT"])
@operation("Lock 実績 up to and including a month (null: unlock)", body=LockIn, returns=CapSettingsOut, tag=TAG)
def set_lock() -> Response:
    body = parse_body(LockIn, web.json_body(bp.current_request))
    return _caps(caps.set_lock(_me(), body.locked_through))


@bp.route(ADMIN + "/export")
@operation(
    "Plan vs actual per 所属 and person for a period: XLSX or CSV (UTF-8 with BOM, or cp932); "
    "answers 303 to a short-lived URL of the file",
    query=TimeShareExportQuery,
    status=303,
    tag=TAG,
)
def export() -> Response:
    params = _params()
    url = reports.download_url(
        _me(),
        params.get("from", ""),
        params.get("to", ""),
        fmt=params.get("format") or "xlsx",
        encoding=params.get("encoding") or "utf-8",
        language=_language(),
    )
    return Response(body="", status_code=303, headers={"Location": url, "Cache-Control": "no-store"})


@bp.route(ADMIN + "/export/cp932")
@operation(
    "What a Shift_JIS (cp932) CSV of the period could not hold", query=PeriodQuery, returns=TimeShareCp932Out, tag=TAG
)
def cp932_report() -> Response:
    params = _params()
    problems = reports.cp932_report(_me(), params.get("from", ""), params.get("to", ""), _language())
    out: TimeShareCp932Out = {
        "problems": [{"where": x.where, "char": x.char, "codepoint": x.codepoint} for x in problems]
    }
    return web.json_response(out)
