"""The partner session at the web edge, as every partner page and API shares it: the file links'
(/s, /api/share) and a survey respondent's (/r, /api/respond).

The session lives in one cookie (partner.SESSION_COOKIE), opened by trading a link's token for it;
what a session may do is decided in partner.py, never here.
"""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.core import web
from chalicelib.sharing import partner
from chalicelib.sharing.partner import Visit


def visit_of(request: Any) -> Visit:
    """The session of the partner who sent this request (partner.visit refuses a missing or ended one)."""
    return partner.visit(
        web.cookies(request).get(partner.SESSION_COOKIE),
        ip=web.client_ip(request),
        user_agent=web.header(request, "user-agent"),
    )


def open_session(request: Any, token: str) -> tuple[str, str]:
    """A link's token traded for a partner session: (the session's cookie value, the Set-Cookie that keeps it)."""
    cookie, _ = partner.open_link(token, ip=web.client_ip(request), user_agent=web.header(request, "user-agent"))
    return cookie, web.cookie(partner.SESSION_COOKIE, cookie, max_age=partner.SESSION_HOURS * 3600, same_site="Strict")


def open_page(request: Any, view: str) -> Response:
    """The opening page's form (its script posts the token from the address's fragment): the session
    opened, then on to the link's page, `view`."""
    _, set_cookie = open_session(request, web.form(request).get("token", ""))
    return web.redirect(view, set_cookies=[set_cookie])
