"""Due-date reminders for cards: "due soon" on the day before a card's due date and "overdue" on
the day after it (JST days), each sent once per card, due date and step. This publishes CardDue;
who hears of it is the notifier's business (notifications/project_routing.py).

Finding the cards reads no board: `board_items.by_due` (storage.py) holds the cards by due date,
so a run reads one index partition for tomorrow and one for yesterday. A card archived, in an
archived list, on a board or project that is gone or archived gets none, nor does one that no
member is assigned to or watches.

Once: a step is taken by a conditional update of the card itself, adding "<due>#<step>" to its
`reminded` set only if it is not there yet and the card still has that due date and is not
archived. A scheduler run twice, or two at once, takes it once; a date changed meanwhile is not
reminded of. Changing the due date clears the set (cards.py), so the new date has its reminders
anew. The events are published after the steps are taken; if that fails, the steps are given
back for the next run, and each event's id is fixed by the card, its version, the date and the
step, so one that did reach the bus meanwhile is recognised by the notifier as the same event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from botocore.exceptions import ClientError

from chalicelib.core import events
from chalicelib.core.events import DomainEvent, PublishError
from chalicelib.core.project_events import CardDue
from chalicelib.core.storage import get_or_none, update_if
from chalicelib.projects import membership, storage
from chalicelib.projects.model import Project, project_of
from chalicelib.projects.storage import ItemRecord, ProjectRecord

SOON = "soon"
OVERDUE = "overdue"


def step_key(due: str, step: str) -> str:
    return f"{due}#{step}"


@dataclass
class _Run:
    """What one run has read already: a day's cards share lists, projects and members."""

    projects: dict[str, Project | None] = field(default_factory=dict)
    lists_open: dict[tuple[str, str], bool] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)

    def project(self, project_id: str) -> Project | None:
        if project_id not in self.projects:
            record = get_or_none(ProjectRecord, project_id)
            self.projects[project_id] = project_of(record) if record is not None else None
        return self.projects[project_id]

    def list_open(self, board_id: str, list_id: str) -> bool:
        if (board_id, list_id) not in self.lists_open:
            record = get_or_none(ItemRecord, board_id, list_id)
            self.lists_open[(board_id, list_id)] = record is not None and record.kind == "list" and not record.archived
        return self.lists_open[(board_id, list_id)]

    def active(self, project_id: str) -> set[str]:
        if project_id not in self.members:
            self.members[project_id] = membership.active_member_ids(project_id)
        return self.members[project_id]


def _reminder(card: ItemRecord, step: str, run: _Run) -> DomainEvent | None:
    """The CardDue this card calls for, or None when it gets no reminder."""
    project = run.project(card.project_id)
    if project is None or project.archived or not project.has_board(card.board_id):
        return None
    if not run.list_open(card.board_id, card.list_id):
        return None
    members = run.active(card.project_id)
    assignees = [str(a) for a in card.assignees or [] if a in members]
    watchers = [str(w) for w in card.watchers or [] if w in members and w not in assignees]
    if not assignees and not watchers:
        return None
    detail = CardDue(
        project_id=project.project_id,
        project_name=project.name,
        board_id=card.board_id,
        card_id=card.item_id,
        title=card.title,
        due=str(card.due),
        assignee_ids=assignees,
        overdue=step == OVERDUE,
        watcher_ids=watchers,
    )
    return detail.event(event_id=f"card-due-{card.item_id}-v{int(card.version or 0)}-{card.due}-{step}")


def take(card: ItemRecord, key: str) -> bool:
    """Takes one step for the card, once: False when it was taken already (by this run or another
    at the same time) or the card's date or state changed since it was read."""
    return update_if(
        ItemRecord(card.board_id, card.item_id),
        [ItemRecord.reminded.add({key})],
        (ItemRecord.due == card.due)
        & (ItemRecord.kind == "card")
        & (ItemRecord.archived == False)  # noqa: E712 - a pynamodb condition, not a comparison
        & ~ItemRecord.reminded.contains(key),
    )


def _give_back(card: ItemRecord, key: str) -> None:
    ItemRecord(card.board_id, card.item_id).update(actions=[ItemRecord.reminded.delete({key})])


def send_due_reminders(at: datetime) -> int:
    """The scheduler's part: take every due step of every card due tomorrow or yesterday (JST)
    once, then announce them. Returns how many reminders went out."""
    from chalicelib.directory.placement import jst_today

    today = jst_today(at)
    storage.bind()
    run = _Run()
    taken: list[tuple[ItemRecord, str, DomainEvent]] = []
    for step, day in ((SOON, today + timedelta(days=1)), (OVERDUE, today - timedelta(days=1))):
        cards = ItemRecord.by_due.query(
            day.isoformat(),
            filter_condition=(ItemRecord.kind == "card") & (ItemRecord.archived == False),  # noqa: E712
        )
        for card in cards:
            key = step_key(day.isoformat(), step)
            if key in (card.reminded or set()):
                continue  # taken by an earlier run: no write needed to know it
            event = _reminder(card, step, run)
            if event is not None and take(card, key):
                taken.append((card, key, event))
    try:
        events.publish([event for _, _, event in taken])
    except (PublishError, ClientError):
        for card, key, _ in taken:
            _give_back(card, key)
        raise
    return len(taken)
