"""JSON API of files: spaces, folders, uploads (sign/complete), versions, trash, downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.contract import operation
from chalicelib.core.errors import BadRequest
from chalicelib.files import (
    access,
    changes,
    folders,
    listing,
    open_uploads,
    trash,
    upload_complete,
    upload_parts,
    upload_start,
    version_actions,
    versions,
)
from chalicelib.files import schemas as s
from chalicelib.files import spaces as file_spaces
from chalicelib.files.entries import Entry
from chalicelib.files.upload_plan import Plan

bp = Blueprint(__name__)


def entry_json(e: Entry) -> s.EntryOut:
    return {
        "id": e.file_id,
        "kind": e.kind,
        "name": e.name,
        "parent_id": e.parent_id,
        "space_id": e.space_id,
        "owner_id": e.owner_id,
        "visibility": e.visibility,
        "size": e.size,
        "content_type": e.content_type,
        "version": e.version,
        "status": e.status,
        "created_at": e.created_at.isoformat(),
        "updated_at": e.updated_at.isoformat(),
        "trashed_at": e.trashed_at,
        "scan_status": e.scan_status,
        "search_note": e.search_note,
    }


def _int(data: dict[str, Any], key: str) -> int:
    try:
        return int(data[key])
    except (KeyError, TypeError, ValueError):
        raise BadRequest("{field} must be a whole number.", field=key) from None


def _body() -> dict[str, Any]:
    return web.json_body(bp.current_request)


@bp.route("/api/spaces")
@operation("The spaces I can use, with quota and use", returns=s.SpacesOut, tag="files")
def spaces() -> Response:
    items: list[s.SpaceOut] = []
    for space_id in file_spaces.spaces_for(web.principal()):
        space = file_spaces.space(space_id)
        items.append({"space_id": space.space_id, "quota_bytes": space.quota_bytes, "used_bytes": space.used_bytes})
    return web.json_response({"items": items})


@bp.route("/api/spaces/{space_id}/quota", methods=["PUT"])
@operation("Set a space's quota (system administrators)", body=s.Quota, returns=s.SpaceOut, tag="files")
def set_quota(space_id: str) -> Response:
    space = file_spaces.set_quota(web.principal(), unquote(space_id), _int(_body(), "quota_bytes"))
    return web.json_response(
        {"space_id": space.space_id, "quota_bytes": space.quota_bytes, "used_bytes": space.used_bytes}
    )


@bp.route("/api/spaces/{space_id}/trash")
@operation("What is in a space's trash", returns=s.EntriesOut, tag="files")
def trash_list(space_id: str) -> Response:
    return web.json_response({"items": [entry_json(e) for e in trash.trashed(web.principal(), unquote(space_id))]})


@bp.route("/api/folders/{folder_id}")
@operation("A folder: its path and what it holds", returns=s.FolderOut, tag="files")
def folder(folder_id: str) -> Response:
    view = listing.list_folder(web.principal(), unquote(folder_id))
    return web.json_response(
        {
            "space": {
                "space_id": view.space.space_id,
                "quota_bytes": view.space.quota_bytes,
                "used_bytes": view.space.used_bytes,
            },
            "folder": entry_json(view.folder) if view.folder else None,
            "path": [entry_json(e) for e in view.path],
            "items": [entry_json(e) for e in view.children],
            "can_write": view.can_write,
        }
    )


@bp.route("/api/folders/{folder_id}/folders", methods=["POST"])
@operation("Make a folder", body=s.NewFolder, returns=s.EntryOut, status=201, tag="files")
def create_folder(folder_id: str) -> Response:
    data = _body()
    entry = folders.create_folder(
        web.principal(), unquote(folder_id), str(data.get("name", "")), data.get("visibility")
    )
    return web.json_response(entry_json(entry), status=201)


def ticket_json(ticket: upload_start.UploadTicket) -> s.TicketOut:
    return {
        "upload_id": ticket.upload_id,
        "method": ticket.method,
        "url": ticket.url,
        "fields": ticket.fields,
        "key": ticket.key,
        "name": ticket.name,
        "adds_version": ticket.adds_version,
        "version": ticket.version,
    }


def plans_json(plans: list[Plan]) -> s.PlansOut:
    return {
        "items": [
            {"requested": p.requested, "name": p.name, "adds_version": p.adds_version, "renamed": p.renamed}
            for p in plans
        ]
    }


def names_of(data: dict[str, Any]) -> list[str]:
    names = data.get("names")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise BadRequest("names must be a list of file names.", field="names")
    return names


def part_size(data: dict[str, Any]) -> int | None:
    return _int(data, "size") if data.get("size") is not None else None


def part_crc32(data: dict[str, Any]) -> str:
    value = data.get("crc32")
    return value if isinstance(value, str) else ""


@bp.route("/api/folders/{folder_id}/upload-plan", methods=["POST"])
@operation("Where uploads of these names would go", body=s.PlanRequest, returns=s.PlansOut, tag="files")
def upload_plan(folder_id: str) -> Response:
    return web.json_response(plans_json(upload_start.preview(web.principal(), unquote(folder_id), names_of(_body()))))


@bp.route("/api/files/uploads", methods=["POST"])
@operation("Open an upload", body=s.NewUpload, returns=s.TicketOut, status=201, tag="files")
def start_upload() -> Response:
    data = _body()
    ticket = upload_start.start(
        web.principal(),
        str(data.get("folder_id", "")),
        str(data.get("name", "")),
        _int(data, "size"),
        str(data.get("content_type") or ""),
        relative_path=data.get("relative_path") or None,
        visibility=data.get("visibility"),
    )
    return web.json_response(ticket_json(ticket), status=201)


@bp.route("/api/files/uploads/{upload_id}/parts/{part_number}", methods=["POST"])
@operation("Sign one part of a multipart upload", body=s.PartSize, returns=s.UrlOut, tag="files")
def sign_part(upload_id: str, part_number: str) -> Response:
    number = _int({"part_number": part_number}, "part_number")
    data = _body()
    url = upload_parts.sign_part(web.principal(), upload_id, number, part_size(data), part_crc32(data))
    return web.json_response({"url": url})


@bp.route("/api/files/uploads/{upload_id}/parts")
@operation("The parts already uploaded (to resume)", returns=s.UploadPartsOut, tag="files")
def list_parts(upload_id: str) -> Response:
    return web.json_response({"parts": upload_parts.parts(web.principal(), upload_id)})


@bp.route("/api/files/uploads/{upload_id}/complete", methods=["POST"])
@operation("File an upload once its bytes are there", returns=s.EntryOut, status=201, tag="files")
def complete_upload(upload_id: str) -> Response:
    return web.json_response(entry_json(upload_complete.complete(web.principal(), upload_id)), status=201)


@bp.route("/api/files/uploads/{upload_id}", methods=["DELETE"])
@operation("Abandon an upload", status=204, tag="files")
def abort_upload(upload_id: str) -> Response:
    open_uploads.abort(web.principal(), upload_id)
    return Response(body="", status_code=204)


@bp.route("/api/files/{file_id}")
@operation("A file or folder", returns=s.EntryOut, tag="files")
def get_file(file_id: str) -> Response:
    return web.json_response(entry_json(access.readable(web.principal(), file_id)))


@bp.route("/api/files/{file_id}", methods=["PATCH"])
@operation("Rename, move or change who sees it", body=s.Change, returns=s.EntryOut, tag="files")
def change_file(file_id: str) -> Response:
    data = _body()
    principal = web.principal()
    entry = access.readable(principal, file_id)
    if "name" in data:
        entry = changes.rename(principal, file_id, str(data["name"]))
    if "folder_id" in data:
        entry = changes.move(principal, file_id, str(data["folder_id"]))
    if "visibility" in data:
        entry = changes.set_visibility(principal, file_id, str(data["visibility"]))
    return web.json_response(entry_json(entry))


@bp.route("/api/files/{file_id}", methods=["DELETE"])
@operation("Move to the trash", returns=s.EntryOut, tag="files")
def trash_file(file_id: str) -> Response:
    return web.json_response(entry_json(trash.trash(web.principal(), file_id)))


@bp.route("/api/files/{file_id}/restore", methods=["POST"])
@operation("Take back from the trash", returns=s.EntryOut, tag="files")
def restore_file(file_id: str) -> Response:
    return web.json_response(entry_json(trash.restore(web.principal(), file_id)))


@bp.route("/api/files/{file_id}/versions")
@operation("A file's versions", returns=s.VersionsOut, tag="files")
def list_versions(file_id: str) -> Response:
    return web.json_response(
        {
            "items": [
                {
                    "version": v.version,
                    "size": v.size,
                    "content_type": v.content_type,
                    "uploaded_by": v.uploaded_by,
                    "uploaded_at": v.uploaded_at.isoformat(),
                    "partner_name": v.partner_name,
                    "via_link": v.via_link,
                }
                for v in versions.versions(web.principal(), file_id)
            ]
        }
    )


@bp.route("/api/files/{file_id}/versions/{version}/restore", methods=["POST"])
@operation("Make an old version the current one", returns=s.EntryOut, tag="files")
def restore_version(file_id: str, version: str) -> Response:
    number = _int({"version": version}, "version")
    return web.json_response(entry_json(version_actions.restore_version(web.principal(), file_id, number)))


@bp.route("/api/files/{file_id}/zip", methods=["POST"])
@operation("A folder as one ZIP: a short-lived URL", returns=s.UrlOut, tag="files")
def download_zip(file_id: str) -> Response:
    """A folder's files as one ZIP (at most 1 GB and 1000 files)."""
    from chalicelib.files import archive

    principal = web.principal()
    folder = access.readable(principal, file_id)
    if not folder.is_folder:
        raise BadRequest("Only a folder can be downloaded as a ZIP.")
    assert principal is not None
    return web.json_response({"url": archive.build(principal, folder)})


@bp.route("/api/files/{file_id}/download", methods=["POST"])
@operation("A short-lived download URL", body=s.Download, returns=s.UrlOut, tag="files")
def download(file_id: str) -> Response:
    """An explicit action (not a GET a mail scanner could trigger): a URL valid for two minutes."""
    data = _body()
    version = _int(data, "version") if data.get("version") is not None else None
    url = version_actions.download_url(web.principal(), file_id, version=version, inline=bool(data.get("inline")))
    return web.json_response({"url": url})
