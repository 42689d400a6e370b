"""JSON API of surveys: issue, answer, forward, approve, chase. Each route parses, calls one
use case, shapes the answer; every rule lives in the use-case modules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.contract import operation, parse_body
from chalicelib.core.errors import BadRequest
from chalicelib.directory import service as directory
from chalicelib.surveys import answering, attachments, board, fanout, invitations, issuing, outside, reminders, results
from chalicelib.surveys.form import form_from, form_json
from chalicelib.surveys.model import Answer, Part, Survey
from chalicelib.surveys.schemas import (
    AnswerIn,
    AnswerOut,
    AnswerViewOut,
    BoardOut,
    BoardQuery,
    CommentIn,
    Cp932Out,
    ExportQuery,
    ExternalTargetOut,
    ForwardIn,
    ImportedFormOut,
    IssueIn,
    PartOut,
    PartsOut,
    ProblemOut,
    RemindedOut,
    RemindIn,
    RevisionIn,
    SavedOut,
    SubmitIn,
    SurveyIn,
    SurveyOut,
    SurveysOut,
)

bp = Blueprint(__name__)
TAG = "surveys"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_MAX_BYTES = 5 * 1024 * 1024  # a 様式 is a few sheets; anything bigger is not one


def _me() -> Principal:
    return require_signed_in(web.principal())


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def survey_json(s: Survey, *, issuer: bool) -> SurveyOut:
    language = web.state().language
    return {
        "id": s.survey_id,
        "number": s.number,
        "title": s.title,
        "state": s.state.value,
        "issuer_unit_id": s.issuer_unit_id,
        "issuer_unit_name": directory.unit_name(s.issuer_unit_id, language),
        "contact_name": s.contact_name,
        "contact_details": s.contact_details,
        "instructions": s.instructions,
        "deadline": s.deadline.isoformat(),
        "issue_at": _iso(s.issue_at),
        "issued_at": _iso(s.issued_at),
        "closed_at": _iso(s.closed_at),
        "targets": list(s.targets),
        "external_targets": [
            {"org_id": t.org_id, "name": t.name, "email": t.email} for t in (s.external_targets if issuer else ())
        ],
        "attachments": [
            {"id": a.attachment_id, "name": a.name, "size": a.size, "url": attachments.page_path(s.survey_id, a)}
            for a in s.attachments
        ],
        "form": form_json(s.form),
        "remind_days_before": s.remind_days_before,
        "copied_from": s.copied_from,
        "revision": s.revision,
        "issuer": issuer,
    }


def answer_json(a: Answer) -> AnswerOut:
    return {
        "survey_id": a.survey_id,
        "unit_id": a.unit_id,
        "unit_name": a.respondent_name or directory.unit_name(a.unit_id, web.state().language),
        "state": a.state.value,
        "values": a.values,
        "changed": list(a.changed),
        "revision": a.revision,
        "updated_by_name": a.updated_by_name,
        "updated_at": _iso(a.updated_at),
        "submitted_at": _iso(a.submitted_at),
        "approved_at": _iso(a.approved_at),
        "approved_by_name": a.approved_by_name,
        "late": a.late,
        "return_comment": a.return_comment,
        "reopen_allowed": a.reopen_allowed,
    }


def part_json(p: Part) -> PartOut:
    return {
        "survey_id": p.survey_id,
        "unit_id": p.unit_id,
        "part_id": p.part_id,
        "assignee_name": p.assignee_name,
        "question_ids": list(p.question_ids),
        "note": p.note,
        "state": p.state,
        "values": p.values,
        "revision": p.revision,
        "updated_by_name": p.updated_by_name,
        "updated_at": _iso(p.updated_at),
    }


def _draft(data: dict[str, Any]) -> issuing.SurveyDraft:
    try:
        form = form_from(data.get("form") or {})
    except (KeyError, ValueError, TypeError):
        raise BadRequest("The form could not be read: check each question's type and fields.", field="form") from None
    return issuing.SurveyDraft(
        title=str(data.get("title", "")),
        deadline=issuing.parse_deadline(str(data.get("deadline", ""))),
        issuer_unit_id=str(data.get("issuer_unit_id") or ""),
        instructions=str(data.get("instructions") or ""),
        contact_details=str(data.get("contact_details") or ""),
        targets=tuple(str(t) for t in data.get("targets") or ()),
        form=form,
        remind_days_before=int(data.get("remind_days_before", 2)),
        external_targets=outside.parse(data.get("external_targets")),
        template_file_id=_template_id(data),
        layout_json=_layout_json(data),
    )


def _template_id(data: dict[str, Any]) -> str | None:
    from chalicelib.surveys import templates

    value = data.get("template_id")
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not templates.valid_id(value):
        raise BadRequest("{field} is not a valid value.", field="template_id")
    return value


def _layout_json(data: dict[str, Any]) -> str | None:
    import json

    from chalicelib.surveys.layout import SheetLayout

    value = data.get("layout")
    if not value:
        return None
    try:
        return json.dumps(SheetLayout.from_json(value).to_json(), ensure_ascii=False)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise BadRequest("{field} is not a valid value.", field="layout") from None


@bp.route("/api/surveys")
@operation("Surveys of my units: issued, to answer, parts forwarded to me", returns=SurveysOut, tag=TAG)
def list_surveys() -> Response:
    me = _me()
    out: SurveysOut = {
        "issued": [survey_json(s, issuer=True) for s in issuing.issued_by(me)],
        "to_answer": [answer_json(t.answer) for t in answering.to_answer(me)],
        "parts": [part_json(v.part) for v in fanout.my_parts(me)],
    }
    return web.json_response(out)


@bp.route("/api/surveys", methods=["POST"])
@operation("Start a draft survey", body=SurveyIn, returns=SurveyOut, status=201, tag=TAG)
def create_survey() -> Response:
    survey = issuing.create(_me(), _draft(web.json_body(bp.current_request)))
    return web.json_response(survey_json(survey, issuer=True), status=201)


@bp.route("/api/surveys/import-form", methods=["POST"], content_types=[XLSX, "application/octet-stream"])
@operation(
    "Read an Excel 様式 (.xlsx, the raw body) into a draft form, title and notes", returns=ImportedFormOut, tag=TAG
)
def import_form() -> Response:
    from chalicelib.core.i18n import gettext_for
    from chalicelib.surveys import form_import, templates

    _me()
    raw = bp.current_request.raw_body or b""
    body = raw if isinstance(raw, bytes) else raw.encode("latin-1")  # a binary type: bytes in practice
    if not body:
        raise BadRequest("Send the .xlsx file as the request body.", field="file")
    if len(body) > IMPORT_MAX_BYTES:
        raise BadRequest("The file is too large (at most {limit} MB).", field="file", limit=IMPORT_MAX_BYTES // 1024**2)
    imported = form_import.form_from_workbook(body)
    translate = gettext_for(web.state().language)
    out: ImportedFormOut = {
        "title": imported.title,
        "form": form_json(imported.form),
        "notes": [n.text(translate) if isinstance(n, form_import.ImportNote) else str(n) for n in imported.notes],
        "template_id": templates.keep(body),
        "layout": imported.layout.to_json(),
    }
    return web.json_response(out)


@bp.route("/api/surveys/{survey_id}")
@operation("A survey (its issuer and its answering units)", returns=SurveyOut, tag=TAG)
def get_survey(survey_id: str) -> Response:
    from chalicelib.surveys import access

    found = access.standing(_me(), survey_id)
    return web.json_response(survey_json(found.survey, issuer=found.issuer))


@bp.route("/api/surveys/{survey_id}", methods=["PUT"])
@operation("Change a draft survey", body=SurveyIn, returns=SurveyOut, tag=TAG)
def update_survey(survey_id: str) -> Response:
    data = web.json_body(bp.current_request)
    if data.get("revision") is None:
        raise BadRequest("Send the revision you edited.", field="revision")
    survey = issuing.update(_me(), survey_id, _draft(data), int(data["revision"]))
    return web.json_response(survey_json(survey, issuer=True))


@bp.route("/api/surveys/{survey_id}/issue", methods=["POST"])
@operation("Issue a survey now or at a set time", body=IssueIn, returns=SurveyOut, tag=TAG)
def issue_survey(survey_id: str) -> Response:
    data = web.json_body(bp.current_request)
    at = issuing.parse_deadline(str(data["issue_at"])) if data.get("issue_at") else None
    return web.json_response(survey_json(issuing.issue(_me(), survey_id, at=at), issuer=True))


@bp.route("/api/surveys/{survey_id}/close", methods=["POST"])
@operation("Close a survey: no more answers", returns=SurveyOut, tag=TAG)
def close_survey(survey_id: str) -> Response:
    return web.json_response(survey_json(issuing.close(_me(), survey_id), issuer=True))


@bp.route("/api/surveys/{survey_id}/copy", methods=["POST"])
@operation("Copy a past survey into a new draft", returns=SurveyOut, status=201, tag=TAG)
def copy_survey(survey_id: str) -> Response:
    return web.json_response(survey_json(issuing.copy(_me(), survey_id), issuer=True), status=201)


@bp.route("/api/surveys/{survey_id}/remind", methods=["POST"])
@operation("Send a reminder (督促) to units that have not answered", body=RemindIn, returns=RemindedOut, tag=TAG)
def remind(survey_id: str) -> Response:
    data = web.json_body(bp.current_request)
    sent = reminders.remind(_me(), survey_id, [str(u) for u in data.get("unit_ids") or []])
    return web.json_response({"reminded": sent})


@bp.route("/api/surveys/{survey_id}/external/{org_id}/resend", methods=["POST"])
@operation(
    "Send an outside organisation its invitation again (a new link; the old one stops working)",
    returns=ExternalTargetOut,
    tag=TAG,
)
def resend_invitation(survey_id: str, org_id: str) -> Response:
    target = invitations.resend(_me(), survey_id, org_id)
    out: ExternalTargetOut = {"org_id": target.org_id, "name": target.name, "email": target.email}
    return web.json_response(out)


@bp.route("/api/surveys/{survey_id}/board")
@operation("The status board: each target unit's state", query=BoardQuery, returns=BoardOut, tag=TAG)
def status_board(survey_id: str) -> Response:
    params: Any = bp.current_request.query_params or {}
    department = str(params.get("department") or "")
    found = board.board(_me(), survey_id, department=department, language=web.state().language)
    out: BoardOut = {
        "survey": survey_json(found.survey, issuer=True),
        "rows": [
            {
                "unit_id": r.unit_id,
                "unit_name": r.unit_name,
                "department_id": r.department_id,
                "department_name": r.department_name,
                "state": r.state.value,
                "updated_by_name": r.answer.updated_by_name,
                "updated_at": _iso(r.answer.updated_at),
                "late": r.answer.late,
            }
            for r in found.rows
        ],
        "counts": {k.value: v for k, v in found.counts.items()},
        "answered": found.answered,
        "total": found.total,
    }
    return web.json_response(out)


def _view_json(v: answering.AnswerView) -> AnswerViewOut:
    return {
        "survey": survey_json(v.survey, issuer=v.issuer),
        "answer": answer_json(v.answer),
        "parts": [part_json(p) for p in v.parts],
        "history": [
            {
                "action": h.action,
                "actor_name": h.actor_name,
                "fields": list(h.fields),
                "comment": h.comment,
                "at": h.at.isoformat(),
            }
            for h in v.history
        ],
        "member": v.member,
        "coordinator": v.coordinator,
        "head": v.head,
    }


ANSWER = "/api/surveys/{survey_id}/answers/{unit_id}"


@bp.route(ANSWER)
@operation("A unit's answer, its parts and history", returns=AnswerViewOut, tag=TAG)
def get_answer(survey_id: str, unit_id: str) -> Response:
    return web.json_response(_view_json(answering.view(_me(), survey_id, unit_id)))


def saved_json(answer: Answer | Part, errors: tuple[Any, ...]) -> SavedOut:
    from chalicelib.core.i18n import gettext_for

    translate = gettext_for(web.state().language)
    problems: list[ProblemOut] = [
        {
            "question_id": e.question_id,
            "column_id": e.column_id,
            "row": e.row,
            "message": translate(e.message).format(**e.params),
        }
        for e in errors
    ]
    shaped: Any = answer_json(answer) if isinstance(answer, Answer) else part_json(answer)
    return {"answer": shaped, "problems": problems}


@bp.route(ANSWER, methods=["PUT"])
@operation("Save the draft answer (autosave)", body=AnswerIn, returns=SavedOut, tag=TAG)
def save_answer(survey_id: str, unit_id: str) -> Response:
    body = parse_body(AnswerIn, web.json_body(bp.current_request))
    saved = answering.save(_me(), survey_id, unit_id, body.values, body.revision)
    return web.json_response(saved_json(saved.answer, saved.errors))


@bp.route(ANSWER + "/submit", methods=["POST"])
@operation("Submit the answer for approval", body=SubmitIn, returns=AnswerOut, tag=TAG)
def submit_answer(survey_id: str, unit_id: str) -> Response:
    body = parse_body(SubmitIn, web.json_body(bp.current_request))
    answer = answering.submit(_me(), survey_id, unit_id, body.revision, body.approver_id or None)
    return web.json_response(answer_json(answer))


@bp.route(ANSWER + "/not-applicable", methods=["POST"])
@operation("Answer 該当なし (nothing applies)", body=RevisionIn, returns=AnswerOut, tag=TAG)
def not_applicable(survey_id: str, unit_id: str) -> Response:
    body = parse_body(RevisionIn, web.json_body(bp.current_request))
    return web.json_response(answer_json(answering.not_applicable(_me(), survey_id, unit_id, body.revision)))


@bp.route(ANSWER + "/approve", methods=["POST"])
@operation("Approve the answer (所属長)", returns=AnswerOut, tag=TAG)
def approve(survey_id: str, unit_id: str) -> Response:
    return web.json_response(answer_json(answering.approve(_me(), survey_id, unit_id)))


@bp.route(ANSWER + "/return", methods=["POST"])
@operation("Return the answer with a comment (差戻し)", body=CommentIn, returns=AnswerOut, tag=TAG)
def return_answer(survey_id: str, unit_id: str) -> Response:
    body = parse_body(CommentIn, web.json_body(bp.current_request))
    return web.json_response(answer_json(answering.return_answer(_me(), survey_id, unit_id, body.comment)))


@bp.route(ANSWER + "/allow-reopen", methods=["POST"])
@operation("Let the unit take its answer back (照会元)", returns=AnswerOut, tag=TAG)
def allow_reopen(survey_id: str, unit_id: str) -> Response:
    return web.json_response(answer_json(answering.allow_reopen(_me(), survey_id, unit_id)))


@bp.route(ANSWER + "/reopen", methods=["POST"])
@operation("Take a submitted answer back to draft (when allowed)", returns=AnswerOut, tag=TAG)
def reopen(survey_id: str, unit_id: str) -> Response:
    return web.json_response(answer_json(answering.reopen(_me(), survey_id, unit_id)))


@bp.route(ANSWER + "/forward", methods=["POST"])
@operation("Forward the survey to sections or staff of the unit", body=ForwardIn, returns=PartsOut, tag=TAG)
def forward(survey_id: str, unit_id: str) -> Response:
    body = parse_body(ForwardIn, web.json_body(bp.current_request))
    parts = fanout.forward(
        _me(), survey_id, unit_id, assignees=body.assignees, note=body.note, question_ids=body.question_ids
    )
    return web.json_response({"items": [part_json(p) for p in parts]})


@bp.route(ANSWER + "/merge", methods=["POST"])
@operation("Merge the parts sent back into the unit's answer", body=RevisionIn, returns=SavedOut, tag=TAG)
def merge(survey_id: str, unit_id: str) -> Response:
    body = parse_body(RevisionIn, web.json_body(bp.current_request))
    saved = fanout.merge(_me(), survey_id, unit_id, body.revision)
    return web.json_response(saved_json(saved.answer, saved.errors))


PART = ANSWER + "/parts/{part_id}"


@bp.route(PART)
@operation("A part forwarded to a section or a person", returns=PartOut, tag=TAG)
def get_part(survey_id: str, unit_id: str, part_id: str) -> Response:
    return web.json_response(part_json(fanout.view_part(_me(), survey_id, unit_id, part_id).part))


@bp.route(PART, methods=["PUT"])
@operation("Save a part (autosave)", body=AnswerIn, returns=SavedOut, tag=TAG)
def save_part(survey_id: str, unit_id: str, part_id: str) -> Response:
    body = parse_body(AnswerIn, web.json_body(bp.current_request))
    part, errors = fanout.save_part(_me(), survey_id, unit_id, part_id, raw=body.values, revision=body.revision)
    return web.json_response(saved_json(part, errors))


@bp.route(PART + "/send", methods=["POST"])
@operation("Send a part back to the coordinator", returns=PartOut, tag=TAG)
def send_part(survey_id: str, unit_id: str, part_id: str) -> Response:
    return web.json_response(part_json(fanout.send_back(_me(), survey_id, unit_id, part_id)))


@bp.route("/api/surveys/{survey_id}/export")
@operation(
    "Every answer as one download: XLSX (集計 and a sheet per 所属) or CSV (UTF-8 with BOM, or cp932); "
    "answers 303 to a short-lived URL of the file",
    query=ExportQuery,
    status=303,
    tag=TAG,
)
def export_answers(survey_id: str) -> Response:
    params: Any = bp.current_request.query_params or {}
    url = results.download_url(
        _me(),
        survey_id,
        fmt=str(params.get("format") or "xlsx"),
        encoding=str(params.get("encoding") or "utf-8"),
        language=web.state().language,
    )
    return Response(body="", status_code=303, headers={"Location": url, "Cache-Control": "no-store"})


@bp.route("/api/surveys/{survey_id}/export/cp932")
@operation("What a Shift_JIS (cp932) CSV could not hold, listed before the download", returns=Cp932Out, tag=TAG)
def cp932_report(survey_id: str) -> Response:
    problems = results.cp932_report(_me(), survey_id, web.state().language)
    out: Cp932Out = {
        "problems": [
            {"unit": x.unit_name, "where": x.where, "char": x.char, "codepoint": x.codepoint} for x in problems
        ]
    }
    return web.json_response(out)
