"""The staff's pages for share links: create one from a file's or folder's page, then manage it.

Plain forms (POST with the CSRF field), as on the other Files pages; every action that succeeds
redirects (303) to the link's page with a note of what was done, so a reload never sends a form
again. A new or re-issued link's address (its token) is shown once, on the first view of that
page by the browser that made it: it is kept sealed for that view (reveal.py), never put in a
URL (it would end up in the history and in access logs), and cannot be shown again, since only
its hash is kept. Who may do what is decided in the link modules (links.py and its neighbours);
a refusal the person can fix shows the page again. A file's or folder's share activity (every link's
trail) has a page of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, unquote

from chalice import Blueprint, Response

from chalicelib.core import mute_toggle, web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, KumoError
from chalicelib.core.i18n import gettext_for
from chalicelib.core.layout import page
from chalicelib.files import pages as file_pages
from chalicelib.sharing import link_changes, link_creation, links, reveal, staff_views
from chalicelib.sharing.links import Issued

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
FIXABLE = (BadRequest, Conflict, Forbidden)
DONE = ("created", "reissued", "changed", "unchanged", "revoked")
file_pages.provide_share_panel(lambda me, entry, form: staff_views.panel(me, entry, form=form))


def _me() -> Principal:
    return require_signed_in(web.principal())


def _text(err: KumoError) -> str:
    return err.text(gettext_for(web.state().language))


def _meta() -> dict[str, str | None]:
    request = bp.current_request
    return {"ip": web.client_ip(request), "user_agent": web.header(request, "user-agent")}


def _link_page(
    link_id: str, *, status: int = 200, error: str | None = None, done: str = "", form: dict[str, str] | None = None
) -> Response:
    context = staff_views.link_context(_me(), link_id, error=error, done=done, form=form)
    if done in ("created", "reissued"):  # only now that the person may see the link
        context["issued_url"] = reveal.take(context["link"].link_id, web.state().session_cookie)
    mute = mute_toggle.toggle(_me(), "share", link_id)
    return page("files_share.html", status=status, current_area="files", mute=mute, **context)


def _show_once(issued: Issued, done: str) -> Response:
    """Keep the new address for the next view of the link's page by this browser, and go there."""
    session_secret = web.state().session_cookie
    if not session_secret:  # not a browser session (a bearer token): nothing to come back with
        context = staff_views.link_context(_me(), issued.link.link_id, issued_url=issued.url, done=done)
        return page("files_share.html", current_area="files", **context)
    reveal.keep(issued.link.link_id, issued.url, session_secret)
    return _back(issued.link.link_id, done)


def _on_link(link_id: str, action: Callable[[Principal, str, dict[str, str]], Response]) -> Response:
    data = web.form(bp.current_request)
    link_id = unquote(link_id)
    try:
        return action(_me(), link_id, data)
    except FIXABLE as err:
        return _link_page(link_id, status=err.status, error=_text(err), form=data)


def _back(link_id: str, done: str) -> Response:
    return web.redirect(f"/shares/{quote(link_id, safe='')}?done={done}")


@bp.route("/files/{item_id}/shares", methods=["POST"], content_types=FORM)
def create(item_id: str) -> Response:
    data = web.form(bp.current_request)
    item_id = unquote(item_id)
    try:
        kind, options = staff_views.create_options(data)
        issued = link_creation.create(_me(), item_id, kind, options, **_meta())
    except FIXABLE as err:
        return file_pages.item_page(item_id, status=err.status, error=_text(err), share_form=data)
    return _show_once(issued, "created")


@bp.route("/shares/{link_id}")
def show(link_id: str) -> Response:
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    done = params.get("done", "")
    return _link_page(unquote(link_id), done=done if done in DONE else "")


@bp.route("/shares/{link_id}/settings", methods=["POST"], content_types=FORM)
def change(link_id: str) -> Response:
    def action(me: Principal, i: str, data: dict[str, str]) -> Response:
        options = staff_views.change_options(data, links.get(me, i))
        if not options:
            return _back(i, "unchanged")
        link_changes.change(me, i, options, **_meta())
        return _back(i, "changed")

    return _on_link(link_id, action)


@bp.route("/shares/{link_id}/revoke", methods=["POST"], content_types=FORM)
def revoke(link_id: str) -> Response:
    def action(me: Principal, i: str, data: dict[str, str]) -> Response:
        link_changes.revoke(me, i, **_meta())
        return _back(i, "revoked")

    return _on_link(link_id, action)


@bp.route("/shares/{link_id}/reissue", methods=["POST"], content_types=FORM)
def reissue(link_id: str) -> Response:
    def action(me: Principal, i: str, data: dict[str, str]) -> Response:
        return _show_once(link_changes.reissue(me, i, **_meta()), "reissued")

    return _on_link(link_id, action)


@bp.route("/files/{item_id}/share-activity")
def activity(item_id: str) -> Response:
    context = staff_views.activity_context(_me(), unquote(item_id))
    return page("files_share_activity.html", current_area="files", **context)
