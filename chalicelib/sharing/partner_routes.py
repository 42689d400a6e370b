"""JSON API for partners holding a share link (no account: a partner session cookie)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.errors import BadRequest
from chalicelib.files.service import Entry
from chalicelib.sharing import partner, partner_uploads
from chalicelib.sharing.partner import Visit

bp = Blueprint(__name__)


def _visit() -> Visit:
    request = bp.current_request
    return partner.visit(web.cookies(request).get(partner.SESSION_COOKIE), ip=web.client_ip(request),
                         user_agent=web.header(request, "user-agent"))


def _entry(e: Entry) -> dict[str, Any]:
    return {"id": e.file_id, "kind": e.kind, "name": e.name, "size": e.size, "content_type": e.content_type,
            "updated_at": e.updated_at.isoformat(), "scan_status": e.scan_status}


def summary(visit: Visit) -> dict[str, Any]:
    """What a partner may know: before the gates only who shared it, after them the rest."""
    from chalicelib.shell.page import department_name

    link = visit.link
    body: dict[str, Any] = {
        "kind": link.kind, "gates": visit.gates,
        "department": department_name(link.owner_department_id, web.state().language),
        "expires_at": link.expires_at.isoformat(),
    }
    if not visit.gates:
        left = None if link.max_downloads is None else max(0, link.max_downloads - link.download_count)
        body.update({"owner_name": link.owner_name, "message": link.message, "downloads_left": left,
                     "can_download": link.allows_download, "can_upload": link.allows_upload,
                     "uploader_name": visit.session.uploader_name})
    return body


def _body() -> dict[str, Any]:
    return web.json_body(bp.current_request)


@bp.route("/api/share/open", methods=["POST"])
def open_link() -> Response:
    request = bp.current_request
    cookie, _ = partner.open_link(str(_body().get("token", "")), ip=web.client_ip(request),
                                  user_agent=web.header(request, "user-agent"))
    visit = partner.visit(cookie)
    return web.json_response(summary(visit), headers={"Set-Cookie": [web.cookie(
        partner.SESSION_COOKIE, cookie, max_age=partner.SESSION_HOURS * 3600, same_site="Strict")]})


@bp.route("/api/share")
def show() -> Response:
    return web.json_response(summary(_visit()))


@bp.route("/api/share/close", methods=["POST"])
def close() -> Response:
    partner.end(web.cookies(bp.current_request).get(partner.SESSION_COOKIE))
    return Response(body="", status_code=204, headers={"Set-Cookie": [web.expired_cookie(partner.SESSION_COOKIE)]})


@bp.route("/api/share/password", methods=["POST"])
def password() -> Response:
    visit = _visit()
    partner.enter_password(visit, str(_body().get("password", "")))
    return web.json_response(summary(_visit()))


@bp.route("/api/share/email", methods=["POST"])
def email() -> Response:
    partner.send_code(_visit(), str(_body().get("email", "")))
    return web.json_response({"sent": True})


@bp.route("/api/share/code", methods=["POST"])
def code() -> Response:
    partner.enter_code(_visit(), str(_body().get("code", "")))
    return web.json_response(summary(_visit()))


@bp.route("/api/share/folder")
def target_folder() -> Response:
    return _listing(None)


@bp.route("/api/share/folders/{folder_id}")
def folder(folder_id: str) -> Response:
    return _listing(folder_id)


def _listing(folder_id: str | None) -> Response:
    view = partner.browse(_visit(), folder_id)
    return web.json_response({"folder": _entry(view.folder), "path": [_entry(p) for p in view.path],
                              "items": [_entry(i) for i in view.items]})


@bp.route("/api/share/zip", methods=["POST"])
def download_zip() -> Response:
    folder = web.json_body(bp.current_request).get("folder_id") or None
    return web.json_response({"url": partner.download_zip(_visit(), folder)})


@bp.route("/api/share/files/{file_id}/download", methods=["POST"])
def download(file_id: str) -> Response:
    return web.json_response({"url": partner.download(_visit(), file_id)})


def _int(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRequest("{field} must be a whole number.", field=field) from None


@bp.route("/api/share/uploads", methods=["POST"])
def start_upload() -> Response:
    data = _body()
    ticket = partner_uploads.start_upload(
        _visit(), uploader_name=str(data.get("uploader_name") or ""), name=str(data.get("name", "")),
        size=_int(data.get("size"), "size"), content_type=str(data.get("content_type") or ""),
        relative_path=data.get("relative_path") or None)
    return web.json_response({"upload_id": ticket.upload_id, "method": ticket.method, "url": ticket.url,
                              "fields": ticket.fields, "key": ticket.key}, status=201)


@bp.route("/api/share/uploads")
def my_uploads() -> Response:
    return web.json_response({"items": [_entry(e) for e in partner_uploads.my_uploads(_visit())]})


@bp.route("/api/share/uploads/{upload_id}/parts/{part_number}", methods=["POST"])
def sign_part(upload_id: str, part_number: str) -> Response:
    return web.json_response({"url": partner_uploads.sign_part(_visit(), upload_id, _int(part_number, "part_number"))})


@bp.route("/api/share/uploads/{upload_id}/parts")
def list_parts(upload_id: str) -> Response:
    return web.json_response({"parts": partner_uploads.parts(_visit(), upload_id)})


@bp.route("/api/share/uploads/{upload_id}/complete", methods=["POST"])
def complete(upload_id: str) -> Response:
    return web.json_response(_entry(partner_uploads.complete_upload(_visit(), upload_id)), status=201)


@bp.route("/api/share/uploads/{upload_id}", methods=["DELETE"])
def abort(upload_id: str) -> Response:
    partner_uploads.abort_upload(_visit(), upload_id)
    return Response(body="", status_code=204)
