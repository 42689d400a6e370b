"""The 「通知をミュート」 toggle of a share link's and a survey's page: what it shows (registered in
core.mute_toggle, which those pages ask) and the form it posts (a redirect back to the page).

Plain forms with the CSRF field, as on the pages they sit on: they work without JavaScript.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from chalice import Blueprint, Response

from chalicelib.core import mute_toggle, web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.i18n import gettext_for
from chalicelib.notifications import mutes
from chalicelib.notifications.kinds import REMINDER_REASON
from chalicelib.notifications.mutes import Subject, SubjectKind

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]


def _page_of(subject: Subject) -> str:
    base = "/shares/" if subject.kind is SubjectKind.SHARE else "/surveys/"
    return base + quote(subject.subject_id, safe="")


def toggle(me: Principal, subject_kind: str, subject_id: str) -> dict[str, Any] | None:
    """The toggle's template context (templates/mute_toggle.html); None for someone who hears
    nothing of the subject (a space administrator on a link someone else owns)."""
    subject = Subject(SubjectKind(subject_kind), subject_id)
    if not mutes.may_mute(me, subject):
        return None
    _ = gettext_for(web.state().language)
    muted = mutes.is_muted(me, subject)
    if subject.kind is SubjectKind.SHARE:
        state = _("Muted: no notice of this link reaches you.") if muted else _("You are told when this link is used.")
        note = _("Muting stops the notices of this link for you alone, in the inbox and by mail.")
    else:
        state = _("Muted: only reminders of this survey reach you.") if muted else _("You get this survey's notices.")
        note = _("A reminder (督促) for your unit still comes while muted:") + " " + _(REMINDER_REASON)
    return {"muted": muted, "state": state, "note": note, "action": _page_of(subject) + "/mute"}


mute_toggle.provide(toggle)


def _set(subject: Subject, back: str) -> Response:
    data = web.form(bp.current_request)
    mutes.set_muted(require_signed_in(web.principal()), subject, data.get("muted") == "yes")
    return web.redirect(back)


@bp.route("/shares/{link_id}/mute", methods=["POST"], content_types=FORM)
def mute_share(link_id: str) -> Response:
    subject = mutes.share(unquote(link_id))
    return _set(subject, _page_of(subject))


@bp.route("/surveys/{survey_id}/mute", methods=["POST"], content_types=FORM)
def mute_survey(survey_id: str) -> Response:
    """Back to the page the toggle was on: the survey's (the issuer's board) or one of its answers."""
    subject = mutes.survey(unquote(survey_id))
    page = _page_of(subject)
    back = web.form(bp.current_request).get("back", "")
    return _set(subject, back if back.startswith(page + "/answers/") else page)
