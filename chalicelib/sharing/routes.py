"""JSON API of share links for staff: create, list, change, revoke, re-issue, audit (CSV too)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import require_signed_in
from chalicelib.core.contract import operation
from chalicelib.core.errors import BadRequest
from chalicelib.sharing import audit, link_activity, link_changes, link_creation, links, partner_types
from chalicelib.sharing import schemas as s
from chalicelib.sharing.links import Link

bp = Blueprint(__name__)


def link_json(link: Link) -> s.LinkOut:
    return {
        "id": link.link_id,
        "kind": link.kind,
        "target_id": link.target_id,
        "target_kind": link.target_kind,
        "owner_id": link.owner_id,
        "owner_name": link.owner_name,
        "message": link.message,
        "created_at": link.created_at,
        "expires_at": link.expires_at.isoformat(),
        "has_password": link.has_password,
        "max_downloads": link.max_downloads,
        "download_count": link.download_count,
        "recipients": link.recipients,
        "verify_email": link.verify_email,
        "notify_on_access": link.notify_on_access,
        "notify_on_upload": link.notify_on_upload,
        "state": link.state(),
        "revoked_at": link.revoked_at.isoformat() if link.revoked_at else None,
        "locked_until": link.locked_until.isoformat() if link.locked_until else None,
        "upload_max_bytes": link.upload_max_bytes,
        "upload_max_files": link.upload_max_files,
        "upload_bytes": link.upload_bytes,
        "upload_files": link.upload_files,
    }


def _meta() -> dict[str, str | None]:
    request = bp.current_request
    return {"ip": web.client_ip(request), "user_agent": web.header(request, "user-agent")}


def _audit_response(events: list[audit.AuditEvent], filename: str) -> Response:
    params: Any = bp.current_request.query_params or {}
    if params.get("format") == "csv":
        return Response(
            body=audit.to_csv(events).decode("utf-8"),
            status_code=200,
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": f"attachment; filename=\"audit.csv\"; filename*=UTF-8''{quote(filename)}",
            },
        )
    return web.json_response(
        {
            "items": [
                {
                    "at": e.at.isoformat(),
                    "action": e.action,
                    "actor": e.actor,
                    "ip": e.ip,
                    "user_agent": e.user_agent,
                    "link_id": e.link_id,
                    "file_id": e.file_id,
                    "object": e.object_name,
                    "detail": e.detail,
                }
                for e in events
            ]
        }
    )


@bp.route("/api/shares", methods=["POST"])
@operation("Make a share link (the URL is shown once)", body=s.NewLink, returns=s.IssuedOut, status=201, tag="sharing")
def create() -> Response:
    data = web.json_body(bp.current_request)
    issued = link_creation.create(
        web.principal(), str(data.get("target_id", "")), str(data.get("kind", "download")), data, **_meta()
    )
    return web.json_response({**link_json(issued.link), "url": issued.url}, status=201)


@bp.route("/api/shares")
@operation("My links, or the links to one item", query=s.LinksQuery, returns=s.LinksOut, tag="sharing")
def list_links() -> Response:
    params: Any = bp.current_request.query_params or {}
    target = params.get("target_id")
    found = links.for_target(web.principal(), target) if target else links.mine(web.principal())
    return web.json_response({"items": [link_json(link) for link in found]})


@bp.route("/api/shares/{link_id}")
@operation("A link's settings", returns=s.LinkOut, tag="sharing")
def get_link(link_id: str) -> Response:
    return web.json_response(link_json(links.get(web.principal(), link_id)))


@bp.route("/api/shares/{link_id}", methods=["PATCH"])
@operation("Change a link", body=s.LinkOptions, returns=s.LinkOut, tag="sharing")
def change(link_id: str) -> Response:
    data = web.json_body(bp.current_request)
    if not data:
        raise BadRequest("Say what to change.")
    return web.json_response(link_json(link_changes.change(web.principal(), link_id, data, **_meta())))


@bp.route("/api/shares/{link_id}/revoke", methods=["POST"])
@operation("Revoke a link", returns=s.LinkOut, tag="sharing")
def revoke(link_id: str) -> Response:
    return web.json_response(link_json(link_changes.revoke(web.principal(), link_id, **_meta())))


@bp.route("/api/shares/{link_id}/reissue", methods=["POST"])
@operation("A new URL for a link (the old one stops working)", returns=s.IssuedOut, tag="sharing")
def reissue(link_id: str) -> Response:
    issued = link_changes.reissue(web.principal(), link_id, **_meta())
    return web.json_response({**link_json(issued.link), "url": issued.url})


@bp.route("/api/shares/{link_id}/audit")
@operation("A link's audit trail", query=s.AuditQuery, returns=s.AuditOut, csv=True, tag="sharing")
def link_audit(link_id: str) -> Response:
    return _audit_response(link_activity.audit_trail(web.principal(), link_id), f"共有リンク監査_{link_id}.csv")


@bp.route("/api/files/{file_id}/audit")
@operation("The audit trail of an item's links", query=s.AuditQuery, returns=s.AuditOut, csv=True, tag="sharing")
def file_audit(file_id: str) -> Response:
    return _audit_response(link_activity.file_audit_trail(web.principal(), file_id), f"ファイル監査_{file_id}.csv")


@bp.route("/api/share-settings/partner-upload-types")
@operation("The file types partners may send", returns=s.UploadTypesOut, tag="sharing")
def partner_upload_types() -> Response:
    require_signed_in(web.principal())
    return web.json_response({"types": sorted(partner_types.allowed())})


@bp.route("/api/share-settings/partner-upload-types", methods=["PUT"])
@operation(
    "Change the file types partners may send (system administrators)",
    body=s.UploadTypes,
    returns=s.UploadTypesOut,
    tag="sharing",
)
def change_partner_upload_types() -> Response:
    types = web.json_body(bp.current_request).get("types")
    if not isinstance(types, (str, list)):
        raise BadRequest("types is a list of file extensions such as .pdf.", field="types")
    return web.json_response({"types": sorted(partner_types.change(web.principal(), types))})
