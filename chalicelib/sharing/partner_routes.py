"""JSON API for partners holding a share link (no account: a partner session cookie)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.contract import operation
from chalicelib.core.errors import BadRequest
from chalicelib.files.routes import names_of, part_crc32, part_size, plans_json, ticket_json
from chalicelib.files.service import Entry
from chalicelib.sharing import partner, partner_types, partner_uploads
from chalicelib.sharing import schemas as s
from chalicelib.sharing.partner import Visit

bp = Blueprint(__name__)


def _visit() -> Visit:
    request = bp.current_request
    return partner.visit(
        web.cookies(request).get(partner.SESSION_COOKIE),
        ip=web.client_ip(request),
        user_agent=web.header(request, "user-agent"),
    )


def _entry(e: Entry) -> s.PartnerEntryOut:
    return {
        "id": e.file_id,
        "kind": e.kind,
        "name": e.name,
        "size": e.size,
        "content_type": e.content_type,
        "version": e.version,
        "updated_at": e.updated_at.isoformat(),
        "scan_status": e.scan_status,
    }


def summary(visit: Visit) -> s.SummaryOut:
    """What a partner may know: before the gates only who shared it, after them the rest."""
    from chalicelib.directory import service as directory

    link = visit.link
    body: s.SummaryOut = {
        "kind": link.kind,
        "gates": visit.gates,
        "department": directory.department_name(link.owner_department_id, web.state().language),
        "expires_at": link.expires_at.isoformat(),
    }
    if not visit.gates:
        left = None if link.max_downloads is None else max(0, link.max_downloads - link.download_count)
        body.update(
            {
                "owner_name": link.owner_name,
                "message": link.message,
                "downloads_left": left,
                "can_download": link.allows_download,
                "can_upload": link.allows_upload,
                "uploader_name": visit.session.uploader_name,
            }
        )
        if link.allows_upload:
            body["upload_types"] = sorted(partner_types.allowed())
    return body


def _body() -> dict[str, Any]:
    return web.json_body(bp.current_request)


@bp.route("/api/share/open", methods=["POST"])
@operation(
    "Open a link: trade its token for a partner cookie",
    body=s.Token,
    returns=s.SummaryOut,
    auth="anyone",
    tag="partner",
)
def open_link() -> Response:
    request = bp.current_request
    cookie, _ = partner.open_link(
        str(_body().get("token", "")), ip=web.client_ip(request), user_agent=web.header(request, "user-agent")
    )
    visit = partner.visit(cookie)
    return web.json_response(
        summary(visit),
        headers={
            "Set-Cookie": [
                web.cookie(partner.SESSION_COOKIE, cookie, max_age=partner.SESSION_HOURS * 3600, same_site="Strict")
            ]
        },
    )


@bp.route("/api/share")
@operation("The link as its partner may see it", returns=s.SummaryOut, auth="partner", tag="partner")
def show() -> Response:
    return web.json_response(summary(_visit()))


@bp.route("/api/share/close", methods=["POST"])
@operation("End the partner session", status=204, auth="partner", tag="partner")
def close() -> Response:
    partner.end(web.cookies(bp.current_request).get(partner.SESSION_COOKIE))
    return Response(body="", status_code=204, headers={"Set-Cookie": [web.expired_cookie(partner.SESSION_COOKIE)]})


@bp.route("/api/share/password", methods=["POST"])
@operation("Pass the password gate", body=s.Password, returns=s.SummaryOut, auth="partner", tag="partner")
def password() -> Response:
    visit = _visit()
    partner.enter_password(visit, str(_body().get("password", "")))
    return web.json_response(summary(_visit()))


@bp.route("/api/share/email", methods=["POST"])
@operation(
    "Send a one-time code to a recipient's address", body=s.Email, returns=s.SentOut, auth="partner", tag="partner"
)
def email() -> Response:
    partner.send_code(_visit(), str(_body().get("email", "")))
    return web.json_response({"sent": True})


@bp.route("/api/share/code", methods=["POST"])
@operation("Pass the e-mail gate with the code", body=s.Code, returns=s.SummaryOut, auth="partner", tag="partner")
def code() -> Response:
    partner.enter_code(_visit(), str(_body().get("code", "")))
    return web.json_response(summary(_visit()))


@bp.route("/api/share/folder")
@operation("The shared folder", returns=s.ListingOut, auth="partner", tag="partner")
def target_folder() -> Response:
    return _listing(None)


@bp.route("/api/share/folders/{folder_id}")
@operation("A folder below the shared one", returns=s.ListingOut, auth="partner", tag="partner")
def folder(folder_id: str) -> Response:
    return _listing(folder_id)


def _listing(folder_id: str | None) -> Response:
    view = partner.browse(_visit(), folder_id)
    return web.json_response(
        {
            "folder": _entry(view.folder),
            "path": [_entry(p) for p in view.path],
            "items": [_entry(i) for i in view.items],
        }
    )


@bp.route("/api/share/zip", methods=["POST"])
@operation("A folder as one ZIP: a short-lived URL", body=s.ZipRequest, returns=s.UrlOut, auth="partner", tag="partner")
def download_zip() -> Response:
    folder = web.json_body(bp.current_request).get("folder_id") or None
    return web.json_response({"url": partner.download_zip(_visit(), folder)})


@bp.route("/api/share/files/{file_id}/download", methods=["POST"])
@operation("A short-lived download URL", returns=s.UrlOut, auth="partner", tag="partner")
def download(file_id: str) -> Response:
    return web.json_response({"url": partner.download(_visit(), file_id)})


def _int(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRequest("{field} must be a whole number.", field=field) from None


@bp.route("/api/share/uploads", methods=["POST"])
@operation(
    "Open an upload into the link's folder",
    body=s.PartnerUpload,
    returns=s.TicketOut,
    status=201,
    auth="partner",
    tag="partner",
)
def start_upload() -> Response:
    data = _body()
    ticket = partner_uploads.start_upload(
        _visit(),
        uploader_name=str(data.get("uploader_name") or ""),
        name=str(data.get("name", "")),
        size=_int(data.get("size"), "size"),
        content_type=str(data.get("content_type") or ""),
        relative_path=data.get("relative_path") or None,
    )
    return web.json_response(ticket_json(ticket), status=201)


@bp.route("/api/share/upload-plan", methods=["POST"])
@operation(
    "Where uploads of these names would go",
    body=s.PartnerPlanRequest,
    returns=s.PlansOut,
    auth="partner",
    tag="partner",
)
def upload_plan() -> Response:
    data = _body()
    plans = partner_uploads.preview(_visit(), uploader_name=str(data.get("uploader_name") or ""), names=names_of(data))
    return web.json_response(plans_json(plans))


@bp.route("/api/share/uploads")
@operation("What this partner session sent", returns=s.PartnerEntriesOut, auth="partner", tag="partner")
def my_uploads() -> Response:
    return web.json_response({"items": [_entry(e) for e in partner_uploads.my_uploads(_visit())]})


@bp.route("/api/share/uploads/{upload_id}/parts/{part_number}", methods=["POST"])
@operation("Sign one part of a multipart upload", body=s.PartSize, returns=s.UrlOut, auth="partner", tag="partner")
def sign_part(upload_id: str, part_number: str) -> Response:
    data = _body()
    number = _int(part_number, "part_number")
    url = partner_uploads.sign_part(_visit(), upload_id, number, part_size(data), part_crc32(data))
    return web.json_response({"url": url})


@bp.route("/api/share/uploads/{upload_id}/parts")
@operation("The parts already uploaded (to resume)", returns=s.UploadPartsOut, auth="partner", tag="partner")
def list_parts(upload_id: str) -> Response:
    return web.json_response({"parts": partner_uploads.parts(_visit(), upload_id)})


@bp.route("/api/share/uploads/{upload_id}/complete", methods=["POST"])
@operation(
    "File an upload once its bytes are there", returns=s.PartnerEntryOut, status=201, auth="partner", tag="partner"
)
def complete(upload_id: str) -> Response:
    return web.json_response(_entry(partner_uploads.complete_upload(_visit(), upload_id)), status=201)


@bp.route("/api/share/uploads/{upload_id}", methods=["DELETE"])
@operation("Abandon an upload", status=204, auth="partner", tag="partner")
def abort(upload_id: str) -> Response:
    partner_uploads.abort_upload(_visit(), upload_id)
    return Response(body="", status_code=204)
