"""Request and response helpers shared by every blueprint (JSON and pages).

The per-request state (language, signed-in principal, CSRF token) is set by the middleware in
a context variable, so route bodies stay a few lines.
"""

from __future__ import annotations

import json
import urllib.parse
from contextvars import ContextVar
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

from chalice import Response

from chalicelib.core.auth import Principal
from chalicelib.core.config import settings
from chalicelib.core.errors import BadRequest

SESSION_COOKIE = "kumo_session"
PRE_SESSION_CSRF_COOKIE = "kumo_csrf"
MAX_FORM_BYTES = 64 * 1024


@dataclass
class RequestState:
    language: str
    correlation_id: str
    path: str = "/"  # the path as requested (for "come back here" links)
    principal: Principal | None = None
    csrf_token: str | None = None  # the session's token, or the pre-session cookie's
    session_cookie: str | None = None
    via_bearer: bool = False


_state: ContextVar[RequestState | None] = ContextVar("kumo_request_state", default=None)


def set_state(state: RequestState | None) -> None:
    _state.set(state)


def state() -> RequestState:
    current = _state.get()
    if current is None:
        raise RuntimeError("no request in progress")
    return current


def principal() -> Principal | None:
    return state().principal


def header(request: Any, name: str) -> str | None:
    value = (request.headers or {}).get(name.lower())
    return str(value) if value is not None else None


def cookies(request: Any) -> dict[str, str]:
    raw = header(request, "cookie") or ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return {}
    return {k: m.value for k, m in jar.items()}


def client_ip(request: Any) -> str | None:
    """The viewer's address. Behind CloudFront API Gateway sees an edge server's: the front door
    writes the viewer's into KUMO_VIEWER_IP_HEADER (overwriting what a client sent), and the web
    ACL admits only requests that came through it. Locally no such header is trusted."""
    trusted = settings().viewer_ip_header
    if trusted:
        forwarded = (header(request, trusted) or "").strip()
        if forwarded:
            return forwarded[:64]
    identity = (request.context or {}).get("identity") or {}
    return identity.get("sourceIp")


def form(request: Any) -> dict[str, str]:
    """An application/x-www-form-urlencoded body; the last value of a repeated field wins."""
    body = request.raw_body or b""
    if len(body) > MAX_FORM_BYTES:
        raise BadRequest("The form is too large.")
    try:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise BadRequest("The form could not be read (it is not UTF-8).") from None
    return dict(pairs)


def form_lists(request: Any) -> dict[str, list[str]]:
    """The same body as `form`, every value of a repeated field kept (checkbox groups)."""
    body = request.raw_body or b""
    if len(body) > MAX_FORM_BYTES:
        raise BadRequest("The form is too large.")
    try:
        return urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise BadRequest("The form could not be read (it is not UTF-8).") from None


def json_body(request: Any) -> dict[str, Any]:
    raw = request.raw_body or b""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise BadRequest("The request body must be a JSON object.")
    return value


def cookie(name: str, value: str, *, max_age: int | None = None, http_only: bool = True, same_site: str = "Lax") -> str:
    parts = [f"{name}={value}", "Path=/", f"SameSite={same_site}"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if http_only:
        parts.append("HttpOnly")
    if settings().secure_cookies:
        parts.append("Secure")
    return "; ".join(parts)


def expired_cookie(name: str) -> str:
    return cookie(name, "", max_age=0)


def html(body: str, status: int = 200, headers: dict[str, Any] | None = None) -> Response:
    return Response(
        body=body, status_code=status, headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    )


def json_response(body: Any, status: int = 200, headers: dict[str, Any] | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False, default=str),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def redirect(location: str, *, set_cookies: list[str] | None = None, status: int = 303) -> Response:
    headers: dict[str, Any] = {"Location": location}
    if set_cookies:
        headers["Set-Cookie"] = set_cookies
    return Response(body="", status_code=status, headers=headers)


MAX_NEXT_LENGTH = 2048
# Characters a path may keep as they are in a Location header; anything else (non-ASCII above
# all: headers are Latin-1 on the wire) is percent-encoded, existing escapes stay.
_LOCATION_SAFE = "/?#&=%:@!$'()*+,;~-._"


def safe_next(target: object, default: str = "/") -> str:
    """Where to send a person after a form or sign-in: only a path on this site, else `default`.

    Refused: anything not a string, empty or very long; control characters (CR/LF would split
    the Location header, and browsers drop tabs and newlines from URLs, so slash-tab-slash-host
    becomes `//host`); `//host` (another site); a backslash anywhere (browsers read it as a
    slash); a scheme or a host. What passes comes back ASCII-only, safe in a header.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_NEXT_LENGTH:
        return default
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in target):
        return default
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    try:
        parsed = urllib.parse.urlsplit(target)
    except ValueError:
        return default
    if parsed.scheme or parsed.netloc:
        return default
    return urllib.parse.quote(target, safe=_LOCATION_SAFE)
