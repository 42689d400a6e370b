"""The staff's Files pages: a space's folders and files, a file's versions, the trash.

Every action is a plain form (POST, CSRF field, then 303 back to the page), so the pages work
without JavaScript; files.js only adds the Uppy uploader and a quicker download. The view
models (rows, breadcrumbs, usage) are in views.py; access rules stay in the services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, KumoError
from chalicelib.core.layout import page
from chalicelib.files import access, changes, folders, policy, version_actions, views
from chalicelib.files import trash as trash_bin
from chalicelib.files.entries import Entry

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
# What a person can put right on the same page: the page is shown again with the message.
FIXABLE = (BadRequest, Conflict, Forbidden)
Form = dict[str, str]
# The Share panel of a file or folder belongs to the sharing slice, which builds on this one and
# registers it here (chalicelib/sharing/staff_pages.py): (me, entry, the form sent back with a
# mistake in it, or None) -> the panel's template context.
SharePanel = Callable[[Principal, Entry, Form | None], dict[str, Any]]
_share_panels: list[SharePanel] = []


def provide_share_panel(panel: SharePanel) -> None:
    _share_panels[:] = [panel]


def _me() -> Principal:
    return require_signed_in(web.principal())


def _query(name: str) -> str:
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    return str(params.get(name) or "")


# --- pages ---------------------------------------------------------------------------------


@bp.route("/files")
def files_home() -> Response:
    """The person's department space is where work is shared: start there."""
    return web.redirect(f"/files/{policy.department_space(_me().department_id)}", status=302)


@bp.route("/files/{item_id}")
def item(item_id: str) -> Response:
    return item_page(unquote(item_id))


@bp.route("/files/{item_id}/trash")
def trash(item_id: str) -> Response:
    return _trash_page(unquote(item_id))


def item_page(
    item_id: str, *, status: int = 200, error: str | None = None, share_form: dict[str, str] | None = None
) -> Response:
    """A folder (or a space's root) lists its contents; a file shows its details and versions.

    A file or folder also has its Share panel (share_form: the new-link form sent back with a
    mistake in it, to be shown again as it was filled in).
    """
    me = _me()
    entry = None if policy.is_space_id(item_id) else access.readable(me, item_id)
    done = "" if error else _query("done")
    shares = _share_panels[0](me, entry, share_form) if entry is not None and _share_panels else None
    if entry is not None and not entry.is_folder:
        return page(
            "files_file.html",
            status=status,
            current_area="files",
            shares=shares,
            **views.file_context(me, entry, error=error, done=done),
        )
    context = views.folder_context(me, item_id, sort=_query("sort"), order=_query("order"), error=error, done=done)
    return page(
        "files.html", status=status, current_area="files", upload=views.upload_settings(), shares=shares, **context
    )


# --- actions (forms) -------------------------------------------------------------------------


def _act(
    item_id: str,
    action: Callable[[Principal, str, Form], str],
    show_again: Callable[[str, int, str], Response] | None = None,
) -> Response:
    """Run a form's action and go where it says; a mistake the person can fix shows the page again."""
    data = web.form(bp.current_request)
    me = _me()
    try:
        target = action(me, unquote(item_id), data)
    except FIXABLE as err:
        back = _back(data) or unquote(item_id)
        return (show_again or _show_again)(back, err.status, _text(err))
    return web.redirect(target)


def _show_again(item_id: str, status: int, error: str) -> Response:
    return item_page(item_id, status=status, error=error)


def _trash_page(item_id: str, *, status: int = 200, error: str | None = None) -> Response:
    me = _me()
    space_id = views.space_of(me, item_id)
    context = views.trash_context(me, space_id, done="" if error else _query("done"), error=error)
    return page("files_trash.html", status=status, current_area="files", **context)


def _text(err: KumoError) -> str:
    from chalicelib.core.i18n import gettext_for

    return err.text(gettext_for(web.state().language))


def _back(data: Form) -> str:
    """The page a form was sent from (an item id, never a URL: nothing can send a person elsewhere)."""
    back = data.get("back", "")
    return back if views.is_item_id(back) else ""


def _done(entry: Entry, data: Form, what: str) -> str:
    back = _back(data)
    if not back or (back == entry.file_id and what == "trashed"):
        back = entry.parent_id  # the page of what just went is gone: show where it was
    return f"/files/{back}?done={what}"


@bp.route("/files/{item_id}/folders", methods=["POST"], content_types=FORM)
def create_folder(item_id: str) -> Response:
    return _act(
        item_id,
        lambda me, i, d: _done(
            folders.create_folder(me, i, d.get("name", ""), d.get("visibility") or None), {"back": i}, "folder-created"
        ),
    )


@bp.route("/files/{item_id}/rename", methods=["POST"], content_types=FORM)
def rename(item_id: str) -> Response:
    return _act(item_id, lambda me, i, d: _done(changes.rename(me, i, d.get("name", "")), d, "renamed"))


@bp.route("/files/{item_id}/move", methods=["POST"], content_types=FORM)
def move(item_id: str) -> Response:
    return _act(item_id, lambda me, i, d: _done(changes.move(me, i, d.get("folder_id", "")), d, "moved"))


@bp.route("/files/{item_id}/visibility", methods=["POST"], content_types=FORM)
def visibility(item_id: str) -> Response:
    return _act(
        item_id, lambda me, i, d: _done(changes.set_visibility(me, i, d.get("visibility", "")), d, "visibility")
    )


@bp.route("/files/{item_id}/move-to-trash", methods=["POST"], content_types=FORM)
def move_to_trash(item_id: str) -> Response:
    return _act(item_id, lambda me, i, d: _done(trash_bin.trash(me, i), d, "trashed"))


@bp.route("/files/{item_id}/restore", methods=["POST"], content_types=FORM)
def restore(item_id: str) -> Response:
    def action(me: Principal, i: str, d: Form) -> str:
        entry = trash_bin.restore(me, i)
        return f"/files/{entry.space_id}/trash?done=restored"

    return _act(item_id, action, lambda back, status, error: _trash_page(back, status=status, error=error))


@bp.route("/files/{item_id}/versions/{version}/restore", methods=["POST"], content_types=FORM)
def restore_version(item_id: str, version: str) -> Response:
    return _act(
        item_id,
        lambda me, i, d: _done(
            version_actions.restore_version(me, i, views.whole_number(version)), {"back": i}, "version-restored"
        ),
    )


@bp.route("/files/{item_id}/download", methods=["POST"], content_types=FORM)
def download(item_id: str) -> Response:
    """Without JavaScript: straight on to a link that is good for two minutes."""
    data = web.form(bp.current_request)
    version = views.whole_number(data["version"]) if data.get("version") else None
    return web.redirect(version_actions.download_url(_me(), unquote(item_id), version=version))
