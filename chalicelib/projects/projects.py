"""Use cases of projects themselves: start one (optionally from a template), list the ones a
person may see, change its settings, boards and labels. Membership is membership.py; the
cards are boards.py."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core import events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.core.i18n import gettext_for
from chalicelib.core.project_events import ProjectChanged
from chalicelib.core.storage import get_or_none, transaction, update_if
from chalicelib.projects import access, ranks, storage, templates
from chalicelib.projects.model import (
    LABEL_COLORS,
    BoardRef,
    Label,
    Member,
    MemberRole,
    Project,
    Visibility,
    boards_json,
    labels_json,
    member_of,
    new_id,
    now,
    project_of,
)
from chalicelib.projects.storage import ItemRecord, MemberRecord, ProjectRecord

NAME_MAX = 100
DESCRIPTION_MAX = 5000
LABELS_MAX = 30
BOARDS_MAX = 10
PUBLIC_LIST_MAX = 200  # the 庁内公開 projects listed at once, newest first


@dataclass(frozen=True)
class ProjectDraft:
    name: str
    description: str = ""
    visibility: str = Visibility.MEMBERS.value
    owner_unit_id: str = ""  # the owning 所属; empty: the creator's main 所属
    template: str = "kanban"


def _name(value: str, field: str = "name", limit: int = NAME_MAX) -> str:
    text = value.strip()
    if not text:
        raise BadRequest("Enter a name.", field=field)
    if len(text) > limit:
        raise BadRequest("{field} is too long (at most {limit} characters).", field=field, limit=limit)
    return text


def _visibility(value: str) -> Visibility:
    try:
        return Visibility(value)
    except ValueError:
        raise BadRequest("{field} is not a valid value.", field="visibility") from None


def _description(value: str) -> str:
    if len(value) > DESCRIPTION_MAX:
        raise BadRequest(
            "{field} is too long (at most {limit} characters).", field="description", limit=DESCRIPTION_MAX
        )
    return value


def create(p: Principal, draft: ProjectDraft, language: str = "ja") -> Project:
    """A new project owned by one of the creator's 所属, with its first board made from a template;
    the creator is its first owner. All of it is written, or nothing."""
    from chalicelib.directory import service as directory

    name = _name(draft.name)
    visibility = _visibility(draft.visibility)
    description = _description(draft.description)
    unit_id = draft.owner_unit_id or p.unit_id
    if unit_id not in {a.unit_id for a in p.assignments} and unit_id != p.unit_id:
        raise BadRequest("A project belongs to one of your own units.", field="owner_unit_id")
    template = templates.find(draft.template or "kanban")
    if template is None:
        raise BadRequest("{field} is not a valid value.", field="template")
    translate = gettext_for(language)
    at = now()
    project_id = new_id("prj")
    board_id = new_id("brd")
    labels = tuple(Label(new_id("lbl"), translate(n), c) for n, c in template.labels)
    project = ProjectRecord(
        project_id,
        name=name,
        description=description,
        owner_unit_id=unit_id,
        owner_department_id=directory.department_of(unit_id) if directory.find_unit(unit_id) else p.department_id,
        owner_id=p.staff_id,
        owner_name=p.display_name,
        visibility=visibility.value,
        boards_json=boards_json((BoardRef(board_id, translate(template.name)),)),
        labels_json=labels_json(labels),
        created_at=at.isoformat(),
        updated_at=at,
    )
    owner = MemberRecord(
        project_id,
        p.staff_id,
        display_name=p.display_name,
        unit_id=p.unit_id,
        role=MemberRole.OWNER.value,
        joined_at=at,
    )
    items: list[ItemRecord] = []
    for list_template, list_rank in zip(template.lists, ranks.spread(len(template.lists)), strict=True):
        list_id = new_id("L")
        items.append(
            ItemRecord(
                board_id,
                list_id,
                project_id=project_id,
                kind="list",
                rank=list_rank,
                title=translate(list_template.title),
                wip_limit=list_template.wip_limit,
                created_by=p.staff_id,
                created_at=at,
                updated_at=at,
            )
        )
        for title, card_rank in zip(list_template.cards, ranks.spread(len(list_template.cards)), strict=True):
            items.append(
                ItemRecord(
                    board_id,
                    new_id("C"),
                    project_id=project_id,
                    kind="card",
                    list_id=list_id,
                    rank=card_rank,
                    title=translate(title),
                    created_by=p.staff_id,
                    created_at=at,
                    updated_at=at,
                )
            )
    storage.bind()
    with transaction() as tx:
        tx.save(project, condition=ProjectRecord.project_id.does_not_exist())
        tx.save(owner)
        for item in items:
            tx.save(item)
    events.publish([ProjectChanged(project_id=project_id, change="created")])  # a template's cards are found too
    return project_of(project)


def visible_to(p: Principal) -> list[tuple[Project, Member | None]]:
    """The projects a person belongs to, then the 庁内公開 ones they do not, newest first."""
    storage.bind()
    mine = [member_of(m) for m in MemberRecord.by_staff.query(p.staff_id) if m.left_at is None]
    found: dict[str, tuple[Project, Member | None]] = {}
    if mine:
        ids = [m.project_id for m in mine]
        records = {r.project_id: r for r in ProjectRecord.batch_get(ids)}
        for m in mine:
            if m.project_id in records:
                found[m.project_id] = (project_of(records[m.project_id]), m)
    public = ProjectRecord.by_visibility.query(Visibility.STAFF.value, scan_index_forward=False, limit=PUBLIC_LIST_MAX)
    for r in public:
        found.setdefault(r.project_id, (project_of(r), None))
    return sorted(found.values(), key=lambda pm: (pm[1] is None, pm[0].archived, pm[0].created_at), reverse=False)


def get(p: Principal, project_id: str) -> access.Standing:
    return access.standing(p, project_id)


def _save_project(project_id: str, revision: int, actions: list[object]) -> Project:
    record = get_or_none(ProjectRecord, project_id)
    if record is None:
        raise access.missing(project_id)
    actions = [*actions, ProjectRecord.revision.add(1), ProjectRecord.updated_at.set(now())]
    if not update_if(record, actions, ProjectRecord.revision == revision):
        raise Conflict("Someone else changed this project meanwhile: reload and try again.")
    return project_of(record)


def update(
    p: Principal, project_id: str, *, name: str, description: str, visibility: str, archived: bool, revision: int
) -> Project:
    """Settings: its managers only."""
    access.as_manager(p, project_id)
    saved = _save_project(
        project_id,
        revision,
        [
            ProjectRecord.name.set(_name(name)),
            ProjectRecord.description.set(_description(description)),
            ProjectRecord.visibility.set(_visibility(visibility).value),
            ProjectRecord.archived.set(archived),
        ],
    )
    # Its name is in every card's search document, its visibility says who finds them.
    events.publish([ProjectChanged(project_id=project_id, change="settings")])
    return saved


def add_board(p: Principal, project_id: str, name: str, language: str = "ja") -> tuple[Project, BoardRef]:
    """Another board in the project (its members), with the three lists of the Kanban template."""
    found = access.as_member(p, project_id)
    if len(found.project.boards) >= BOARDS_MAX:
        raise BadRequest("A project has at most {limit} boards.", field="name", limit=BOARDS_MAX)
    translate = gettext_for(language)
    board = BoardRef(new_id("brd"), _name(name))
    kanban = templates.find("kanban")
    assert kanban is not None
    at = now()
    boards = (*found.project.boards, board)
    record = get_or_none(ProjectRecord, project_id)
    if record is None:
        raise access.missing(project_id)
    with transaction() as tx:
        tx.update(
            record,
            actions=[
                ProjectRecord.boards_json.set(boards_json(boards)),
                ProjectRecord.revision.add(1),
                ProjectRecord.updated_at.set(at),
            ],
            condition=ProjectRecord.revision == found.project.revision,
        )
        for lt, rank in zip(kanban.lists, ranks.spread(len(kanban.lists)), strict=True):
            tx.save(
                ItemRecord(
                    board.board_id,
                    new_id("L"),
                    project_id=project_id,
                    kind="list",
                    rank=rank,
                    title=translate(lt.title),
                    wip_limit=lt.wip_limit,
                    created_by=p.staff_id,
                    created_at=at,
                    updated_at=at,
                )
            )
    return access.standing(p, project_id).project, board


def set_labels(p: Principal, project_id: str, labels: list[tuple[str, str, str]], revision: int) -> Project:
    """The project's labels as (id or "", name, color); a new one gets an id. Its members."""
    access.as_member(p, project_id)
    if len(labels) > LABELS_MAX:
        raise BadRequest("A project has at most {limit} labels.", field="labels", limit=LABELS_MAX)
    out: list[Label] = []
    for label_id, name, color in labels:
        if color not in LABEL_COLORS:
            raise BadRequest("{field} is not a valid value.", field="color")
        out.append(Label(label_id or new_id("lbl"), _name(name, "labels", 40), color))
    saved = _save_project(project_id, revision, [ProjectRecord.labels_json.set(labels_json(tuple(out)))])
    events.publish([ProjectChanged(project_id=project_id, change="labels")])  # cards are found by label names
    return saved


def project_name(project_id: str) -> str:
    """For notices and the 公募 list: the name only, no rights implied."""
    storage.bind()
    record = get_or_none(ProjectRecord, project_id)
    if record is None:
        raise NotFound("There is no project {project_id}.", project_id=project_id)
    return record.name
