"""The answer pages: a 所属's answer (to fill in, approve, return or read) and a part forwarded
to a 係 or a person.

Typing is saved as it happens by surveys_answer.js through the JSON API (autosave with the
answer's revision); every step that moves the answer on (提出, 該当なし, 転送, 取りまとめ, 承認,
差戻し, 再編集) is a plain form posted here, then 303 back to the page with what was done. An
answer that cannot be submitted yet is shown again with each problem next to its question.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.core import mute_toggle, web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.i18n import gettext_for
from chalicelib.core.layout import page
from chalicelib.surveys import answer_view, answering, answers, fanout, invitations, outside
from chalicelib.surveys.answers import AnswerError
from chalicelib.surveys.pages import survey_path

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
FIXABLE = (BadRequest, Conflict)
AREA = "surveys"
ANSWER = "/surveys/{survey_id}/answers/{unit_id}"
PART = ANSWER + "/parts/{part_id}"
DONE = (
    "submitted",
    "not-applicable",
    "forwarded",
    "merged",
    "approved",
    "returned",
    "reopen-allowed",
    "reopened",
    "sent",
    "invitation-resent",
)
Action = Callable[[Principal, str, str, dict[str, list[str]]], str]


def _me() -> Principal:
    return require_signed_in(web.principal())


def _language() -> str:
    return web.state().language


def _done() -> str:
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    done = str(params.get("done") or "")
    return done if done in DONE else ""


def _first(data: dict[str, list[str]], name: str) -> str:
    values = data.get(name) or [""]
    return values[-1]


def _revision(data: dict[str, list[str]]) -> int:
    try:
        return int(_first(data, "revision"))
    except ValueError:
        raise BadRequest("Reload the page and try again.", field="revision") from None


@bp.route(ANSWER)
def answer(survey_id: str, unit_id: str) -> Response:
    return answer_page(unquote(survey_id), unquote(unit_id), done=_done())


def answer_page(
    survey_id: str,
    unit_id: str,
    *,
    status: int = 200,
    error: str | None = None,
    done: str = "",
    errors: tuple[AnswerError, ...] = (),
) -> Response:
    me = _me()
    context = answer_view.answer_context(me, survey_id, unit_id, _language(), errors=errors)
    mute = mute_toggle.toggle(me, "survey", survey_id)
    return page("surveys/answer.html", status=status, current_area=AREA, error=error, done=done, mute=mute, **context)


def _act(survey_id: str, unit_id: str, action: Action) -> Response:
    survey_id, unit_id = unquote(survey_id), unquote(unit_id)
    data = web.form_lists(bp.current_request)
    me = _me()
    try:
        done = action(me, survey_id, unit_id, data)
    except FIXABLE as err:
        errors: tuple[AnswerError, ...] = ()
        if err.details.get("field") == "values":  # not complete: show each problem at its question
            errors = _problems(me, survey_id, unit_id)
        text = err.text(gettext_for(_language()))
        return answer_page(survey_id, unit_id, status=err.status, error=text, errors=errors)
    return web.redirect(survey_path(survey_id, "answers", unit_id) + f"?done={done}")


def _problems(me: Principal, survey_id: str, unit_id: str) -> tuple[AnswerError, ...]:
    v = answering.view(me, survey_id, unit_id)
    return tuple(answers.clean_answer(v.survey.form, v.answer.values, submit=True).errors)


@bp.route(ANSWER + "/submit", methods=["POST"], content_types=FORM)
def submit(survey_id: str, unit_id: str) -> Response:
    def action(me: Principal, s: str, u: str, data: dict[str, list[str]]) -> str:
        answering.submit(me, s, u, _revision(data), _first(data, "approver_id") or None)
        return "submitted"

    return _act(survey_id, unit_id, action)


@bp.route(ANSWER + "/not-applicable", methods=["POST"], content_types=FORM)
def not_applicable(survey_id: str, unit_id: str) -> Response:
    return _act(
        survey_id, unit_id, lambda me, s, u, d: (answering.not_applicable(me, s, u, _revision(d)), "not-applicable")[1]
    )


@bp.route(ANSWER + "/forward", methods=["POST"], content_types=FORM)
def forward(survey_id: str, unit_id: str) -> Response:
    def action(me: Principal, s: str, u: str, data: dict[str, list[str]]) -> str:
        assignees = [a for a in data.get("assignees", []) if a]
        questions = [q for q in data.get("question_ids", []) if q]
        fanout.forward(me, s, u, assignees=assignees, note=_first(data, "note"), question_ids=questions)
        return "forwarded"

    return _act(survey_id, unit_id, action)


@bp.route(ANSWER + "/merge", methods=["POST"], content_types=FORM)
def merge(survey_id: str, unit_id: str) -> Response:
    return _act(survey_id, unit_id, lambda me, s, u, d: (fanout.merge(me, s, u, _revision(d)), "merged")[1])


@bp.route(ANSWER + "/approve", methods=["POST"], content_types=FORM)
def approve(survey_id: str, unit_id: str) -> Response:
    return _act(survey_id, unit_id, lambda me, s, u, d: (answering.approve(me, s, u), "approved")[1])


@bp.route(ANSWER + "/return", methods=["POST"], content_types=FORM)
def return_answer(survey_id: str, unit_id: str) -> Response:
    return _act(
        survey_id, unit_id, lambda me, s, u, d: (answering.return_answer(me, s, u, _first(d, "comment")), "returned")[1]
    )


@bp.route(ANSWER + "/allow-reopen", methods=["POST"], content_types=FORM)
def allow_reopen(survey_id: str, unit_id: str) -> Response:
    return _act(survey_id, unit_id, lambda me, s, u, d: (answering.allow_reopen(me, s, u), "reopen-allowed")[1])


@bp.route(ANSWER + "/resend-invitation", methods=["POST"], content_types=FORM)
def resend_invitation(survey_id: str, unit_id: str) -> Response:
    """The issuer sends an outside organisation its invitation again (a new link)."""
    return _act(
        survey_id,
        unit_id,
        lambda me, s, u, d: (invitations.resend(me, s, outside.org_of(u)), "invitation-resent")[1],
    )


@bp.route(ANSWER + "/reopen", methods=["POST"], content_types=FORM)
def reopen(survey_id: str, unit_id: str) -> Response:
    return _act(survey_id, unit_id, lambda me, s, u, d: (answering.reopen(me, s, u), "reopened")[1])


# --- a part forwarded to a 係 or a person -------------------------------------------------------


@bp.route(PART)
def part(survey_id: str, unit_id: str, part_id: str) -> Response:
    return _part_page(unquote(survey_id), unquote(unit_id), unquote(part_id), done=_done())


def _part_page(
    survey_id: str, unit_id: str, part_id: str, *, status: int = 200, error: str | None = None, done: str = ""
) -> Response:
    context = answer_view.part_context(_me(), survey_id, unit_id, part_id, _language())
    return page("surveys/part.html", status=status, current_area=AREA, error=error, done=done, **context)


@bp.route(PART + "/send", methods=["POST"], content_types=FORM)
def send_part(survey_id: str, unit_id: str, part_id: str) -> Response:
    survey_id, unit_id, part_id = unquote(survey_id), unquote(unit_id), unquote(part_id)
    try:
        fanout.send_back(_me(), survey_id, unit_id, part_id)
    except FIXABLE as err:
        text = err.text(gettext_for(_language()))
        return _part_page(survey_id, unit_id, part_id, status=err.status, error=text)
    return web.redirect(survey_path(survey_id, "answers", unit_id, "parts", part_id) + "?done=sent")
