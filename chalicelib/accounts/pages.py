"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.accounts import service
from chalicelib.core import web
from chalicelib.core.errors import KumoError
from chalicelib.core.i18n import gettext_for
from chalicelib.core.layout import page

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
SESSION_MAX_AGE_S = int(service.SESSION_MAX_AGE.total_seconds())


def _signed_in_response(result: service.SignedIn, next_path: str | None) -> Response:
    cookie = web.cookie(web.SESSION_COOKIE, result.cookie_value, max_age=SESSION_MAX_AGE_S)
    return web.redirect(web.safe_next(next_path), set_cookies=[cookie, web.expired_cookie(web.PRE_SESSION_CSRF_COOKIE)])


def _request_meta() -> dict[str, str | None]:
    request = bp.current_request
    return {"ip": web.client_ip(request), "user_agent": web.header(request, "user-agent")}


@bp.route("/login")
def login_form() -> Response:
    params: Any = bp.current_request.query_params or {}
    if web.principal() is not None:
        return web.redirect(web.safe_next(params.get("next")), status=302)
    return page("login.html", next_path=web.safe_next(params.get("next")), error=None, staff_id="")


@bp.route("/login", methods=["POST"], content_types=FORM)
def login_submit() -> Response:
    data = web.form(bp.current_request)
    next_path = web.safe_next(data.get("next"))
    try:
        result = service.sign_in(data.get("staff_id", ""), data.get("password", ""), **_request_meta())
    except KumoError as err:
        message = err.text(gettext_for(web.state().language))
        return page(
            "login.html", status=err.status, next_path=next_path, error=message, staff_id=data.get("staff_id", "")[:128]
        )
    if isinstance(result, service.PasswordChangeNeeded):
        return page(
            "new_password.html",
            next_path=next_path,
            staff_id=result.username,
            challenge=result.challenge_session,
            error=None,
        )
    return _signed_in_response(result, next_path)


@bp.route("/login/new-password", methods=["POST"], content_types=FORM)
def new_password_submit() -> Response:
    data = web.form(bp.current_request)
    next_path = web.safe_next(data.get("next"))
    staff_id, challenge = data.get("staff_id", "")[:128], data.get("challenge", "")
    if data.get("new_password") != data.get("confirm_password"):
        _ = gettext_for(web.state().language)
        message = _("The two passwords do not match.")
        return page(
            "new_password.html", status=400, next_path=next_path, staff_id=staff_id, challenge=challenge, error=message
        )
    try:
        result = service.complete_new_password(staff_id, challenge, data.get("new_password", ""), **_request_meta())
    except KumoError as err:
        message = err.text(gettext_for(web.state().language))
        return page(
            "new_password.html",
            status=err.status,
            next_path=next_path,
            staff_id=staff_id,
            challenge=challenge,
            error=message,
        )
    return _signed_in_response(result, next_path)


@bp.route("/logout", methods=["POST"], content_types=FORM)
def logout() -> Response:
    service.sign_out(web.state().session_cookie)
    return web.redirect("/login", set_cookies=[web.expired_cookie(web.SESSION_COOKIE)])
