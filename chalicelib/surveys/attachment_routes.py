"""JSON API of a survey's attachments (attachments.py): attach a Kumo file, remove it, get a
short-lived download address. Who may do what is the use-case module's."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import require_signed_in
from chalicelib.core.contract import operation, parse_body
from chalicelib.surveys import attachments
from chalicelib.surveys.model import Attachment
from chalicelib.surveys.schemas import AttachIn, SurveyAttachmentOut, SurveyAttachmentUrlOut

bp = Blueprint(__name__)
TAG = "surveys"
ONE = "/api/surveys/{survey_id}/attachments/{attachment_id}"


def attachment_json(survey_id: str, a: Attachment) -> SurveyAttachmentOut:
    return {"id": a.attachment_id, "name": a.name, "size": a.size, "url": attachments.page_path(survey_id, a)}


@bp.route("/api/surveys/{survey_id}/attachments", methods=["POST"])
@operation(
    "Attach a Kumo file to a draft survey (a copy)", body=AttachIn, returns=SurveyAttachmentOut, status=201, tag=TAG
)
def attach(survey_id: str) -> Response:
    body = parse_body(AttachIn, web.json_body(bp.current_request))
    attached = attachments.attach(require_signed_in(web.principal()), survey_id, body.file_id)
    return web.json_response(attachment_json(survey_id, attached), status=201)


@bp.route(ONE, methods=["DELETE"])
@operation("Remove an attachment from a draft survey", status=204, tag=TAG)
def remove(survey_id: str, attachment_id: str) -> Response:
    attachments.remove(require_signed_in(web.principal()), survey_id, attachment_id)
    return Response(body="", status_code=204)


@bp.route(ONE + "/download", methods=["POST"])
@operation("A short-lived address of an attachment (the survey's readers)", returns=SurveyAttachmentUrlOut, tag=TAG)
def download(survey_id: str, attachment_id: str) -> Response:
    url = attachments.staff_download_url(require_signed_in(web.principal()), survey_id, attachment_id)
    return web.json_response({"url": url})
