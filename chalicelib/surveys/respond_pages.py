"""The pages of an organisation outside the prefecture answering a survey: no account, only the
link mailed to its contact (`/r/#<token>`).

- GET /r is what the link opens. The token is in the fragment, which no server log and no
  Referer carries; share.js takes it out of the address bar and posts it to /r/open, which trades
  it for the partner session cookie (sharing's, the same as a file link's) and goes on to /r/view.
- /r/view shows the e-mail gate (the address, then the 6-digit code: the sharing slice's forms)
  or, once through, the survey and the organisation's own answer: the staff answer form
  (surveys/form_macros.html), saved as it is typed by surveys_answer.js through /api/respond.
  Submitting, and taking a submitted answer back to change it, are plain POST forms here.
- Every refusal is a page of the respondent's own layout with its status, Japanese or English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.core import error_pages, templating, web
from chalicelib.core.errors import BadRequest, Conflict, KumoError, TooManyRequests, Unauthenticated
from chalicelib.core.i18n import gettext_for
from chalicelib.directory import service as directory
from chalicelib.files import views as file_views
from chalicelib.sharing import external as external_links
from chalicelib.sharing import partner, partner_types, partner_web
from chalicelib.sharing.partner import Visit
from chalicelib.surveys import answer_files, form_view, respond
from chalicelib.surveys.answers import AnswerError
from chalicelib.surveys.invitations import KIND
from chalicelib.surveys.model import now
from chalicelib.surveys.states import BOARD_LABELS, board_state
from chalicelib.surveys.views import deadline_of

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
VIEW = "/r/view"
FIXABLE = (BadRequest, Unauthenticated, TooManyRequests, Conflict)
DONE = ("submitted", "not-applicable", "taken-back")

# A respondent session that arrives at the file-link pages (/s/#<token>) is sent on to its own.
external_links.register_page(KIND, VIEW)


def _text(err: KumoError) -> str:
    return err.text(gettext_for(web.state().language))


def _render(template: str, *, status: int = 200, headers: dict[str, Any] | None = None, **context: Any) -> Response:
    state = web.state()
    here = state.path if bp.current_request.method == "GET" else VIEW
    body = templating.render(
        template, state.language, csrf_token=state.csrf_token, current_path=here, status=status, **context
    )
    return web.html(body, status=status, headers=headers)


def error_page(message: str, status: int, state: web.RequestState) -> Response:
    """Any refusal under /r/ (a route's, or the middleware's CSRF check): the respondent's page."""
    body = templating.render(
        "surveys/respond_error.html",
        state.language,
        csrf_token=state.csrf_token,
        current_path=VIEW,
        status=status,
        message=message,
    )
    return web.html(body, status=status)


error_pages.register("/r", error_page)


def _error(err: KumoError) -> Response:
    headers = None
    if isinstance(err, Unauthenticated):  # the session is over: the browser may forget its cookie
        headers = {"Set-Cookie": [web.expired_cookie(partner.SESSION_COOKIE)]}
    return _render("surveys/respond_error.html", status=err.status, headers=headers, message=_text(err))


def _answer(action: Callable[[], Response]) -> Response:
    try:
        return action()
    except KumoError as err:
        return _error(err)


def _visit() -> Visit:
    return partner_web.visit_of(bp.current_request)


def _revision(data: dict[str, str]) -> int:
    try:
        return int(data.get("revision", ""))
    except ValueError:
        raise BadRequest("Reload the page and try again.", field="revision") from None


def _query(name: str) -> str:
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    return str(params.get(name) or "")


def _content(visit: Visit, errors: tuple[AnswerError, ...]) -> dict[str, Any]:
    v = respond.view(visit, *respond.own_answer(visit))
    s, a = v.survey, v.answer
    language = web.state().language
    return {
        "view": v,
        "survey": s,
        "answer": a,
        "issuer_name": directory.unit_name(s.issuer_unit_id, language),
        "deadline": deadline_of(s.deadline),
        "state": board_state(a.state, a.deadline, now()),
        "board_labels": BOARD_LABELS,
        "fields": form_view.fields(s.form, a.values, gettext_for(language), errors=errors),
        "save_url": f"/api/respond/surveys/{s.survey_id}/answers/{a.unit_id}",
        # File questions: uploads through the partner path, the organisation's own files under /r/.
        "file_base": "/r/answer-files/",
        "upload_url": f"/api/respond/surveys/{s.survey_id}/answers/{a.unit_id}/uploads" if v.editable else "",
        "upload_api": "/api/share",
        "upload": {**file_views.upload_settings(), "allowed": sorted(partner_types.allowed())},
        "no_paste": True,  # an organisation outside reads nothing in Kumo: it only uploads
        "file_states": answer_files.unchecked(s, a.values) if v.editable else {},
    }


def _view(
    visit: Visit, *, status: int = 200, error: str | None = None, step: str = "", errors: tuple[AnswerError, ...] = ()
) -> Response:
    if visit.link.kind != KIND:  # a file link's session: its own pages
        return web.redirect("/s/view")
    context: dict[str, Any] = {"error": error, "gate": visit.gates[0] if visit.gates else None}
    if context["gate"] == "email":  # a code already on its way is asked for, unless they want a new one
        pending = "code" if visit.session.pending_email else "email"
        context.update(step=step if step in ("email", "code") else pending, code_minutes=partner.CODE_MINUTES)
        context["issuer_name"] = directory.department_name(visit.link.owner_department_id, web.state().language)
    elif context["gate"] is None:
        context.update(_content(visit, errors), done=_query("done") if _query("done") in DONE else "")
    return _render("surveys/respond.html", status=status, **context)


def _gate(action: Callable[[Visit, dict[str, str]], None], *, done: str = VIEW, step: str = "") -> Response:
    data = web.form(bp.current_request)
    visit = _visit()
    try:
        action(visit, data)
    except FIXABLE as err:
        return _view(_visit(), status=err.status, error=_text(err), step=step)
    return web.redirect(done)


def _act(action: Callable[[Visit, str, str, dict[str, str]], str]) -> Response:
    """A step on the answer: done, back to the page saying so; a fixable refusal, the page again
    with the message (and, for an incomplete answer, each problem at its question)."""
    data = web.form(bp.current_request)
    visit = _visit()
    survey_id, unit_id = respond.own_answer(visit)
    try:
        done = action(visit, survey_id, unit_id, data)
    except FIXABLE as err:
        errors = respond.problems(visit, survey_id, unit_id) if err.details.get("field") == "values" else ()
        return _view(visit, status=err.status, error=_text(err), errors=errors)
    return web.redirect(f"{VIEW}?done={done}")


# --- pages -------------------------------------------------------------------------------------


@bp.route("/r")
def opener() -> Response:
    """The page the mailed link opens; its script does the rest."""
    return _render("surveys/respond_open.html")


@bp.route("/r/open", methods=["POST"], content_types=FORM)
def open_link() -> Response:
    return _answer(lambda: partner_web.open_page(bp.current_request, VIEW))


@bp.route("/r/view")
def view() -> Response:
    return _answer(lambda: _view(_visit(), step=_query("step")))


@bp.route("/r/email", methods=["POST"], content_types=FORM)
def email() -> Response:
    return _answer(lambda: _gate(lambda v, d: partner.send_code(v, d.get("email", "")), done=f"{VIEW}?step=code"))


@bp.route("/r/code", methods=["POST"], content_types=FORM)
def code() -> Response:
    return _answer(lambda: _gate(lambda v, d: partner.enter_code(v, d.get("code", "")), step="code"))


@bp.route("/r/attachments/{attachment_id}")
def attachment(attachment_id: str) -> Response:
    """A file the 照会元 sent with the survey, through this session (never a staff address)."""
    return _answer(lambda: web.redirect(respond.attachment_url(_visit(), unquote(attachment_id)), status=302))


@bp.route("/r/answer-files/{file_id}")
def answer_file(file_id: str) -> Response:
    """A file of the organisation's own answer (as it uploaded it), once checked for viruses."""
    return _answer(lambda: web.redirect(respond.file_url(_visit(), unquote(file_id)), status=302))


@bp.route("/r/submit", methods=["POST"], content_types=FORM)
def submit() -> Response:
    return _answer(lambda: _act(lambda v, s, u, d: (respond.submit(v, s, u, _revision(d)), "submitted")[1]))


@bp.route("/r/not-applicable", methods=["POST"], content_types=FORM)
def not_applicable() -> Response:
    return _answer(
        lambda: _act(lambda v, s, u, d: (respond.not_applicable(v, s, u, _revision(d)), "not-applicable")[1])
    )


@bp.route("/r/take-back", methods=["POST"], content_types=FORM)
def take_back() -> Response:
    return _answer(lambda: _act(lambda v, s, u, d: (respond.take_back(v, s, u), "taken-back")[1]))


@bp.route("/r/close", methods=["POST"], content_types=FORM)
def close() -> Response:
    """Forget the link on this browser (a shared computer): the session ends at once."""
    partner.end(web.cookies(bp.current_request).get(partner.SESSION_COOKIE))
    return _render(
        "surveys/respond_error.html",
        status=200,
        closed_session=True,
        message="",
        headers={"Set-Cookie": [web.expired_cookie(partner.SESSION_COOKIE)]},
    )
