"""The staff's survey pages for the 照会元 and the lists: my surveys, the editor, the issuer's page
with its status board, and the issuer's actions (issue, close, copy, 督促).

Actions are plain forms (POST with the CSRF field, then 303 back with a note of what was done),
as on the Files pages, so a reload never sends one again; a refusal the person can fix shows the
page again with the reason. The editor's question builder is browser code (surveys_editor.js)
that saves through the JSON API; it issues through the form here, so the problems of a form that
cannot be issued come back translated, next to their questions. Who may see what is decided by
the use-case modules: anything else answers the site's 404 page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from chalice import Blueprint, Response

from chalicelib.core import mute_toggle, web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, KumoError
from chalicelib.core.i18n import gettext_for
from chalicelib.core.layout import page
from chalicelib.surveys import access, editor_view, issuing, reminders, views
from chalicelib.surveys.states import SurveyState

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
FIXABLE = (BadRequest, Conflict)
AREA = "surveys"
DONE = ("issued", "scheduled", "closed", "reminded", "nothing-to-remind")
EDITOR_DONE = ("attached", "attachment-removed")


def _me() -> Principal:
    return require_signed_in(web.principal())


def _language() -> str:
    return web.state().language


def _text(err: KumoError) -> str:
    return err.text(gettext_for(_language()))


def _query(name: str) -> str:
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    return str(params.get(name) or "")


def survey_path(survey_id: str, *rest: str) -> str:
    return "/".join(["/surveys", quote(survey_id, safe=""), *(quote(r, safe="") for r in rest)])


@bp.route("/surveys")
def surveys() -> Response:
    return page("surveys/list.html", current_area=AREA, **views.list_context(_me(), _language()))


# --- the editor ----------------------------------------------------------------------------------


@bp.route("/surveys/new")
def new_survey() -> Response:
    return _editor(None)


@bp.route("/surveys/{survey_id}/edit")
def edit_survey(survey_id: str) -> Response:
    survey = access.as_issuer(_me(), unquote(survey_id))
    if survey.state is not SurveyState.DRAFT:
        return web.redirect(survey_path(survey.survey_id), status=302)
    return _editor(survey.survey_id)


def _editor(survey_id: str | None, *, status: int = 200, error: str | None = None, problems: Any = None) -> Response:
    context = editor_view.editor_context(_me(), survey_id, _language(), problems=problems or [])
    done = _query("done") if not error else ""
    return page(
        "surveys/editor.html",
        status=status,
        current_area=AREA,
        error=error,
        done=done if done in EDITOR_DONE else "",
        **context,
    )


@bp.route("/surveys/{survey_id}/preview")
def preview(survey_id: str) -> Response:
    """The form as a respondent will see it, read-only (the editor shows it in place)."""
    survey = access.as_issuer(_me(), unquote(survey_id))
    context = editor_view.preview_context(survey, _language())
    return page("surveys/preview.html", current_area=AREA, **context)


@bp.route("/surveys/{survey_id}/issue", methods=["POST"], content_types=FORM)
def issue(survey_id: str) -> Response:
    survey_id = unquote(survey_id)
    data = web.form(bp.current_request)
    me = _me()
    try:
        at = None
        if data.get("when") == "later":
            when = f"{data.get('issue_date', '')}T{data.get('issue_time') or '09:00'}"
            at = issuing.parse_deadline(when) if data.get("issue_date") else None
            if at is None:
                raise BadRequest("Enter the date and time to issue the survey.", field="issue_at")
        survey = issuing.issue(me, survey_id, at=at)
    except FIXABLE as err:
        return _editor(survey_id, status=err.status, error=_text(err), problems=err.details.get("problems"))
    done = "scheduled" if survey.state is SurveyState.SCHEDULED else "issued"
    return web.redirect(survey_path(survey_id) + f"?done={done}")


# --- the issuer's page and board --------------------------------------------------------------------


@bp.route("/surveys/{survey_id}")
def survey(survey_id: str) -> Response:
    done = _query("done")
    return _survey_page(unquote(survey_id), done=done if done in DONE else "")


def _survey_page(survey_id: str, *, status: int = 200, error: str | None = None, done: str = "") -> Response:
    me = _me()
    found = access.standing(me, survey_id)
    if not found.issuer:  # a member of a target 所属: their own answer is their page of it
        return web.redirect(survey_path(survey_id, "answers", found.answering[0]), status=302)
    if found.survey.state is SurveyState.DRAFT and not error:
        return web.redirect(survey_path(survey_id, "edit"), status=302)
    context = views.board_context(me, survey_id, _query("department"), _language())
    done_count = _query("count") if done == "reminded" else ""
    return page(
        "surveys/survey.html",
        status=status,
        current_area=AREA,
        error=error,
        done=done,
        done_count=done_count,
        mute=mute_toggle.toggle(me, "survey", survey_id),
        **context,
    )


def _act(survey_id: str, action: Any) -> Response:
    survey_id = unquote(survey_id)
    try:
        target: str = action(_me(), survey_id)
    except FIXABLE as err:
        return _survey_page(survey_id, status=err.status, error=_text(err))
    return web.redirect(target)


@bp.route("/surveys/{survey_id}/close", methods=["POST"], content_types=FORM)
def close(survey_id: str) -> Response:
    return _act(survey_id, lambda me, i: (issuing.close(me, i), survey_path(i) + "?done=closed")[1])


@bp.route("/surveys/{survey_id}/copy", methods=["POST"], content_types=FORM)
def copy(survey_id: str) -> Response:
    return _act(survey_id, lambda me, i: survey_path(issuing.copy(me, i).survey_id, "edit"))


@bp.route("/surveys/{survey_id}/remind", methods=["POST"], content_types=FORM)
def remind(survey_id: str) -> Response:
    data = web.form_lists(bp.current_request)
    picked = [u for u in data.get("unit_ids", []) if u]

    def action(me: Principal, i: str) -> str:
        if data.get("scope") == ["picked"] and not picked:
            raise BadRequest("Pick the units to remind.", field="unit_ids")
        sent = reminders.remind(me, i, picked or None)
        return survey_path(i) + (f"?done=reminded&count={len(sent)}" if sent else "?done=nothing-to-remind")

    return _act(survey_id, action)
