"""JSON API and pages of each person's notification settings, and the unsubscribe link's pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import require_signed_in
from chalicelib.core.contract import operation, parse_body
from chalicelib.core.i18n import gettext_for
from chalicelib.core.layout import page
from chalicelib.notifications import kinds, preferences
from chalicelib.notifications.schemas import SettingsIn, SettingsOut

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
TAG = "notifications"


def settings_json(prefs: preferences.Preferences, language: str) -> SettingsOut:
    _ = gettext_for(language)
    return {
        "groups": [
            {
                "group": group,
                "label": _(kinds.GROUPS[group]),
                "kinds": [
                    {
                        "kind": k.key,
                        "label": _(k.label),
                        "choice": prefs.choice(k.key).value,
                        "choices": [c.value for c in k.choices],
                        "mandatory_reason": _(k.mandatory) if k.mandatory else None,
                    }
                    for k in members
                ],
            }
            for group, members in kinds.grouped()
        ],
        "quiet_hours": prefs.quiet_hours,
        "digest_at": prefs.digest_at.strftime("%H:%M"),
        "digest_times": [t.strftime("%H:%M") for t in preferences.DIGEST_TIMES],
    }


@bp.route("/api/settings/notifications")
@operation("My notification settings, by kind of notice", returns=SettingsOut, tag=TAG)
def get_settings() -> Response:
    state = web.state()
    return web.json_response(settings_json(preferences.mine(require_signed_in(state.principal)), state.language))


@bp.route("/api/settings/notifications", methods=["PUT"])
@operation("Change my notification settings", body=SettingsIn, returns=SettingsOut, tag=TAG)
def put_settings() -> Response:
    state = web.state()
    data = parse_body(SettingsIn, web.json_body(bp.current_request))
    changed = preferences.change(
        require_signed_in(state.principal), preferences.PreferencesIn(data.choices, data.quiet_hours, data.digest_at)
    )
    return web.json_response(settings_json(changed, state.language))


def _managed_units(p: Any) -> list[tuple[str, str]]:
    """The 所属 whose chat channels this person manages (所属長, 取りまとめ担当), for a link each."""
    from chalicelib.core.auth import Post
    from chalicelib.directory import service as directory

    units = dict.fromkeys(a.unit_id for a in p.assignments if a.post in (Post.HEAD, Post.COORDINATOR))
    return [(u, directory.unit_name(u, web.state().language)) for u in units]


@bp.route("/settings/notifications")
def settings_page() -> Response:
    me = require_signed_in(web.principal())
    prefs = preferences.mine(me)
    params: Any = bp.current_request.query_params or {}
    saved = params.get("saved") == "1"
    return page(
        "settings_notifications.html",
        current_area="notifications",
        groups=kinds.grouped(),
        group_labels=kinds.GROUPS,
        prefs=prefs,
        digest_times=preferences.DIGEST_TIMES,
        saved=saved,
        managed_units=_managed_units(me),
    )


@bp.route("/settings/notifications", methods=["POST"], content_types=FORM)
def save_settings() -> Response:
    sent: dict[str, Any] = web.form(bp.current_request)
    choices = {k.key: str(sent[f"kind-{k.key}"]) for k in kinds.KINDS if not k.mandatory and f"kind-{k.key}" in sent}
    quiet_hours = sent.get("quiet_hours") == "on"
    change = preferences.PreferencesIn(choices, quiet_hours, sent.get("digest_at") or None)
    preferences.change(require_signed_in(web.principal()), change)
    return web.redirect("/settings/notifications?saved=1")


# The unsubscribe link: a GET shows what it will do and asks to confirm (mail scanners follow
# links, and must not unsubscribe anyone); the POST does it, from that page's button or from a
# mail client's one-click. No sign-in: the signature is the right.
@bp.route("/unsubscribe/{token}")
def unsubscribe_page(token: str) -> Response:
    from chalicelib.notifications import unsubscribe

    try:
        _, key = unsubscribe.verify(unquote(token))
    except unsubscribe.BadLink:
        return page("unsubscribe.html", status=404, spec=None, token="", done=False)
    return page("unsubscribe.html", spec=kinds.of_link(key), token=unquote(token), done=False)


# RFC 8058: a mail client's one-click POST carries "List-Unsubscribe=One-Click" as either form
# encoding, no cookie and no CSRF token (the middleware lets this path through without one).
@bp.route("/unsubscribe/{token}", methods=["POST"], content_types=[*FORM, "multipart/form-data"])
def unsubscribe_confirm(token: str) -> Response:
    spec = preferences.unsubscribe_from(unquote(token))
    return page("unsubscribe.html", spec=spec, token="", done=True)
