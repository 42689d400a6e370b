"""The pages of one application (its applicant, the project's owners, and once sent for consent the
applicant's 所属長) with the step each of them may take, and /consents: the 所属長's applications
waiting for consent and their staff's outside commitments and 実績.

Steps are plain forms, answered 303 back to the application with what was done; a refusal the
person can fix (a missing comment, the cap without an override) shows the page again with it.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Principal
from chalicelib.core.layout import page
from chalicelib.projects.recruiting import applications, consent, page_views
from chalicelib.projects.recruiting.pages import AREA, FIXABLE, FORM, error_text, language, me

bp = Blueprint(__name__)
DONE = ("applied", "withdrawn", "proceeded", "declined", "consented", "refused")
Step = Callable[[Principal, str, dict[str, str]], object]


def _done() -> str:
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    value = str(params.get("done") or "")
    return value if value in DONE else ""


def application_path(application_id: str) -> str:
    return f"/applications/{application_id}"


@bp.route("/applications/{application_id}")
def application(application_id: str) -> Response:
    return application_page(unquote(application_id), done=_done())


def application_page(application_id: str, *, status: int = 200, error: str | None = None, done: str = "") -> Response:
    context = page_views.application_context(me(), application_id, language())
    subnav = "consents" if context["standing"].head else "mine"
    return page(
        "projects/application.html", status=status, current_area=AREA, subnav=subnav, error=error, done=done, **context
    )


def _step(application_id: str, step: Step, done: str) -> Response:
    application_id = unquote(application_id)
    data = web.form(bp.current_request)
    try:
        step(me(), application_id, data)
    except FIXABLE as err:
        return application_page(application_id, status=err.status, error=error_text(err))
    return web.redirect(f"{application_path(application_id)}?done={done}")


@bp.route("/applications/{application_id}/withdraw", methods=["POST"], content_types=FORM)
def withdraw(application_id: str) -> Response:
    return _step(application_id, lambda p, a, _: applications.withdraw(p, a), "withdrawn")


@bp.route("/applications/{application_id}/proceed", methods=["POST"], content_types=FORM)
def proceed(application_id: str) -> Response:
    return _step(application_id, lambda p, a, d: applications.proceed(p, a, d.get("comment", "")), "proceeded")


@bp.route("/applications/{application_id}/decline", methods=["POST"], content_types=FORM)
def decline(application_id: str) -> Response:
    return _step(application_id, lambda p, a, d: applications.decline(p, a, d.get("comment", "")), "declined")


@bp.route("/applications/{application_id}/consent", methods=["POST"], content_types=FORM)
def give_consent(application_id: str) -> Response:
    def step(p: Principal, a: str, d: dict[str, str]) -> object:
        return consent.consent(
            p, a, comment=d.get("comment", ""), override=d.get("override") == "yes", reason=d.get("override_reason", "")
        )

    return _step(application_id, step, "consented")


@bp.route("/applications/{application_id}/refuse", methods=["POST"], content_types=FORM)
def refuse(application_id: str) -> Response:
    return _step(application_id, lambda p, a, d: consent.refuse(p, a, d.get("comment", "")), "refused")


@bp.route("/consents")
def consents() -> Response:
    context = page_views.consents_context(me(), language())
    return page("projects/consents.html", current_area=AREA, subnav="consents", **context)
