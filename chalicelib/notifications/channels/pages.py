"""The chat channel pages of a 所属 (/units/{id}/channels) and of a project
(/projects/{id}/channels): list, connect, test, pause, resume, delete, and each channel's log.
Every action goes through service.py, which checks who may."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import require_signed_in
from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.i18n import gettext_for
from chalicelib.core.layout import page
from chalicelib.notifications import kinds
from chalicelib.notifications.channels import service
from chalicelib.notifications.channels.model import TYPE_LABELS, Scope, project, unit
from chalicelib.notifications.channels.texts import TITLES

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
DONE = {"tested", "test_failed", "paused", "resumed", "deleted"}


def _groups(scope: Scope) -> list[tuple[str, list[str]]]:
    """The scope's kinds in kinds.py's groups (surveys for a 所属, projects for a project)."""
    found = []
    for group, members in kinds.grouped():
        keys = [k.key for k in members if k.key in scope.kinds]
        if keys:
            found.append((group, keys))
    return found


def _render(
    scope: Scope, *, status: int = 200, error: str = "", secret: str | None = None, form: Any = None
) -> Response:
    p = require_signed_in(web.principal())
    channels = service.list_channels(p, scope)
    params: Any = bp.current_request.query_params or {}
    done = params.get("done") if params.get("done") in DONE else ""
    return page(
        "channels.html",
        status=status,
        scope=scope,
        scope_name=service.scope_name(scope),
        channels=channels,
        logs={c.channel_id: service.attempts(c.channel_id) for c in channels},
        groups=_groups(scope),
        group_labels=kinds.GROUPS,
        titles=TITLES,
        types=TYPE_LABELS,
        error=error,
        secret=secret,
        form=form or {},
        done=done,
    )


def _connect(scope: Scope) -> Response:
    p = require_signed_in(web.principal())
    sent = web.form_lists(bp.current_request)
    first: dict[str, str] = {k: v[0] for k, v in sent.items() if v}
    data = service.ChannelIn(
        type=first.get("type", ""),
        name=first.get("name", ""),
        url=first.get("url", ""),
        kinds=tuple(sent.get("kinds", [])),
    )
    try:
        connected = service.connect(p, scope, data)
    except (BadRequest, Conflict) as err:
        _ = gettext_for(web.state().language)
        form = {"type": data.type, "name": data.name, "kinds": set(data.kinds)}  # never the URL back
        return _render(scope, status=err.status, error=err.text(_), form=form)
    return _render(scope, status=201, secret=connected.secret)


def _act(channel_id: str, action: str) -> Response:
    p = require_signed_in(web.principal())
    channel = service.get(p, unquote(channel_id))
    done = action
    if action == "tested":
        done = "tested" if service.send_test(p, channel.channel_id).ok else "test_failed"
    elif action == "paused":
        service.pause(p, channel.channel_id)
    elif action == "resumed":
        service.resume(p, channel.channel_id)
    elif action == "deleted":
        service.delete(p, channel.channel_id)
    return web.redirect(f"{channel.scope.page}?done={done}#channel-{channel.channel_id}")


@bp.route("/units/{unit_id}/channels")
def unit_channels(unit_id: str) -> Response:
    return _render(unit(unquote(unit_id)))


@bp.route("/units/{unit_id}/channels", methods=["POST"], content_types=FORM)
def unit_connect(unit_id: str) -> Response:
    return _connect(unit(unquote(unit_id)))


@bp.route("/projects/{project_id}/channels")
def project_channels(project_id: str) -> Response:
    return _render(project(unquote(project_id)))


@bp.route("/projects/{project_id}/channels", methods=["POST"], content_types=FORM)
def project_connect(project_id: str) -> Response:
    return _connect(project(unquote(project_id)))


@bp.route("/channels/{channel_id}/test", methods=["POST"], content_types=FORM)
def test(channel_id: str) -> Response:
    return _act(channel_id, "tested")


@bp.route("/channels/{channel_id}/pause", methods=["POST"], content_types=FORM)
def pause(channel_id: str) -> Response:
    return _act(channel_id, "paused")


@bp.route("/channels/{channel_id}/resume", methods=["POST"], content_types=FORM)
def resume(channel_id: str) -> Response:
    return _act(channel_id, "resumed")


@bp.route("/channels/{channel_id}/delete", methods=["POST"], content_types=FORM)
def delete(channel_id: str) -> Response:
    return _act(channel_id, "deleted")
