"""Files on an answer: open an upload for the answer (or a forwarded part), and download one of
the answer's files. The rest of an upload (parts, complete) is the Files API's; who may do what
is answer_uploads.py's."""

from __future__ import annotations

from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import require_signed_in
from chalicelib.core.contract import operation, parse_body
from chalicelib.files.routes import ticket_json
from chalicelib.files.schemas import TicketOut
from chalicelib.surveys import answer_uploads
from chalicelib.surveys.schemas import NewAnswerUpload

bp = Blueprint(__name__)
TAG = "surveys"
ANSWER = "/api/surveys/{survey_id}/answers/{unit_id}"


@bp.route(ANSWER + "/uploads", methods=["POST"])
@operation(
    "Open an upload of a file for an answer (scanned; never a new version)",
    body=NewAnswerUpload,
    returns=TicketOut,
    status=201,
    tag=TAG,
)
def start_upload(survey_id: str, unit_id: str) -> Response:
    body = parse_body(NewAnswerUpload, web.json_body(bp.current_request))
    me = require_signed_in(web.principal())
    ticket = answer_uploads.start(me, unquote(survey_id), unquote(unit_id), body)
    return web.json_response(ticket_json(ticket), status=201)


@bp.route(ANSWER + "/parts/{part_id}/uploads", methods=["POST"])
@operation(
    "Open an upload of a file for a forwarded part of an answer",
    body=NewAnswerUpload,
    returns=TicketOut,
    status=201,
    tag=TAG,
)
def start_part_upload(survey_id: str, unit_id: str, part_id: str) -> Response:
    body = parse_body(NewAnswerUpload, web.json_body(bp.current_request))
    me = require_signed_in(web.principal())
    ticket = answer_uploads.start_for_part(me, unquote(survey_id), unquote(unit_id), unquote(part_id), body)
    return web.json_response(ticket_json(ticket), status=201)


@bp.route("/surveys/{survey_id}/answers/{unit_id}/files/{file_id}")
def download(survey_id: str, unit_id: str, file_id: str) -> Response:
    """A link on the answer and results pages: to a short-lived address that saves the file."""
    me = require_signed_in(web.principal())
    url = answer_uploads.download_url(me, unquote(survey_id), unquote(unit_id), unquote(file_id))
    return web.redirect(url, status=302)
