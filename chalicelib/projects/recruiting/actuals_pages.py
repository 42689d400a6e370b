"""The 実績 form (/actuals: a month's projects, each pre-filled from the plan) and the system
administrator's page of time-share settings (/admin/time-shares: the default cap, 所属 caps, the
lock on 実績, and the plan-vs-actual downloads for a period). Plain forms, 303 after each save."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Role, require_role
from chalicelib.core.errors import BadRequest
from chalicelib.core.layout import page
from chalicelib.projects.recruiting import actuals, caps, page_views
from chalicelib.projects.recruiting.pages import AREA, FIXABLE, FORM, error_text, language, me

bp = Blueprint(__name__)
ADMIN = "/admin/time-shares"
ADMIN_DONE = ("default", "unit", "cleared", "lock")


def _query(name: str) -> str:
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    return str(params.get(name) or "")


@bp.route("/actuals")
def actuals_page() -> Response:
    return _actuals(_query("month") or None, saved=_query("done") == "saved")


def _actuals(
    month: str | None, *, status: int = 200, error: str | None = None, saved: bool = False, values: Any = None
) -> Response:
    p = me()
    try:
        context = page_views.actuals_context(p, month)
    except BadRequest as err:  # a month typed into the address
        context, error, status = page_views.actuals_context(p, None), error_text(err), err.status
    return page(
        "projects/actuals.html",
        status=status,
        current_area=AREA,
        subnav="actuals",
        error=error,
        saved=saved,
        values=values or {},
        **context,
    )


def _whole(text: str, field: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise BadRequest("{field} must be a whole number from {low} to {high}.", field=field, low=0, high=100) from None


def _hours(text: str) -> float | None:
    value = text.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise BadRequest(
            "Hours must be a number from 0 to {limit}.", field="actual_hours", limit=actuals.HOURS_MAX
        ) from None


@bp.route("/actuals", methods=["POST"], content_types=FORM)
def save_actuals() -> Response:
    """Every editable project of the month in one form: rows left empty are left as they were."""
    data = web.form_lists(bp.current_request)
    month = (data.get("month") or [""])[-1]
    p = me()
    try:
        for project_id in data.get("project_id", []):
            percent = _whole((data.get(f"percent_{project_id}") or [""])[-1], "actual_percent")
            hours = _hours((data.get(f"hours_{project_id}") or [""])[-1])
            if percent is None and hours is None:
                continue
            actuals.record(p, month, project_id, percent=percent, hours=hours)
    except FIXABLE as err:
        return _actuals(
            month or None, status=err.status, error=error_text(err), values={k: v[-1] for k, v in data.items()}
        )
    return web.redirect(f"/actuals?month={quote(month)}&done=saved")


# --- the system administrator's settings ------------------------------------------------------------


@bp.route(ADMIN)
def admin_page() -> Response:
    done = _query("done")
    return _admin(done=done if done in ADMIN_DONE else "")


def _admin(*, status: int = 200, error: str | None = None, done: str = "") -> Response:
    p = require_role(me(), Role.SYSTEM_ADMIN)
    first, last = _query("from"), _query("to")
    try:
        context = page_views.admin_context(p, first, last, language())
    except BadRequest as err:
        context, error, status = page_views.admin_context(p, "", "", language()), error_text(err), err.status
    return page(
        "projects/admin_time_shares.html",
        status=status,
        current_area=AREA,
        subnav="admin",
        error=error,
        done=done,
        **context,
    )


def _percent(data: dict[str, str]) -> int:
    value = _whole(data.get("cap_percent", ""), "cap_percent")
    if value is None:
        raise BadRequest("{field} must be a whole number from 0 to 100.", field="cap_percent")
    return value


def _save(action: Any, done: str) -> Response:
    data = web.form(bp.current_request)
    try:
        action(me(), data)
    except FIXABLE as err:
        return _admin(status=err.status, error=error_text(err))
    return web.redirect(f"{ADMIN}?done={done}")


@bp.route(ADMIN + "/default", methods=["POST"], content_types=FORM)
def save_default() -> Response:
    return _save(lambda p, d: caps.set_default(p, _percent(d)), "default")


@bp.route(ADMIN + "/units", methods=["POST"], content_types=FORM)
def save_unit() -> Response:
    return _save(lambda p, d: caps.set_unit(p, d.get("unit_id", ""), _percent(d)), "unit")


@bp.route(ADMIN + "/units/{unit_id}/delete", methods=["POST"], content_types=FORM)
def clear_unit(unit_id: str) -> Response:
    return _save(lambda p, _: caps.clear_unit(p, unquote(unit_id)), "cleared")


@bp.route(ADMIN + "/lock", methods=["POST"], content_types=FORM)
def save_lock() -> Response:
    return _save(lambda p, d: caps.set_lock(p, d.get("locked_through") or None), "lock")
