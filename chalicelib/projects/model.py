"""Projects, members, lists and cards as the service hands them out, read from their records.

Only this module and the use-case modules of the slice touch the records; routes, pages and
other slices get these frozen dataclasses.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from chalicelib.projects.storage import ActivityRecord, ItemRecord, MemberRecord, ProjectRecord


def now() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def event_key(at: datetime) -> str:
    """An activity key that sorts by time and never collides with another writer's."""
    return f"{at.strftime('%Y%m%dT%H%M%S%fZ')}-{secrets.token_hex(3)}"


class Visibility(StrEnum):
    MEMBERS = "members"  # only its members (and who manages it) see it
    STAFF = "staff"  # 庁内公開: every staff member sees it; only members change it


class MemberRole(StrEnum):
    OWNER = "owner"  # manages membership and the project's settings
    MEMBER = "member"


@dataclass(frozen=True)
class BoardRef:
    board_id: str
    name: str


@dataclass(frozen=True)
class Label:
    label_id: str
    name: str
    color: str  # one of LABEL_COLORS


LABEL_COLORS = ("gray", "red", "orange", "yellow", "green", "teal", "blue", "purple")


@dataclass(frozen=True)
class Project:
    project_id: str
    name: str
    description: str
    owner_unit_id: str
    owner_department_id: str
    owner_id: str
    owner_name: str
    visibility: Visibility
    boards: tuple[BoardRef, ...]
    labels: tuple[Label, ...]
    archived: bool
    created_at: str
    updated_at: datetime
    revision: int

    def has_board(self, board_id: str) -> bool:
        return any(b.board_id == board_id for b in self.boards)


def project_of(r: ProjectRecord) -> Project:
    return Project(
        project_id=r.project_id,
        name=r.name,
        description=r.description,
        owner_unit_id=r.owner_unit_id,
        owner_department_id=r.owner_department_id,
        owner_id=r.owner_id,
        owner_name=r.owner_name,
        visibility=Visibility(r.visibility),
        boards=tuple(BoardRef(b["id"], b["name"]) for b in json.loads(r.boards_json or "[]")),
        labels=tuple(Label(x["id"], x["name"], x["color"]) for x in json.loads(r.labels_json or "[]")),
        archived=bool(r.archived),
        created_at=r.created_at,
        updated_at=r.updated_at,
        revision=int(r.revision or 0),
    )


def boards_json(boards: tuple[BoardRef, ...]) -> str:
    return json.dumps([{"id": b.board_id, "name": b.name} for b in boards], ensure_ascii=False)


def labels_json(labels: tuple[Label, ...]) -> str:
    return json.dumps([{"id": x.label_id, "name": x.name, "color": x.color} for x in labels], ensure_ascii=False)


@dataclass(frozen=True)
class Member:
    project_id: str
    staff_id: str
    display_name: str
    unit_id: str
    role: MemberRole
    share_percent: int
    period_end: str | None
    via: str | None
    joined_at: datetime
    left_at: datetime | None
    muted: bool

    @property
    def active(self) -> bool:
        return self.left_at is None


def member_of(r: MemberRecord) -> Member:
    return Member(
        project_id=r.project_id,
        staff_id=r.staff_id,
        display_name=r.display_name,
        unit_id=r.unit_id,
        role=MemberRole(r.role),
        share_percent=int(r.share_percent or 0),
        period_end=r.period_end,
        via=r.via,
        joined_at=r.joined_at,
        left_at=r.left_at,
        muted=bool(r.muted),
    )


@dataclass(frozen=True)
class ChecklistItem:
    item_id: str
    text: str
    done: bool
    assignee: str | None


@dataclass(frozen=True)
class CardList:
    board_id: str
    list_id: str
    title: str
    rank: str
    wip_limit: int
    archived: bool
    version: int


@dataclass(frozen=True)
class Card:
    board_id: str
    card_id: str
    project_id: str
    list_id: str
    rank: str
    title: str
    description: str
    assignees: tuple[str, ...]
    due: str | None  # ISO date
    labels: tuple[str, ...]
    checklist: tuple[ChecklistItem, ...]
    attachments: tuple[str, ...]
    watchers: tuple[str, ...]
    comments: int
    archived: bool
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int


def list_of(r: ItemRecord) -> CardList:
    return CardList(r.board_id, r.item_id, r.title, r.rank, int(r.wip_limit or 0), bool(r.archived), int(r.version))


def card_of(r: ItemRecord) -> Card:
    checklist = tuple(
        ChecklistItem(c["id"], c["text"], bool(c.get("done")), c.get("assignee"))
        for c in json.loads(r.checklist_json or "[]")
    )
    return Card(
        board_id=r.board_id,
        card_id=r.item_id,
        project_id=r.project_id,
        list_id=r.list_id,
        rank=r.rank,
        title=r.title,
        description=r.description,
        assignees=tuple(str(v) for v in (r.assignees or ())),
        due=r.due,
        labels=tuple(str(v) for v in (r.labels or ())),
        checklist=checklist,
        attachments=tuple(str(v) for v in (r.attachments or ())),
        watchers=tuple(str(v) for v in (r.watchers or ())),
        comments=int(r.comment_count or 0),
        archived=bool(r.archived),
        created_by=r.created_by,
        created_at=r.created_at,
        updated_at=r.updated_at,
        version=int(r.version or 0),
    )


def checklist_json(items: tuple[ChecklistItem, ...]) -> str:
    return json.dumps(
        [{"id": c.item_id, "text": c.text, "done": c.done, "assignee": c.assignee} for c in items], ensure_ascii=False
    )


@dataclass(frozen=True)
class Activity:
    project_id: str
    event_key: str
    board_id: str
    card_id: str | None
    action: str
    actor_id: str
    actor_name: str
    summary: str
    text: str
    mentions: tuple[str, ...]
    at: datetime


def activity_of(r: ActivityRecord) -> Activity:
    return Activity(
        r.project_id,
        r.event_key,
        r.board_id,
        r.card_id,
        r.action,
        r.actor_id,
        r.actor_name,
        r.summary,
        r.text,
        tuple(str(v) for v in (r.mentions or ())),
        r.at,
    )
