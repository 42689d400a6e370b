"""The project pages outside the board: the list (my projects, then the 庁内公開 ones) with the
form to start one from a template, a project's address (which opens its first board), and its
settings (name, description, visibility, archive; members; labels; boards; muting notices).

Every action is a plain form (POST with the CSRF field, then 303 back with a note of what was
done), so it works without JavaScript and a reload never sends it again; a refusal the person
can fix shows the page again with the reason. Who may see or change what is decided by the use
cases (access.py): a project someone may not see answers the site's 404 page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.i18n import gettext_for
from chalicelib.core.layout import page
from chalicelib.projects import board_view, membership, projects, templates
from chalicelib.projects.model import LABEL_COLORS, MemberRole, Visibility
from chalicelib.projects.page_kit import AREA, COLOR_NAMES, FIXABLE, FORM, after_form, flag, language, me, number, text

bp = Blueprint(__name__)
LIST_DONE = ("left",)
SETTINGS_DONE = ("saved", "member-added", "role-changed", "member-removed", "labels-saved", "muted", "unmuted")


def project_path(project_id: str, *rest: str) -> str:
    return "/".join(["/projects", quote(project_id, safe=""), *(quote(r, safe="") for r in rest)])


def _query(name: str) -> str:
    return str(dict(bp.current_request.query_params or {}).get(name) or "")


# --- the list and starting a project -------------------------------------------------------------


def _template_choices() -> list[dict[str, Any]]:
    translate = gettext_for(language())
    return [
        {
            "key": t.key,
            "name": translate(t.name),
            "description": translate(t.description),
            "lists": [translate(x.title) for x in t.lists],
        }
        for t in templates.TEMPLATES
    ]


def _unit_choices() -> list[tuple[str, str]]:
    """The 所属 a project can belong to: the person's own, 兼務 included (main first)."""
    from chalicelib.directory import service as directory

    person = me()
    ids = list(dict.fromkeys([person.unit_id, *(a.unit_id for a in person.assignments)]))
    return [(unit_id, directory.full_name(unit_id, language())) for unit_id in ids]


def _list_page(*, status: int = 200, error: str | None = None, draft: dict[str, str] | None = None) -> Response:
    from chalicelib.directory import service as directory

    seen = projects.visible_to(me())
    mine = [(p, m) for p, m in seen if m is not None]
    public = [(p, m) for p, m in seen if m is None]
    done = _query("done")
    return page(
        "projects/list.html",
        status=status,
        current_area=AREA,
        mine=mine,
        public=public,
        unit_name=lambda unit_id: directory.unit_name(unit_id, language()),
        choices=_template_choices(),
        units=_unit_choices(),
        draft=draft or {"template": "kanban", "visibility": Visibility.MEMBERS.value},
        error=error,
        done=done if done in LIST_DONE else "",
    )


@bp.route("/projects")
def project_list() -> Response:
    return _list_page()


@bp.route("/projects", methods=["POST"], content_types=FORM)
def start_project() -> Response:
    data = web.form(bp.current_request)
    draft = projects.ProjectDraft(
        name=data.get("name", ""),
        description=data.get("description", ""),
        visibility=data.get("visibility", Visibility.MEMBERS.value),
        owner_unit_id=data.get("owner_unit_id", ""),
        template=data.get("template", "kanban"),
    )
    try:
        made = projects.create(me(), draft, language())
    except FIXABLE as err:
        return _list_page(status=err.status, error=text(err), draft=data)
    return web.redirect(board_view.board_path(made.project_id, made.boards[0].board_id))


@bp.route("/projects/{project_id}")
def project(project_id: str) -> Response:
    """A project's address opens its first board."""
    found = projects.get(me(), unquote(project_id))
    first = found.project.boards[0].board_id if found.project.boards else None
    pid = found.project.project_id
    target = board_view.board_path(pid, first) if first else project_path(pid, "settings")
    return web.redirect(target, status=302)


# --- settings ----------------------------------------------------------------------------------------


def _settings_page(project_id: str, *, status: int = 200, error: str | None = None) -> Response:
    from chalicelib.directory import service as directory
    from chalicelib.projects.recruiting import of_project

    found = projects.get(me(), project_id)
    done = _query("done")
    return page(
        "projects/settings.html",
        status=status,
        current_area=AREA,
        standing=found,
        project=found.project,
        members=membership.members_for(found),
        recruiting=of_project.of_project(found),
        unit_name=lambda unit_id: directory.unit_name(unit_id, language()) if unit_id else "",
        colors=[(c, COLOR_NAMES[c]) for c in LABEL_COLORS],
        owner_unit_name=directory.full_name(found.project.owner_unit_id, language()),
        error=error,
        done=done if done in SETTINGS_DONE else "",
    )


@bp.route("/projects/{project_id}/settings")
def settings_page(project_id: str) -> Response:
    return _settings_page(unquote(project_id))


def _act(project_id: str, action: Any) -> Response:
    """Run a settings form's action; a fixable refusal shows the settings again with the reason."""
    project_id = unquote(project_id)
    data = web.form(bp.current_request)
    try:
        target, done = action(data, project_id)
    except FIXABLE as err:
        return _settings_page(project_id, status=err.status, error=text(err))
    return after_form(data, target, done)


@bp.route("/projects/{project_id}/settings", methods=["POST"], content_types=FORM)
def save_settings(project_id: str) -> Response:
    def action(data: dict[str, str], pid: str) -> tuple[str, str]:
        projects.update(
            me(),
            pid,
            name=data.get("name", ""),
            description=data.get("description", ""),
            visibility=data.get("visibility", ""),
            archived=flag(data, "archived"),
            revision=number(data, "revision"),
        )
        return project_path(pid, "settings"), "saved"

    return _act(project_id, action)


@bp.route("/projects/{project_id}/members", methods=["POST"], content_types=FORM)
def add_member(project_id: str) -> Response:
    def action(data: dict[str, str], pid: str) -> tuple[str, str]:
        staff_id = data.get("staff_id", "").strip().lower().lstrip("@")
        membership.add_member(me(), pid, staff_id, data.get("role") or MemberRole.MEMBER.value)
        return project_path(pid, "settings"), "member-added"

    return _act(project_id, action)


@bp.route("/projects/{project_id}/members/{staff_id}/role", methods=["POST"], content_types=FORM)
def set_role(project_id: str, staff_id: str) -> Response:
    def action(data: dict[str, str], pid: str) -> tuple[str, str]:
        membership.set_role(me(), pid, unquote(staff_id), data.get("role", ""))
        return project_path(pid, "settings"), "role-changed"

    return _act(project_id, action)


@bp.route("/projects/{project_id}/members/{staff_id}/remove", methods=["POST"], content_types=FORM)
def remove_member(project_id: str, staff_id: str) -> Response:
    """A manager removes someone, or a member leaves (their own id): then back to the list."""

    def action(data: dict[str, str], pid: str) -> tuple[str, str]:
        person = me()
        who = unquote(staff_id)
        membership.remove(person, pid, who)
        if who == person.staff_id:
            return "/projects", "left"
        return project_path(pid, "settings"), "member-removed"

    return _act(project_id, action)


@bp.route("/projects/{project_id}/labels", methods=["POST"], content_types=FORM)
def save_labels(project_id: str) -> Response:
    """Every label row of the form at once (renamed, recoloured, dropped), plus a new one."""
    project_id = unquote(project_id)
    data = web.form_lists(bp.current_request)

    def one(name: str) -> str:
        return (data.get(name) or [""])[-1]

    try:
        dropped = set(data.get("drop", []))
        rows = zip(data.get("label_id", []), data.get("label_name", []), data.get("label_color", []), strict=False)
        labels = [(i, n, c) for i, n, c in rows if i not in dropped]
        if one("new_name").strip():
            labels.append(("", one("new_name"), one("new_color") or "gray"))
        projects.set_labels(me(), project_id, labels, number({"revision": one("revision")}, "revision"))
    except FIXABLE as err:
        return _settings_page(project_id, status=err.status, error=text(err))
    return after_form({"fragment": one("fragment")}, project_path(project_id, "settings"), "labels-saved")


@bp.route("/projects/{project_id}/mute", methods=["POST"], content_types=FORM)
def mute(project_id: str) -> Response:
    def action(data: dict[str, str], pid: str) -> tuple[str, str]:
        muted = flag(data, "muted")
        membership.mute(me(), pid, muted)
        return project_path(pid, "settings"), "muted" if muted else "unmuted"

    return _act(project_id, action)


@bp.route("/projects/{project_id}/boards", methods=["POST"], content_types=FORM)
def add_board(project_id: str) -> Response:
    def action(data: dict[str, str], pid: str) -> tuple[str, str]:
        _, board = projects.add_board(me(), pid, data.get("name", ""), language())
        return board_view.board_path(pid, board.board_id), ""

    return _act(project_id, action)
