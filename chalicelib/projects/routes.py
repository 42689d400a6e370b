"""JSON API of projects: start one, list them, settings, boards, labels, members, activity and
自分のタスク. Each route parses, calls one use case, shapes the answer (views.py)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.contract import operation, parse_body
from chalicelib.core.month import today
from chalicelib.projects import activity, cards, membership, projects, templates
from chalicelib.projects.calendar_views import task_json
from chalicelib.projects.schemas import (
    ActivitiesOut,
    ActivityQuery,
    BoardIn,
    LabelsIn,
    MemberIn,
    MemberOut,
    MuteIn,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    ProjectSettingsIn,
    ProjectsOut,
    RoleIn,
    TasksOut,
    TemplatesOut,
)
from chalicelib.projects.views import activity_json, member_json, project_json, standing_json

bp = Blueprint(__name__)
TAG = "projects"


def _me() -> Principal:
    return require_signed_in(web.principal())


def _body(model: Any) -> Any:
    return parse_body(model, web.json_body(bp.current_request))


@bp.route("/api/projects")
@operation("Projects I belong to, then the 庁内公開 ones", returns=ProjectsOut, tag=TAG)
def list_projects() -> Response:
    me = _me()
    out: ProjectsOut = {
        "items": [
            project_json(project, member, manages=member is not None and member.role.value == "owner")
            for project, member in projects.visible_to(me)
        ]
    }
    return web.json_response(out)


@bp.route("/api/projects", methods=["POST"])
@operation("Start a project (its first board from a template)", body=ProjectIn, returns=ProjectOut, status=201, tag=TAG)
def create_project() -> Response:
    me = _me()
    data: ProjectIn = _body(ProjectIn)
    project = projects.create(
        me,
        projects.ProjectDraft(data.name, data.description, data.visibility, data.owner_unit_id, data.template),
        web.state().language,
    )
    return web.json_response(standing_json(projects.get(me, project.project_id)), status=201)


@bp.route("/api/project-templates")
@operation("The board templates a project can start from", returns=TemplatesOut, tag=TAG)
def list_templates() -> Response:
    from chalicelib.core.i18n import gettext_for

    _me()
    translate = gettext_for(web.state().language)
    out: TemplatesOut = {
        "items": [
            {
                "key": t.key,
                "name": translate(t.name),
                "description": translate(t.description),
                "lists": [translate(x.title) for x in t.lists],
            }
            for t in templates.TEMPLATES
        ]
    }
    return web.json_response(out)


@bp.route("/api/projects/{project_id}")
@operation("A project and its members", returns=ProjectDetailOut, tag=TAG)
def get_project(project_id: str) -> Response:
    me = _me()
    found = projects.get(me, project_id)
    out: ProjectDetailOut = {
        "project": standing_json(found),
        "members": [member_json(m) for m in membership.members(me, project_id)],
    }
    return web.json_response(out)


@bp.route("/api/projects/{project_id}", methods=["PUT"])
@operation(
    "Change a project's settings (its owners and the owning unit's head)",
    body=ProjectSettingsIn,
    returns=ProjectOut,
    tag=TAG,
)
def update_project(project_id: str) -> Response:
    me = _me()
    data: ProjectSettingsIn = _body(ProjectSettingsIn)
    projects.update(
        me,
        project_id,
        name=data.name,
        description=data.description,
        visibility=data.visibility,
        archived=data.archived,
        revision=data.revision,
    )
    return web.json_response(standing_json(projects.get(me, project_id)))


@bp.route("/api/projects/{project_id}/boards", methods=["POST"])
@operation("Add a board to a project", body=BoardIn, returns=ProjectOut, status=201, tag=TAG)
def add_board(project_id: str) -> Response:
    me = _me()
    data: BoardIn = _body(BoardIn)
    projects.add_board(me, project_id, data.name, web.state().language)
    return web.json_response(standing_json(projects.get(me, project_id)), status=201)


@bp.route("/api/projects/{project_id}/labels", methods=["PUT"])
@operation("Set a project's labels", body=LabelsIn, returns=ProjectOut, tag=TAG)
def set_labels(project_id: str) -> Response:
    me = _me()
    data = web.json_body(bp.current_request)
    parsed: LabelsIn = _body(LabelsIn)
    labels = [(str(x.get("id") or ""), str(x.get("name") or ""), str(x.get("color") or "")) for x in data["labels"]]
    projects.set_labels(me, project_id, labels, parsed.revision)
    return web.json_response(standing_json(projects.get(me, project_id)))


@bp.route("/api/projects/{project_id}/members", methods=["POST"])
@operation("Add a member (the project's managers)", body=MemberIn, returns=MemberOut, status=201, tag=TAG)
def add_member(project_id: str) -> Response:
    data: MemberIn = _body(MemberIn)
    return web.json_response(
        member_json(membership.add_member(_me(), project_id, data.staff_id, data.role)), status=201
    )


@bp.route("/api/projects/{project_id}/members/{staff_id}", methods=["PUT"])
@operation("Make a member an owner, or an owner a member", body=RoleIn, returns=MemberOut, tag=TAG)
def set_role(project_id: str, staff_id: str) -> Response:
    data: RoleIn = _body(RoleIn)
    return web.json_response(member_json(membership.set_role(_me(), project_id, staff_id, data.role)))


@bp.route("/api/projects/{project_id}/members/{staff_id}", methods=["DELETE"])
@operation("Remove a member, or leave (your own id); history stays", returns=MemberOut, tag=TAG)
def remove_member(project_id: str, staff_id: str) -> Response:
    return web.json_response(member_json(membership.remove(_me(), project_id, staff_id)))


@bp.route("/api/projects/{project_id}/mute", methods=["POST"])
@operation("Stop (or resume) notices from this project", body=MuteIn, returns=MemberOut, tag=TAG)
def mute(project_id: str) -> Response:
    data: MuteIn = _body(MuteIn)
    return web.json_response(member_json(membership.mute(_me(), project_id, data.muted)))


@bp.route("/api/projects/{project_id}/activity")
@operation("What happened in a project, newest first", query=ActivityQuery, returns=ActivitiesOut, tag=TAG)
def project_activity(project_id: str) -> Response:
    params: Any = bp.current_request.query_params or {}
    found = activity.of_project(_me(), project_id, before=str(params.get("before") or "") or None)
    out: ActivitiesOut = {"items": [activity_json(a) for a in found]}
    return web.json_response(out)


@bp.route("/api/my/tasks")
@operation(
    "自分のタスク: the cards, and checklist items, assigned to me across every project, by due date",
    returns=TasksOut,
    tag=TAG,
)
def my_tasks() -> Response:
    me = _me()
    on = today()
    out: TasksOut = {"items": [task_json(t, on) for t in cards.my_tasks(me.staff_id)]}
    return web.json_response(out)
