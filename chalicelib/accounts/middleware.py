"""The HTTP middleware: correlation id, language, session, CSRF, errors, security headers.

Every request passes here, so these rules cannot be forgotten by a route:
- a page without a session redirects to the sign-in page; an API call gets a 401 in JSON;
- every state-changing request made with the session cookie carries the session's CSRF
  token (form field `csrf_token` or header `X-CSRF-Token`); before sign-in the token is a
  double-submit cookie;
- a KumoError becomes its status with a message in the reader's language;
- every response carries the security headers.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.accounts import service as accounts
from chalicelib.core import contract, error_pages, i18n, web
from chalicelib.core.errors import Forbidden, KumoError, NotFound, ServerError, Unauthenticated
from chalicelib.core.observability import logger, metrics, segment

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PUBLIC_PATHS = {"/login", "/login/new-password", "/language", "/healthz", "/api/session", "/api/openapi.json"}
# Pages and API of link holders with no account: share links (/s/) and survey respondents (/r/).
PARTNER_PREFIXES = ("/s/", "/api/share/", "/r/", "/api/respond/")  # the token must never leak via Referer
PARTNER_PATHS = {"/s", "/api/share", "/r", "/api/respond"}
# A person's iCal feed (/calendar/<secret>.ics): calendar apps cannot sign in, the secret is the right.
CALENDAR_FEED_PREFIX = "/calendar/"
# The unsubscribe link in a mail (notifications/settings_routes.py): its signature is the right.
UNSUBSCRIBE_PREFIX = "/unsubscribe/"
PUBLIC_PREFIXES = ("/static/", CALENDAR_FEED_PREFIX, UNSUBSCRIBE_PREFIX, *PARTNER_PREFIXES)


def content_security_policy(upload_origin: str = "") -> str:
    """No inline script anywhere; uploads may go to the files bucket's origin and nowhere else."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            f"connect-src 'self' {upload_origin}".strip(),
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action 'self' {upload_origin}".strip(),
            "frame-ancestors 'none'",
        ]
    )


def guard_views(app: Any) -> None:
    """Let KumoError from a view become its own status and message.

    Chalice turns any exception raised inside a view into a bare 500 before middleware sees
    it, so each registered view is wrapped once, at start-up, to answer errors the Kumo way.
    """
    for methods in app.routes.values():
        for entry in methods.values():
            if not getattr(entry.view_function, "_kumo_guarded", False):
                entry.view_function = _guarded(entry.view_function, app)


def _guarded(view: Callable[..., Any], app: Any) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            contract.check_request(view, app.current_request)
            return view(*args, **kwargs)
        except KumoError as err:
            return error_response(app.current_request, err, web.state())
        except Exception:
            logger.exception("unhandled error", extra={"path": app.current_request.path})
            return error_response(app.current_request, ServerError(error_pages.SERVER_ERROR), web.state())

    wrapper._kumo_guarded = True  # type: ignore[attr-defined]
    return wrapper


def security_headers(secure: bool, upload_origin: str = "") -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(upload_origin),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def _is_public(resource_path: str) -> bool:
    return resource_path in PUBLIC_PATHS or resource_path.startswith(PUBLIC_PREFIXES) or resource_path in PARTNER_PATHS


def handle(request: Any, get_response: Callable[[Any], Response]) -> Response:
    from chalicelib.core.config import settings

    correlation_id = (
        web.header(request, "x-request-id") or (request.context or {}).get("requestId") or str(uuid.uuid4())
    )
    correlation_id = correlation_id[:64]
    logger.set_correlation_id(correlation_id)
    jar = web.cookies(request)
    language = i18n.negotiate(jar.get(i18n.LANGUAGE_COOKIE), web.header(request, "accept-language"))
    state = web.RequestState(language=language, correlation_id=correlation_id, path=_original_path(request))
    web.set_state(state)
    new_cookies: list[str] = []
    try:
        with segment(f"{request.method} {request.path}"):
            response = _dispatch(request, get_response, state, jar, new_cookies)
    except KumoError as err:
        response = error_response(request, err, state)
    except Exception:
        logger.exception("unhandled error", extra={"path": request.path})
        response = error_response(request, ServerError(error_pages.SERVER_ERROR), state)
    finally:
        web.set_state(None)
    response.headers = {
        **security_headers(settings().secure_cookies, settings().upload_origin),
        **(response.headers or {}),
    }
    response.headers["X-Request-Id"] = correlation_id
    if request.path.startswith(PARTNER_PREFIXES) or request.path in PARTNER_PATHS:
        response.headers["Referrer-Policy"] = "no-referrer"
    if new_cookies:
        existing = response.headers.get("Set-Cookie")
        merged = ([existing] if isinstance(existing, str) else list(existing or [])) + new_cookies
        response.headers["Set-Cookie"] = merged
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    if metrics.metric_set:
        with contextlib.suppress(Exception):  # metrics are best effort; they never fail a request
            metrics.flush_metrics()
    return response


def _dispatch(
    request: Any,
    get_response: Callable[[Any], Response],
    state: web.RequestState,
    jar: dict[str, str],
    new_cookies: list[str],
) -> Response:
    resource_path = request.path
    authorization = web.header(request, "authorization") or ""
    if authorization.lower().startswith("bearer "):
        state.principal = accounts.principal_from_bearer(authorization[7:].strip())
        state.via_bearer = True
    else:
        session_cookie = jar.get(web.SESSION_COOKIE)
        active = accounts.resolve(session_cookie) if session_cookie else None
        if active is not None:
            state.principal = active.principal
            state.csrf_token = active.csrf_token
            state.session_cookie = session_cookie
        else:
            if session_cookie:
                new_cookies.append(web.expired_cookie(web.SESSION_COOKIE))
            state.csrf_token = jar.get(web.PRE_SESSION_CSRF_COOKIE)
            if not state.csrf_token:
                state.csrf_token = secrets.token_urlsafe(32)
                new_cookies.append(web.cookie(web.PRE_SESSION_CSRF_COOKIE, state.csrf_token))
    if resource_path == error_pages.UNKNOWN_ROUTE:  # after the session: the page keeps the person's layout
        raise NotFound(error_pages.UNKNOWN_PATH)
    # The one-click unsubscribe (RFC 8058) is POSTed by a mail client, with no cookie and no
    # token: the signed link is the whole right, and all it can do is stop one kind's mail.
    if request.method not in SAFE_METHODS and not state.via_bearer and not resource_path.startswith(UNSUBSCRIBE_PREFIX):
        _check_csrf(request, state)
    if state.principal is None and not _is_public(resource_path):
        if _is_api(resource_path):
            raise Unauthenticated("Sign in to continue.")
        return web.redirect("/login?next=" + _quote(_original_path(request)), status=302)
    response = get_response(request)
    refused = error_pages.chalice_error(response)
    if refused is not None:  # Chalice's own 405/415/500: answered the Kumo way too
        return error_response(request, refused, state, status=response.status_code)
    return response


def _check_csrf(request: Any, state: web.RequestState) -> None:
    given = web.header(request, "x-csrf-token")
    content_type = (web.header(request, "content-type") or "").split(";")[0].strip()
    if not given and content_type == "application/x-www-form-urlencoded":
        given = web.form(request).get("csrf_token")
    if not state.csrf_token or not accounts.csrf_matches(state.csrf_token, given):
        raise Forbidden("The form has expired or did not come from this site. Reload the page and try again.")


def _original_path(request: Any) -> str:
    event = request.to_original_event()
    # API Gateway puts the path as requested in "path"; Chalice's local server only in the request
    # context. request.path is the route's template (/files/{item_id}), no use as a way back.
    path = str(event.get("path") or (event.get("requestContext") or {}).get("path") or request.path)
    query = request.query_params
    if query:
        from urllib.parse import urlencode

        path += "?" + urlencode([(k, v) for k in query for v in query.getlist(k)])
    return path


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def error_response(request: Any, err: KumoError, state: web.RequestState, status: int | None = None) -> Response:
    path = state.path.split("?", 1)[0]  # as requested: an unknown path's route is only "/{proxy+}"
    return error_pages.respond(path, web.header(request, "accept"), err, state, status=status)
