"""自分のタスク: what a person has to do across every project, from their `card_assignments` rows.

A row stands for one card and one person: the card is assigned to them, or a checklist item on
it is, or both (cards.py writes the rows in the same transaction as the card). Here the rows
become `Task`s, grouped the way a person plans a week: overdue, today, the rest of this week
(weeks end on Saturday, as Japanese calendars print them), later, and no due date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chalicelib.core.i18n_markers import N_
from chalicelib.projects.storage import AssignmentRecord


@dataclass(frozen=True)
class MyItem:
    """A checklist item of the card that is assigned to this person."""

    item_id: str
    text: str
    done: bool


@dataclass(frozen=True)
class Task:
    project_id: str
    project_name: str
    board_id: str
    card_id: str
    title: str
    due: str | None  # ISO date, a day in Japan
    archived: bool
    assigned: bool  # the card itself is assigned to this person (not only an item on it)
    items: tuple[MyItem, ...]  # the card's checklist items assigned to this person

    @property
    def due_date(self) -> date | None:
        return date.fromisoformat(self.due) if self.due else None

    @property
    def open_items(self) -> tuple[MyItem, ...]:
        return tuple(i for i in self.items if not i.done)

    @property
    def to_do(self) -> bool:
        """Something is left for this person: the card, or an unticked item of theirs on it."""
        return self.assigned or bool(self.open_items)

    @property
    def link(self) -> str:
        """The card opened on its board (the board page opens the card named by ?card=)."""
        return card_link(self.project_id, self.board_id, self.card_id)


def card_link(project_id: str, board_id: str, card_id: str) -> str:
    return f"/projects/{project_id}/boards/{board_id}?card={card_id}"


def items_json(items: list[MyItem]) -> str:
    return json.dumps([{"id": i.item_id, "text": i.text, "done": i.done} for i in items], ensure_ascii=False)


def task_of(r: AssignmentRecord) -> Task:
    items = tuple(MyItem(x["id"], x["text"], bool(x.get("done"))) for x in json.loads(r.items_json or "[]"))
    return Task(
        project_id=r.project_id,
        project_name=r.project_name,
        board_id=r.board_id,
        card_id=r.card_id,
        title=r.title,
        due=r.due,
        archived=bool(r.archived),
        assigned=r.assigned is not False,  # rows written before checklist items counted: assigned
        items=items,
    )


class Group(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    THIS_WEEK = "this_week"
    LATER = "later"
    NO_DUE = "no_due"


GROUP_TITLES = {
    Group.OVERDUE: N_("Overdue"),
    Group.TODAY: N_("Today"),
    Group.THIS_WEEK: N_("This week"),
    Group.LATER: N_("Later"),
    Group.NO_DUE: N_("No due date"),
}


def week_end(day: date) -> date:
    """The Saturday that ends `day`'s week (weeks run from Sunday)."""
    return day + timedelta(days=(5 - day.weekday()) % 7)


def group_of(task: Task, today: date) -> Group:
    due = task.due_date
    if due is None:
        return Group.NO_DUE
    if due < today:
        return Group.OVERDUE
    if due == today:
        return Group.TODAY
    return Group.THIS_WEEK if due <= week_end(today) else Group.LATER


def grouped(tasks: list[Task], today: date) -> list[tuple[Group, list[Task]]]:
    """Every group in order, each with its tasks in the order given (by due date)."""
    out: dict[Group, list[Task]] = {g: [] for g in Group}
    for task in tasks:
        out[group_of(task, today)].append(task)
    return list(out.items())


def by_day(tasks: list[Task]) -> dict[date, list[Task]]:
    """Tasks with a due date, by that date (the calendar's cells)."""
    days: dict[date, list[Task]] = {}
    for task in tasks:
        if task.due_date is not None:
            days.setdefault(task.due_date, []).append(task)
    return days
