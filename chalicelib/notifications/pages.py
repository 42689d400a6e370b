"""The notification inbox page."""

from __future__ import annotations

from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.layout import page
from chalicelib.notifications import service

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


@bp.route("/notifications")
def inbox() -> Response:
    return page("notifications.html", current_area="notifications", items=service.inbox(web.principal()))


@bp.route("/notifications/read-all", methods=["POST"], content_types=FORM)
def read_all() -> Response:
    service.mark_all_read(web.principal())
    return web.redirect("/notifications")


@bp.route("/notifications/{notification_id}/read", methods=["POST"], content_types=FORM)
def read_one(notification_id: str) -> Response:
    service.mark_read(web.principal(), unquote(notification_id))
    target = web.form(bp.current_request).get("next")
    return web.redirect(web.safe_next(target, default="/notifications"))
