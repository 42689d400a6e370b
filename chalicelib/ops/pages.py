"""The system administrators' pages: /admin (what there is to administer) and
/admin/notifications (delivery health, queue and DLQ depths, replaying a DLQ). ops/health.py and
ops/dlq.py refuse anyone else; the page only renders what they answer."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Principal, Role, require_role, require_signed_in
from chalicelib.core.errors import BadRequest
from chalicelib.core.i18n import gettext_for
from chalicelib.core.i18n_markers import N_
from chalicelib.core.layout import page
from chalicelib.notifications import kinds
from chalicelib.ops import dlq, health

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
AREA = "admin"
HEALTH = "/admin/notifications"
# The counters' channel names (notifications/stats.py) as a reader sees them.
CHANNELS = {
    "inbox": N_("In-app inbox"),
    "mail": N_("Mail"),
    "digest": N_("Daily digest"),
    "teams": N_("Microsoft Teams"),
    "slack": N_("Slack"),
    "logochat": N_("LoGo Chat"),
    "webhook": N_("Webhook"),
}
QUEUE_NAMES = {
    "notify": N_("Notifications"),
    "mail": N_("Notice mails"),
    "index": N_("Search indexing"),
    "scan": N_("Malware scans"),
    "channels": N_("Chat channels"),
}


def _me() -> Principal:
    return require_signed_in(web.principal())


@bp.route("/admin")
def admin_index() -> Response:
    require_role(_me(), Role.SYSTEM_ADMIN)
    return page("admin/index.html", current_area=AREA)


def _kind_label(key: str) -> str:
    spec = kinds.kind(key)
    return gettext_for(web.state().language)(spec.label) if spec else key


def _channel_label(key: str) -> str:
    return gettext_for(web.state().language)(CHANNELS[key]) if key in CHANNELS else key


def _queue_label(key: str) -> str:
    return gettext_for(web.state().language)(QUEUE_NAMES[key]) if key in QUEUE_NAMES else key


@bp.route(HEALTH)
def notifications_health() -> Response:
    return _health()


def _health(*, status: int = 200, error: str = "") -> Response:
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    report = health.delivery_health(_me())
    replayed = params.get("replayed", "")
    return page(
        "admin/notifications.html",
        status=status,
        current_area=AREA,
        health=report,
        kind_label=_kind_label,
        channel_label=_channel_label,
        queue_label=_queue_label,
        error=error,
        replayed=int(replayed) if replayed.isdigit() else None,
        replayed_queue=params.get("queue", "") if params.get("queue", "") in dlq.QUEUES else "",
        default_max=dlq.DEFAULT_MAX,
        limit=dlq.LIMIT,
    )


@bp.route(HEALTH + "/replay", methods=["POST"], content_types=FORM)
def replay_dead_letters() -> Response:
    data: dict[str, Any] = web.form(bp.current_request)
    queue = str(data.get("queue", ""))
    try:
        count = int(str(data.get("max", dlq.DEFAULT_MAX)) or dlq.DEFAULT_MAX)
    except ValueError:
        count = 0  # refused by the service with its own message
    try:
        done = dlq.replay(_me(), queue, count)
    except BadRequest as err:
        return _health(status=err.status, error=err.text(gettext_for(web.state().language)))
    return web.redirect(f"{HEALTH}?replayed={done.moved}&queue={quote(done.queue)}")
