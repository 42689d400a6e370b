"""JSON API of sessions: sign in, who am I, sign out."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.accounts import service
from chalicelib.accounts.schemas import MeOut, SessionOut, SignIn
from chalicelib.core import web
from chalicelib.core.auth import require_signed_in
from chalicelib.core.contract import operation
from chalicelib.core.errors import Unauthenticated

bp = Blueprint(__name__)


def _me() -> MeOut:
    p = require_signed_in(web.principal())
    return {
        "staff_id": p.staff_id,
        "display_name": p.display_name,
        "email": p.email,
        "department_id": p.department_id,
        "unit_id": p.unit_id,
        "assignments": [{"path": list(a.path), "post": a.post.value} for a in (p.assignments or (p.main,))],
        "role": p.role.value,
    }


@bp.route("/api/session", methods=["POST"])
@operation(
    "Sign in: sets the session cookie, answers the CSRF token",
    body=SignIn,
    returns=SessionOut,
    status=201,
    auth="anyone",
    tag="session",
)
def create_session() -> Response:
    data = web.json_body(bp.current_request)
    request = bp.current_request
    result = service.sign_in(
        str(data.get("staff_id", "")),
        str(data.get("password", "")),
        ip=web.client_ip(request),
        user_agent=web.header(request, "user-agent"),
    )
    if isinstance(result, service.PasswordChangeNeeded):
        raise Unauthenticated("You must set a new password: sign in on the web page.")
    cookie = web.cookie(web.SESSION_COOKIE, result.cookie_value, max_age=int(service.SESSION_MAX_AGE.total_seconds()))
    p = result.session.principal
    answer: SessionOut = {
        "staff_id": p.staff_id,
        "display_name": p.display_name,
        "department_id": p.department_id,
        "role": p.role.value,
        "csrf_token": result.session.csrf_token,
    }
    return web.json_response(answer, status=201, headers={"Set-Cookie": [cookie]})


@bp.route("/api/session", methods=["DELETE"])
@operation("Sign out", status=204, auth="anyone", tag="session")
def delete_session() -> Response:
    service.sign_out(web.state().session_cookie)
    return Response(body="", status_code=204, headers={"Set-Cookie": [web.expired_cookie(web.SESSION_COOKIE)]})


@bp.route("/api/me")
@operation("Who is signed in", returns=MeOut, tag="session")
def me() -> Response:
    return web.json_response(_me())
