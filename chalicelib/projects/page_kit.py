"""What the project pages share: the signed-in person, the reader's language, form fields read
into typed values, where a form sends the person back to, and fragments.

A fragment is a part of a page rendered without the layout (the board's lists, a card's body):
the board's script asks for one with `fragment=1` to redraw what changed, and sends the page's
own forms with `fragment=1`, getting the fragment back (with the error shown in it when the form
was refused) instead of the whole page. Without the script the same forms post and redirect.
"""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.core import templating, web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, KumoError
from chalicelib.core.i18n import gettext_for
from chalicelib.core.i18n_markers import N_

FORM = ["application/x-www-form-urlencoded"]
FIXABLE = (BadRequest, Conflict)  # refusals the person can fix: the page again, with the reason
AREA = "projects"
COLOR_NAMES = {  # the label colours (model.LABEL_COLORS) by name: a colour is never the only sign
    "gray": N_("Gray"),
    "red": N_("Red"),
    "orange": N_("Orange"),
    "yellow": N_("Yellow"),
    "green": N_("Green"),
    "teal": N_("Teal"),
    "blue": N_("Blue"),
    "purple": N_("Purple"),
}


def me() -> Principal:
    return require_signed_in(web.principal())


def language() -> str:
    return web.state().language


def text(err: KumoError) -> str:
    return err.text(gettext_for(language()))


def params(request: Any) -> dict[str, str]:
    return {k: str(v) for k, v in dict(request.query_params or {}).items()}


def number(data: dict[str, str], name: str, *, default: int | None = None) -> int:
    raw = (data.get(name) or "").strip()
    if not raw and default is not None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest("{field} must be a whole number.", field=name) from None


def flag(data: dict[str, str], name: str) -> bool:
    return data.get(name) in ("1", "on", "true")


def back_to(target: str | None, default: str) -> str:
    """The page a form came from (its `next` field) when it is under `default`'s path, else
    `default`: a form never sends anyone off the project's pages."""
    path = default.split("?", maxsplit=1)[0]
    safe = web.safe_next(target, default)
    return safe if safe == path or safe.startswith(path + "?") or safe.startswith(path + "/") else default


def with_param(url: str, name: str, value: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{name}={value}"


def after_form(data: dict[str, str], target: str, done: str = "") -> Response:
    """Where a form that worked goes: back to its page (with a note of what was done), or to
    that page's fragment when the board's script sent it."""
    if done:
        target = with_param(target, "done", done)
    if flag(data, "fragment"):
        target = with_param(target, "fragment", "1")
    return web.redirect(target)


def fragment(template: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> Response:
    state = web.state()
    names = {"principal": state.principal, "csrf_token": state.csrf_token, "fragment": True, **context}
    return web.html(templating.render(template, state.language, **names), status=status, headers=headers)
