"""The partner's pages of a share link: no account, only the link a staff member e-mailed.

- GET /s/ is what the link opens (`/s/#<token>`: the token is in the fragment, which no server
  log and no Referer ever carries). share.js removes the fragment from the address bar and
  posts the token with a form to /s/open, which trades it for the partner session cookie and
  goes on to /s/view. A form rather than a fetch: a wrong, expired or withdrawn link is then a
  page with its own status (404, 410), and the opening page leaves nothing in the history.
- /s/view shows the gates (password, then e-mail code) or what the link is for: files to
  download, an upload area, what this partner sent. Every action is a POST form carrying the
  CSRF field. Only the download POST counts: it 303-redirects to a two-minute presigned URL.
- Every refusal is a page with its own status that says nothing about the content.
What a partner may know comes from partner_routes.summary, the same as the JSON API answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from chalice import Blueprint, Response

from chalicelib.core import error_pages, templating, web
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, KumoError, TooManyRequests, Unauthenticated
from chalicelib.core.i18n import gettext_for
from chalicelib.files import upload_start
from chalicelib.files.entries import Entry
from chalicelib.files.upload_plan import BLOCKED_EXTENSIONS
from chalicelib.files.views import human_size
from chalicelib.sharing import external, partner, partner_types, partner_uploads, partner_web
from chalicelib.sharing.partner import Visit
from chalicelib.sharing.partner_routes import summary

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
VIEW = "/s/view"
# Mistakes a partner can put right on the same page (a wrong password, an empty field, a lock
# that ends at a time shown): the page is shown again, with the message, under the same status.
FIXABLE = (BadRequest, Unauthenticated, TooManyRequests, Conflict)


@dataclass(frozen=True)
class Row:
    entry: Entry
    size: str
    href: str | None  # a folder opens in the page; a file is downloaded with a form


# --- helpers -----------------------------------------------------------------------------------


def _visit() -> Visit:
    return partner_web.visit_of(bp.current_request)


def _query(name: str) -> str:
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    return str(params.get(name) or "")


def _text(err: KumoError) -> str:
    return err.text(gettext_for(web.state().language))


def _render(template: str, *, status: int = 200, headers: dict[str, Any] | None = None, **context: Any) -> Response:
    state = web.state()
    # The language switch comes back to a page that can be shown again with a GET.
    here = state.path if bp.current_request.method == "GET" else VIEW
    body = templating.render(
        template, state.language, csrf_token=state.csrf_token, current_path=here, status=status, **context
    )
    return web.html(body, status=status, headers=headers)


def _error(err: KumoError) -> Response:
    headers = None
    if isinstance(err, Unauthenticated):  # the session is over: the browser may forget its cookie
        headers = {"Set-Cookie": [web.expired_cookie(partner.SESSION_COOKIE)]}
    return _render("share_error.html", status=err.status, headers=headers, message=_text(err))


def error_page(message: str, status: int, state: web.RequestState) -> Response:
    """A refusal that happens before a partner page's route runs (the middleware's CSRF check):
    the partner's own error page, never the staff layout or a JSON body."""
    body = templating.render(
        "share_error.html",
        state.language,
        csrf_token=state.csrf_token,
        current_path=VIEW,
        status=status,
        message=message,
    )
    return web.html(body, status=status)


# Any refusal under /s/ that the pages do not answer themselves (the middleware's CSRF check, an
# unknown /s/ path, a crash) is the partner's own error page, never the staff layout or sign-in.
error_pages.register("/s", error_page)


def _answer(action: Callable[[], Response]) -> Response:
    """Run a page's work; a refusal becomes the partner's own error page, never the staff sign-in."""
    try:
        return action()
    except KumoError as err:
        return _error(err)


def _upload_settings() -> dict[str, Any]:
    return {
        "threshold": upload_start.MULTIPART_THRESHOLD,
        "max_bytes": upload_start.MAX_FILE_BYTES,
        "max_gb": upload_start.MAX_FILE_BYTES // 1024**3,
        "blocked": sorted(BLOCKED_EXTENSIONS),
        "allowed": sorted(partner_types.allowed()),
    }


def _rows(entries: list[Entry]) -> list[Row]:
    return [
        Row(
            e,
            "" if e.is_folder else human_size(e.size),
            f"{VIEW}?folder={quote(e.file_id, safe='')}" if e.is_folder else None,
        )
        for e in entries
    ]


def _content(visit: Visit, folder_id: str | None) -> dict[str, Any]:
    """What the link is for, once the gates are passed."""
    context: dict[str, Any] = {}
    if visit.link.allows_download:
        view = partner.browse(visit, folder_id or None)
        context.update(folder=view.folder, path=view.path, rows=_rows(view.items))
    if visit.link.allows_upload:
        context.update(sent=_rows(partner_uploads.my_uploads(visit)), upload=_upload_settings())
    return context


def _view(
    visit: Visit, *, status: int = 200, error: str | None = None, step: str = "", folder_id: str | None = None
) -> Response:
    link = visit.link
    if link.external:  # opened through a file-link address: on to the page its slice keeps for it
        target = external.page_for(link.kind)
        if target is None:
            raise Forbidden("This link is not for shared files.")
        return web.redirect(target)
    if link.state() == "exhausted":  # a download link with nothing left to give
        raise partner.LinkGone("This link has reached its download limit.")
    facts = summary(visit)
    context: dict[str, Any] = {
        "share": facts,
        "kind": link.kind,
        "expires_at": link.expires_at,
        "gate": facts["gates"][0] if facts["gates"] else None,
        "error": error,
    }
    if context["gate"] == "email":  # a code already on its way is asked for, unless they want a new one
        pending = "code" if visit.session.pending_email else "email"
        context.update(step=step if step in ("email", "code") else pending, code_minutes=partner.CODE_MINUTES)
    if not facts["gates"]:
        context.update(_content(visit, folder_id))
    return _render("share_view.html", status=status, **context)


def _gate(action: Callable[[Visit, dict[str, str]], None], *, done: str = VIEW, step: str = "") -> Response:
    """A gate form: on success go on to the page; a fixable refusal shows the form again."""
    data = web.form(bp.current_request)
    visit = _visit()
    try:
        action(visit, data)
    except FIXABLE as err:
        return _view(_visit(), status=err.status, error=_text(err), step=step)
    return web.redirect(done)


# --- pages -------------------------------------------------------------------------------------


@bp.route("/s")
def opener() -> Response:
    """The page the e-mailed link opens; its script does the rest (nothing is counted here)."""
    return _render("share_open.html")


@bp.route("/s/open", methods=["POST"], content_types=FORM)
def open_link() -> Response:
    return _answer(lambda: partner_web.open_page(bp.current_request, VIEW))


@bp.route("/s/view")
def view() -> Response:
    return _answer(lambda: _view(_visit(), step=_query("step"), folder_id=_query("folder") or None))


@bp.route("/s/password", methods=["POST"], content_types=FORM)
def password() -> Response:
    return _answer(lambda: _gate(lambda v, d: partner.enter_password(v, d.get("password", ""))))


@bp.route("/s/email", methods=["POST"], content_types=FORM)
def email() -> Response:
    return _answer(lambda: _gate(lambda v, d: partner.send_code(v, d.get("email", "")), done=f"{VIEW}?step=code"))


@bp.route("/s/code", methods=["POST"], content_types=FORM)
def code() -> Response:
    return _answer(lambda: _gate(lambda v, d: partner.enter_code(v, d.get("code", "")), step="code"))


@bp.route("/s/download/{file_id}", methods=["POST"], content_types=FORM)
def download(file_id: str) -> Response:
    """The one request that counts: straight on to a link good for two minutes."""
    return _answer(lambda: web.redirect(partner.download(_visit(), unquote(file_id))))


@bp.route("/s/zip", methods=["POST"], content_types=FORM)
def download_zip() -> Response:
    """A folder's files as one ZIP (counts as one download)."""

    def run() -> Response:
        folder_id = web.form(bp.current_request).get("folder_id") or None
        visit = _visit()
        try:
            return web.redirect(partner.download_zip(visit, folder_id))
        except BadRequest as err:  # too large or empty: say so above the list
            return _view(visit, status=err.status, error=_text(err), folder_id=folder_id)

    return _answer(run)


@bp.route("/s/close", methods=["POST"], content_types=FORM)
def close() -> Response:
    """Forget the link on this browser (a shared computer): the session ends at once."""
    partner.end(web.cookies(bp.current_request).get(partner.SESSION_COOKIE))
    return _render("share_closed.html", headers={"Set-Cookie": [web.expired_cookie(partner.SESSION_COOKIE)]})
