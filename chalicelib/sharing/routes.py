"""JSON API of share links for staff: create, list, change, revoke, re-issue, audit (CSV too)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.errors import BadRequest
from chalicelib.sharing import audit, links
from chalicelib.sharing.links import Link

bp = Blueprint(__name__)


def link_json(link: Link) -> dict[str, Any]:
    return {"id": link.link_id, "kind": link.kind, "target_id": link.target_id, "target_kind": link.target_kind,
            "owner_id": link.owner_id, "owner_name": link.owner_name, "message": link.message,
            "created_at": link.created_at, "expires_at": link.expires_at.isoformat(),
            "has_password": link.has_password, "max_downloads": link.max_downloads,
            "download_count": link.download_count, "recipients": link.recipients, "verify_email": link.verify_email,
            "notify_on_access": link.notify_on_access, "notify_on_upload": link.notify_on_upload,
            "state": link.state(), "revoked_at": link.revoked_at.isoformat() if link.revoked_at else None,
            "locked_until": link.locked_until.isoformat() if link.locked_until else None}


def _meta() -> dict[str, str | None]:
    request = bp.current_request
    return {"ip": web.client_ip(request), "user_agent": web.header(request, "user-agent")}


def _audit_response(events: list[audit.AuditEvent], filename: str) -> Response:
    params: Any = bp.current_request.query_params or {}
    if params.get("format") == "csv":
        return Response(body=audit.to_csv(events).decode("utf-8"), status_code=200, headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f"attachment; filename=\"audit.csv\"; filename*=UTF-8''{quote(filename)}"})
    return web.json_response({"items": [
        {"at": e.at.isoformat(), "action": e.action, "actor": e.actor, "ip": e.ip, "user_agent": e.user_agent,
         "link_id": e.link_id, "file_id": e.file_id, "object": e.object_name, "detail": e.detail} for e in events]})


@bp.route("/api/shares", methods=["POST"])
def create() -> Response:
    data = web.json_body(bp.current_request)
    issued = links.create(web.principal(), str(data.get("target_id", "")), str(data.get("kind", "download")),
                          data, **_meta())
    return web.json_response({**link_json(issued.link), "url": issued.url}, status=201)


@bp.route("/api/shares")
def list_links() -> Response:
    params: Any = bp.current_request.query_params or {}
    target = params.get("target_id")
    found = links.for_target(web.principal(), target) if target else links.mine(web.principal())
    return web.json_response({"items": [link_json(link) for link in found]})


@bp.route("/api/shares/{link_id}")
def get_link(link_id: str) -> Response:
    return web.json_response(link_json(links.get(web.principal(), link_id)))


@bp.route("/api/shares/{link_id}", methods=["PATCH"])
def change(link_id: str) -> Response:
    data = web.json_body(bp.current_request)
    if not data:
        raise BadRequest("Say what to change.")
    return web.json_response(link_json(links.change(web.principal(), link_id, data, **_meta())))


@bp.route("/api/shares/{link_id}/revoke", methods=["POST"])
def revoke(link_id: str) -> Response:
    return web.json_response(link_json(links.revoke(web.principal(), link_id, **_meta())))


@bp.route("/api/shares/{link_id}/reissue", methods=["POST"])
def reissue(link_id: str) -> Response:
    issued = links.reissue(web.principal(), link_id, **_meta())
    return web.json_response({**link_json(issued.link), "url": issued.url})


@bp.route("/api/shares/{link_id}/audit")
def link_audit(link_id: str) -> Response:
    return _audit_response(links.audit_trail(web.principal(), link_id), f"共有リンク監査_{link_id}.csv")


@bp.route("/api/files/{file_id}/audit")
def file_audit(file_id: str) -> Response:
    return _audit_response(links.file_audit_trail(web.principal(), file_id), f"ファイル監査_{file_id}.csv")
