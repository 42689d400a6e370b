"""JSON API of the inbox."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.contract import operation
from chalicelib.core.i18n import gettext_for
from chalicelib.notifications import service, texts
from chalicelib.notifications.schemas import InboxOut, NotificationOut, UnreadOut

bp = Blueprint(__name__)


def _as_json(n: service.Notification, language: str) -> NotificationOut:
    return {
        "id": n.notification_id,
        "kind": n.kind,
        "text": texts.render(n.kind, n.params, gettext_for(language)),
        "link": n.link,
        "created_at": n.created_at.isoformat(),
        "read_at": n.read_at.isoformat() if n.read_at else None,
    }


@bp.route("/api/notifications")
@operation("The inbox", returns=InboxOut, tag="notifications")
def list_notifications() -> Response:
    state = web.state()
    items, unread = service.inbox_with_unread(state.principal)
    return web.json_response({"items": [_as_json(n, state.language) for n in items], "unread": unread})


@bp.route("/api/notifications/unread-count")
@operation("How many are unread", returns=UnreadOut, tag="notifications")
def unread_count() -> Response:
    return web.json_response({"unread": service.unread_count(web.principal())})


@bp.route("/api/notifications/{notification_id}/read", methods=["POST"])
@operation("Mark one read", returns=UnreadOut, tag="notifications")
def mark_read(notification_id: str) -> Response:
    service.mark_read(web.principal(), notification_id)
    return web.json_response({"unread": service.unread_count(web.principal())})


@bp.route("/api/notifications/read-all", methods=["POST"])
@operation("Mark all read", returns=UnreadOut, tag="notifications")
def mark_all_read() -> Response:
    service.mark_all_read(web.principal())
    return web.json_response({"unread": 0})
