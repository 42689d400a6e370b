"""The project board's domain events (cards, mentions, recruiting, consent, 実績): part of the one
catalogue in core/event_catalogue.py, kept in their own module so each stays readable.
The same rules apply: facts only (ids, names, numbers), never a comment's whole text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from chalicelib.core.events import Detail, EventType


@dataclass(frozen=True)
class MemberJoined(Detail):
    """A person became a member of a project (added by a manager, or after 所属長同意)."""

    EVENT: ClassVar = EventType("projects", "MemberJoined")
    project_id: str
    project_name: str
    staff_id: str
    added_by: str
    added_by_name: str
    share_percent: int = 0


@dataclass(frozen=True)
class CardAssigned(Detail):
    EVENT: ClassVar = EventType("projects", "CardAssigned")
    project_id: str
    project_name: str
    board_id: str
    card_id: str
    title: str
    assignee_ids: list[str]  # only the newly assigned
    assigned_by: str
    assigned_by_name: str


@dataclass(frozen=True)
class CardDue(Detail):
    """A card is due soon (overdue False) or overdue (True); sent once per card, due date and step."""

    EVENT: ClassVar = EventType("projects", "CardDue")
    project_id: str
    project_name: str
    board_id: str
    card_id: str
    title: str
    due: str  # ISO date
    assignee_ids: list[str]
    overdue: bool
    watcher_ids: list[str] = field(default_factory=list)  # watching, not assigned: told, not mailed


@dataclass(frozen=True)
class CommentMentioned(Detail):
    EVENT: ClassVar = EventType("projects", "CommentMentioned")
    project_id: str
    project_name: str
    board_id: str
    card_id: str
    title: str
    mentioned_ids: list[str]
    author_id: str
    author_name: str
    excerpt: str  # the comment's first characters, as plain text


@dataclass(frozen=True)
class RecruitmentPosted(Detail):
    """A project posted a 公募 every staff member may apply to."""

    EVENT: ClassVar = EventType("projects", "RecruitmentPosted")
    recruitment_id: str
    project_id: str
    project_name: str
    title: str
    share_percent: int
    deadline: str  # ISO date


@dataclass(frozen=True)
class ApplicationReceived(Detail):
    EVENT: ClassVar = EventType("projects", "ApplicationReceived")
    recruitment_id: str
    application_id: str
    project_id: str
    project_name: str
    applicant_id: str
    applicant_name: str
    owner_ids: list[str]


@dataclass(frozen=True)
class ConsentRequested(Detail):
    """The project wants to take the applicant: their 所属長 is asked for consent (所属長同意)."""

    EVENT: ClassVar = EventType("projects", "ConsentRequested")
    application_id: str
    project_id: str
    project_name: str
    applicant_id: str
    applicant_name: str
    head_ids: list[str]
    share_percent: int
    over_cap: bool


@dataclass(frozen=True)
class ConsentGiven(Detail):
    EVENT: ClassVar = EventType("projects", "ConsentGiven")
    application_id: str
    project_id: str
    project_name: str
    applicant_id: str
    decided_by_name: str
    owner_ids: list[str]


@dataclass(frozen=True)
class ConsentRefused(Detail):
    EVENT: ClassVar = EventType("projects", "ConsentRefused")
    application_id: str
    project_id: str
    project_name: str
    applicant_id: str
    decided_by_name: str
    owner_ids: list[str]
    comment: str


@dataclass(frozen=True)
class ActualsDue(Detail):
    """A month ended: members with a time share record their 実績 for it (sent once per month)."""

    EVENT: ClassVar = EventType("projects", "ActualsDue")
    month: str  # YYYY-MM
    staff_ids: list[str]


@dataclass(frozen=True)
class CardChanged(Detail):
    """A card was created, changed, archived or restored, or commented on. Only which card: a
    consumer (the search index) reads the card's current state itself. A move is not announced:
    nothing the index holds depends on a card's list or rank, and moves are the hottest write."""

    EVENT: ClassVar = EventType("projects", "CardChanged")
    project_id: str
    board_id: str
    card_id: str
    change: str  # created | changed | archived | restored | commented | project_changed (a fan-out)


@dataclass(frozen=True)
class ProjectChanged(Detail):
    """Something every card of a project (or of one list, when board_id and list_id are given)
    shows, or who may see them, changed: the project was created (with a template's cards), its
    name, visibility or labels changed, someone joined or left, a list was archived or restored."""

    EVENT: ClassVar = EventType("projects", "ProjectChanged")
    project_id: str
    change: str  # created | settings | labels | members | list
    board_id: str = ""
    list_id: str = ""


PROJECT_EVENTS: tuple[type[Detail], ...] = (
    MemberJoined,
    CardAssigned,
    CardDue,
    CommentMentioned,
    RecruitmentPosted,
    ApplicationReceived,
    ConsentRequested,
    ConsentGiven,
    ConsentRefused,
    ActualsDue,
    CardChanged,
    ProjectChanged,
)

# After these a card's search document may be stale (what it says, or who may find it): the
# project index rule routes exactly these, and projects/indexing.py refreshes for exactly these.
PROJECT_SEARCH_CHANGES: tuple[type[CardChanged | ProjectChanged], ...] = (CardChanged, ProjectChanged)
