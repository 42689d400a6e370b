"""JSON API of files: spaces, folders, uploads (sign/complete), versions, trash, downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.errors import BadRequest
from chalicelib.files import service, uploads
from chalicelib.files.service import Entry

bp = Blueprint(__name__)


def entry_json(e: Entry) -> dict[str, Any]:
    return {"id": e.file_id, "kind": e.kind, "name": e.name, "parent_id": e.parent_id, "space_id": e.space_id,
            "owner_id": e.owner_id, "visibility": e.visibility, "size": e.size, "content_type": e.content_type,
            "version": e.version, "status": e.status, "created_at": e.created_at.isoformat(),
            "updated_at": e.updated_at.isoformat(), "trashed_at": e.trashed_at, "scan_status": e.scan_status,
            "search_note": e.search_note}


def _int(data: dict[str, Any], key: str) -> int:
    try:
        return int(data[key])
    except (KeyError, TypeError, ValueError):
        raise BadRequest("{field} must be a whole number.", field=key) from None


def _body() -> dict[str, Any]:
    return web.json_body(bp.current_request)


@bp.route("/api/spaces")
def spaces() -> Response:
    items = []
    for space_id in service.spaces_for(web.principal()):
        s = service.space(space_id)
        items.append({"space_id": s.space_id, "quota_bytes": s.quota_bytes, "used_bytes": s.used_bytes})
    return web.json_response({"items": items})


@bp.route("/api/spaces/{space_id}/quota", methods=["PUT"])
def set_quota(space_id: str) -> Response:
    s = service.set_quota(web.principal(), unquote(space_id), _int(_body(), "quota_bytes"))
    return web.json_response({"space_id": s.space_id, "quota_bytes": s.quota_bytes, "used_bytes": s.used_bytes})


@bp.route("/api/spaces/{space_id}/trash")
def trash_list(space_id: str) -> Response:
    return web.json_response({"items": [entry_json(e) for e in service.trashed(web.principal(), unquote(space_id))]})


@bp.route("/api/folders/{folder_id}")
def folder(folder_id: str) -> Response:
    view = service.list_folder(web.principal(), unquote(folder_id))
    return web.json_response({
        "space": {"space_id": view.space.space_id, "quota_bytes": view.space.quota_bytes,
                  "used_bytes": view.space.used_bytes},
        "folder": entry_json(view.folder) if view.folder else None,
        "path": [entry_json(e) for e in view.path],
        "items": [entry_json(e) for e in view.children],
        "can_write": view.can_write,
    })


@bp.route("/api/folders/{folder_id}/folders", methods=["POST"])
def create_folder(folder_id: str) -> Response:
    data = _body()
    entry = service.create_folder(web.principal(), unquote(folder_id), str(data.get("name", "")),
                                  data.get("visibility"))
    return web.json_response(entry_json(entry), status=201)


@bp.route("/api/files/uploads", methods=["POST"])
def start_upload() -> Response:
    data = _body()
    ticket = uploads.start(web.principal(), str(data.get("folder_id", "")), str(data.get("name", "")),
                           _int(data, "size"), str(data.get("content_type") or ""),
                           relative_path=data.get("relative_path") or None, visibility=data.get("visibility"))
    return web.json_response({"upload_id": ticket.upload_id, "method": ticket.method, "url": ticket.url,
                              "fields": ticket.fields, "key": ticket.key}, status=201)


@bp.route("/api/files/uploads/{upload_id}/parts/{part_number}", methods=["POST"])
def sign_part(upload_id: str, part_number: str) -> Response:
    number = _int({"part_number": part_number}, "part_number")
    return web.json_response({"url": uploads.sign_part(web.principal(), upload_id, number)})


@bp.route("/api/files/uploads/{upload_id}/parts")
def list_parts(upload_id: str) -> Response:
    return web.json_response({"parts": uploads.parts(web.principal(), upload_id)})


@bp.route("/api/files/uploads/{upload_id}/complete", methods=["POST"])
def complete_upload(upload_id: str) -> Response:
    return web.json_response(entry_json(uploads.complete(web.principal(), upload_id)), status=201)


@bp.route("/api/files/uploads/{upload_id}", methods=["DELETE"])
def abort_upload(upload_id: str) -> Response:
    uploads.abort(web.principal(), upload_id)
    return Response(body="", status_code=204)


@bp.route("/api/files/{file_id}")
def get_file(file_id: str) -> Response:
    return web.json_response(entry_json(service.readable(web.principal(), file_id)))


@bp.route("/api/files/{file_id}", methods=["PATCH"])
def change_file(file_id: str) -> Response:
    data = _body()
    principal = web.principal()
    entry = service.readable(principal, file_id)
    if "name" in data:
        entry = service.rename(principal, file_id, str(data["name"]))
    if "folder_id" in data:
        entry = service.move(principal, file_id, str(data["folder_id"]))
    if "visibility" in data:
        entry = service.set_visibility(principal, file_id, str(data["visibility"]))
    return web.json_response(entry_json(entry))


@bp.route("/api/files/{file_id}", methods=["DELETE"])
def trash_file(file_id: str) -> Response:
    return web.json_response(entry_json(service.trash(web.principal(), file_id)))


@bp.route("/api/files/{file_id}/restore", methods=["POST"])
def restore_file(file_id: str) -> Response:
    return web.json_response(entry_json(service.restore(web.principal(), file_id)))


@bp.route("/api/files/{file_id}/versions")
def list_versions(file_id: str) -> Response:
    return web.json_response({"items": [
        {"version": v.version, "size": v.size, "content_type": v.content_type, "uploaded_by": v.uploaded_by,
         "uploaded_at": v.uploaded_at.isoformat()} for v in service.versions(web.principal(), file_id)]})


@bp.route("/api/files/{file_id}/versions/{version}/restore", methods=["POST"])
def restore_version(file_id: str, version: str) -> Response:
    number = _int({"version": version}, "version")
    return web.json_response(entry_json(uploads.restore_version(web.principal(), file_id, number)))


@bp.route("/api/files/{file_id}/zip", methods=["POST"])
def download_zip(file_id: str) -> Response:
    """A folder's files as one ZIP (at most 1 GB and 1000 files)."""
    from chalicelib.files import archive

    principal = web.principal()
    folder = service.readable(principal, file_id)
    if not folder.is_folder:
        raise BadRequest("Only a folder can be downloaded as a ZIP.")
    assert principal is not None
    return web.json_response({"url": archive.build(principal, folder)})


@bp.route("/api/files/{file_id}/download", methods=["POST"])
def download(file_id: str) -> Response:
    """An explicit action (not a GET a mail scanner could trigger): a URL valid for two minutes."""
    data = _body()
    version = _int(data, "version") if data.get("version") is not None else None
    url = uploads.download_url(web.principal(), file_id, version=version, inline=bool(data.get("inline")))
    return web.json_response({"url": url})
