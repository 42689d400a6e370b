"""JSON API of an outside organisation answering a survey (no account: the partner session
cookie a respondent link opened, e-mail verified). Each route parses, calls one use case of
respond.py, shapes the answer; which answer a session may reach is respond.py's to decide."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.contract import operation, parse_body
from chalicelib.directory import service as directory
from chalicelib.files.routes import ticket_json
from chalicelib.files.schemas import TicketOut
from chalicelib.sharing import partner_web
from chalicelib.sharing.partner import Visit
from chalicelib.surveys import respond
from chalicelib.surveys.form import form_json
from chalicelib.surveys.routes import answer_json, saved_json
from chalicelib.surveys.schemas import AnswerIn, AnswerOut, NewAnswerUpload, RespondentOut, RevisionIn, SavedOut

bp = Blueprint(__name__)
TAG = "respondents"
ANSWER = "/api/respond/surveys/{survey_id}/answers/{unit_id}"


def _visit() -> Visit:
    return partner_web.visit_of(bp.current_request)


def respondent_json(v: respond.RespondentView) -> RespondentOut:
    s = v.survey
    return {
        "survey": {
            "id": s.survey_id,
            "number": s.number,
            "title": s.title,
            "state": s.state.value,
            "issuer_unit_name": directory.unit_name(s.issuer_unit_id, web.state().language),
            "contact_name": s.contact_name,
            "contact_details": s.contact_details,
            "instructions": s.instructions,
            "deadline": s.deadline.isoformat(),
            "form": form_json(s.form),
            "attachments": [
                {"id": a.attachment_id, "name": a.name, "size": a.size, "url": f"/r/attachments/{a.attachment_id}"}
                for a in s.attachments
            ],
        },
        "answer": answer_json(v.answer),
        "editable": v.editable,
        "can_take_back": v.can_take_back,
        "closed": v.closed,
    }


@bp.route("/api/respond")
@operation("The survey and the answer this respondent link is for", returns=RespondentOut, auth="partner", tag=TAG)
def mine() -> Response:
    visit = _visit()
    return web.json_response(respondent_json(respond.view(visit, *respond.own_answer(visit))))


@bp.route(ANSWER)
@operation("An outside organisation's own answer (another's: 404)", returns=RespondentOut, auth="partner", tag=TAG)
def get_answer(survey_id: str, unit_id: str) -> Response:
    return web.json_response(respondent_json(respond.view(_visit(), survey_id, unit_id)))


@bp.route(ANSWER, methods=["PUT"])
@operation("Save the draft answer (autosave)", body=AnswerIn, returns=SavedOut, auth="partner", tag=TAG)
def save_answer(survey_id: str, unit_id: str) -> Response:
    body = parse_body(AnswerIn, web.json_body(bp.current_request))
    saved = respond.save(_visit(), survey_id, unit_id, body.values, body.revision)
    return web.json_response(saved_json(saved.answer, saved.errors))


@bp.route(ANSWER + "/submit", methods=["POST"])
@operation("Submit the answer to the issuing unit", body=RevisionIn, returns=AnswerOut, auth="partner", tag=TAG)
def submit_answer(survey_id: str, unit_id: str) -> Response:
    body = parse_body(RevisionIn, web.json_body(bp.current_request))
    return web.json_response(answer_json(respond.submit(_visit(), survey_id, unit_id, body.revision)))


@bp.route(ANSWER + "/not-applicable", methods=["POST"])
@operation(
    "Answer 「該当なし」: nothing applies (straight to the issuing unit)",
    body=RevisionIn,
    returns=AnswerOut,
    auth="partner",
    tag=TAG,
)
def not_applicable(survey_id: str, unit_id: str) -> Response:
    body = parse_body(RevisionIn, web.json_body(bp.current_request))
    return web.json_response(answer_json(respond.not_applicable(_visit(), survey_id, unit_id, body.revision)))


@bp.route(ANSWER + "/take-back", methods=["POST"])
@operation("Change a submitted answer (until the deadline)", returns=AnswerOut, auth="partner", tag=TAG)
def take_back(survey_id: str, unit_id: str) -> Response:
    return web.json_response(answer_json(respond.take_back(_visit(), survey_id, unit_id)))


@bp.route(ANSWER + "/uploads", methods=["POST"])
@operation(
    "Open an upload of a file for the draft (then the partner upload API: parts, complete)",
    body=NewAnswerUpload,
    returns=TicketOut,
    status=201,
    auth="partner",
    tag=TAG,
)
def start_upload(survey_id: str, unit_id: str) -> Response:
    body = parse_body(NewAnswerUpload, web.json_body(bp.current_request))
    return web.json_response(ticket_json(respond.start_upload(_visit(), survey_id, unit_id, body)), status=201)
