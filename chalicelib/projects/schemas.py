"""The JSON API's request and answer types for projects and boards (the contract:
chalicelib/core/contract.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict


@dataclass(frozen=True)
class ProjectIn:
    name: str
    description: str = ""
    visibility: str = "members"  # "members" or "staff" (庁内公開)
    owner_unit_id: str = ""  # one of your 所属; empty: your main 所属
    template: str = "kanban"  # GET /api/project-templates


@dataclass(frozen=True)
class ProjectSettingsIn:
    name: str
    revision: int
    description: str = ""
    visibility: str = "members"
    archived: bool = False


@dataclass(frozen=True)
class BoardIn:
    name: str


@dataclass(frozen=True)
class LabelIn:
    name: str
    color: str  # gray red orange yellow green teal blue purple
    id: str = ""  # empty: a new label


@dataclass(frozen=True)
class LabelsIn:
    labels: list[LabelIn]
    revision: int


@dataclass(frozen=True)
class MemberIn:
    staff_id: str
    role: str = "member"  # or "owner"


@dataclass(frozen=True)
class RoleIn:
    role: str


@dataclass(frozen=True)
class MuteIn:
    muted: bool


@dataclass(frozen=True)
class NeighbourIn:
    """A list or card next to where something is dropped, as the page showed it."""

    id: str
    rank: str


@dataclass(frozen=True)
class ListIn:
    title: str
    after: NeighbourIn | None = None  # the last list as you saw it; none: the first list


@dataclass(frozen=True)
class ListChangeIn:
    title: str
    version: int
    wip_limit: int = 0  # 0: no limit


@dataclass(frozen=True)
class ListMoveIn:
    version: int
    left: NeighbourIn | None = None
    right: NeighbourIn | None = None


@dataclass(frozen=True)
class ArchiveIn:
    archived: bool
    version: int


@dataclass(frozen=True)
class CardIn:
    list_id: str
    title: str
    after: NeighbourIn | None = None  # the list's last card as you saw it


@dataclass(frozen=True)
class CardChangeIn:
    """A change to a card; a field left out stays as it is."""

    version: int
    title: str | None = None
    description: str | None = None  # Markdown
    assignees: list[str] | None = None  # staff ids of members
    due: str | None = None  # YYYY-MM-DD; "" clears it
    labels: list[str] | None = None  # label ids of the project
    checklist: list[dict[str, Any]] | None = None  # [{"id"?, "text", "done", "assignee"?}]
    attachments: list[str] | None = None  # Kumo file ids you may read
    watchers: list[str] | None = field(default=None)  # include your own id to watch, leave it out to stop


@dataclass(frozen=True)
class LaneIn:
    """Swimlanes a card is dragged across: by "assignee" (staff ids) or "label" (label ids);
    "none" is the lane of the cards with nobody (no label)."""

    by: Literal["assignee", "label"]
    source: str  # the lane it was dragged from
    target: str  # the lane it was dropped into: the card takes its assignee (label)


@dataclass(frozen=True)
class CardMoveIn:
    list_id: str
    version: int
    above: NeighbourIn | None = None  # the card that will be above it; none: the top
    below: NeighbourIn | None = None  # the card that will be below it; none: the bottom
    lane: LaneIn | None = None  # dropped into another swimlane (409 when the card changed meanwhile)
    from_list_id: str | None = None  # the list it was taken from, as the page showed it


@dataclass(frozen=True)
class CardCommentIn:
    text: str  # Markdown; @staff-id mentions


@dataclass(frozen=True)
class ActivityQuery:
    before: str | None = None  # an activity key: the page after it


class BoardRefOut(TypedDict):
    id: str
    name: str


class LabelOut(TypedDict):
    id: str
    name: str
    color: str


class MemberOut(TypedDict):
    staff_id: str
    display_name: str
    unit_id: str
    unit_name: str
    role: str
    share_percent: int
    period_end: str | None
    joined_at: str
    left_at: str | None
    muted: bool  # this member hears nothing from the project


class ProjectOut(TypedDict):
    id: str
    name: str
    description: str
    owner_unit_id: str
    owner_unit_name: str
    owner_name: str
    visibility: str
    boards: list[BoardRefOut]
    labels: list[LabelOut]
    archived: bool
    created_at: str
    revision: int
    my_role: str | None  # owner / member; none: not a member
    manages: bool
    muted: bool


class ProjectsOut(TypedDict):
    items: list[ProjectOut]


class ProjectDetailOut(TypedDict):
    project: ProjectOut
    members: list[MemberOut]


class TemplateOut(TypedDict):
    key: str
    name: str
    description: str
    lists: list[str]


class TemplatesOut(TypedDict):
    items: list[TemplateOut]


class ChecklistItemOut(TypedDict):
    id: str
    text: str
    done: bool
    assignee: str | None


class CardOut(TypedDict):
    id: str
    list_id: str
    rank: str
    title: str
    assignees: list[str]
    due: str | None
    labels: list[str]
    checklist_done: int
    checklist_total: int
    comments: int
    archived: bool
    version: int


class ListOut(TypedDict):
    id: str
    title: str
    rank: str
    wip_limit: int
    over_limit: bool
    archived: bool
    version: int
    cards: list[CardOut]


class MovedOut(TypedDict):
    """Where the card now is: enough for the page to keep its copy of the list right."""

    id: str
    list_id: str
    rank: str
    version: int


class ProjectBoardOut(TypedDict):
    project: ProjectOut
    board: BoardRefOut
    lists: list[ListOut]
    members: list[MemberOut]
    etag: str


class AttachmentOut(TypedDict):
    file_id: str
    name: str


class ActivityOut(TypedDict):
    key: str
    card_id: str | None
    action: str
    actor_id: str
    actor_name: str
    summary: str
    text: str
    html: str  # a comment's Markdown rendered and sanitised
    at: str


class ActivitiesOut(TypedDict):
    items: list[ActivityOut]


class CardDetailOut(TypedDict):
    id: str
    board_id: str
    list_id: str
    rank: str
    title: str
    description: str
    description_html: str
    assignees: list[str]
    due: str | None
    labels: list[str]
    checklist: list[ChecklistItemOut]
    attachments: list[AttachmentOut]  # only those you may read
    watchers: list[str]
    archived: bool
    version: int
    activity: list[ActivityOut]


class CommentedOut(TypedDict):
    key: str
    mentioned: list[str]


class MyItemOut(TypedDict):
    id: str
    text: str
    done: bool


class TaskOut(TypedDict):
    project_id: str
    project_name: str
    board_id: str
    card_id: str
    title: str
    due: str | None
    group: str  # overdue, today, this_week, later, no_due (weeks end on Saturday, in Japan's days)
    assigned: bool  # the card is mine; false: only checklist items on it are
    items: list[MyItemOut]  # my checklist items on the card
    url: str  # the card on its board


class TasksOut(TypedDict):
    items: list[TaskOut]
