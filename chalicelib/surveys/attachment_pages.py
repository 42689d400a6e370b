"""Pages for a survey's attachments (attachments.py): the issuer picks files from the spaces they
can read, or uploads one into the issuing 所属's space and picks it, and removes them; every
reader of the survey downloads them.

The picker browses folders with the files slice's own listing (the same check as Files: only
what this person may read shows), and its upload section is the Files page's (uploader.js
through files.js, into the folder shown), so nothing about uploading is written twice.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, KumoError
from chalicelib.core.i18n import gettext_for
from chalicelib.core.layout import page
from chalicelib.files import listing, policy, spaces
from chalicelib.files import views as file_views
from chalicelib.surveys import access, attachments

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
AREA = "surveys"


def _me() -> Principal:
    return require_signed_in(web.principal())


def _edit_path(survey_id: str, done: str) -> str:
    return f"/surveys/{quote(survey_id, safe='')}/edit?done={done}#attachments"


def picker_context(me: Principal, survey_id: str, folder_id: str) -> dict[str, Any]:
    """The issuer's spaces, the folder shown (the issuing 所属's space at first) and what is attached."""
    survey = access.as_issuer(me, survey_id)
    if survey.state not in attachments.CHANGEABLE:
        raise Conflict("This survey has been issued; its attachments can no longer change.")
    home = policy.department_space(survey.issuer_unit_id)
    view = listing.list_folder(me, folder_id or home)
    space_id = view.space.space_id
    labels = file_views.Labels(me)
    space_ids = list(dict.fromkeys([home, *spaces.spaces_for(me)]))
    attached = {a.source_file_id for a in survey.attachments}
    return {
        "survey": survey,
        "here_id": view.folder.file_id if view.folder else space_id,
        "space_id": space_id,
        "spaces": [{"id": s, "label": labels[s], "current": s == space_id} for s in space_ids],
        "crumbs": [{"id": space_id, "label": labels[space_id]}]
        + [{"id": f.file_id, "label": f.name} for f in view.path],
        "folders": [e for e in view.children if e.is_folder],
        "files": [
            {"entry": e, "size": file_views.human_size(e.size), "attached": e.file_id in attached}
            for e in view.children
            if not e.is_folder
        ],
        # Uploads go into the issuing 所属's own space (the folder shown, when it is one of its).
        "can_upload": space_id == home and view.can_write,
        "home_label": labels[home],
        "upload": file_views.upload_settings(),
    }


def _picker(survey_id: str, folder_id: str, *, status: int = 200, error: str | None = None) -> Response:
    context = picker_context(_me(), survey_id, folder_id)
    return page("surveys/attach.html", status=status, current_area=AREA, error=error, **context)


def _text(err: KumoError) -> str:
    return err.text(gettext_for(web.state().language))


@bp.route("/surveys/{survey_id}/attachments")
def picker(survey_id: str) -> Response:
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    return _picker(unquote(survey_id), str(params.get("folder") or ""))


@bp.route("/surveys/{survey_id}/attachments", methods=["POST"], content_types=FORM)
def attach(survey_id: str) -> Response:
    survey_id = unquote(survey_id)
    data = web.form(bp.current_request)
    try:
        attachments.attach(_me(), survey_id, data.get("file_id", ""))
    except (BadRequest, Conflict) as err:
        return _picker(survey_id, data.get("folder", ""), status=err.status, error=_text(err))
    return web.redirect(_edit_path(survey_id, "attached"))


@bp.route("/surveys/{survey_id}/attachments/{attachment_id}/remove", methods=["POST"], content_types=FORM)
def remove(survey_id: str, attachment_id: str) -> Response:
    survey_id = unquote(survey_id)
    attachments.remove(_me(), survey_id, unquote(attachment_id))
    return web.redirect(_edit_path(survey_id, "attachment-removed"))


@bp.route("/surveys/{survey_id}/attachments/{attachment_id}")
def download(survey_id: str, attachment_id: str) -> Response:
    """Straight to a short-lived address of the copy (404 for whoever may not read the survey)."""
    return web.redirect(attachments.staff_download_url(_me(), unquote(survey_id), unquote(attachment_id)), status=302)
