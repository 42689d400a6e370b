"""Calendars of due dates: a board's cards (everyone who may see the project) and a person's own
tasks across projects, laid on a month grid (core/month.py: Sunday first, 祝日, 和暦).

The pages, the JSON API and the iCal feed read the same tasks (cards.my_tasks), so the calendar
shows what 自分のタスク lists, by day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.core.auth import Principal
from chalicelib.core.errors import NotFound
from chalicelib.core.month import Day, Month, grid_range, weeks
from chalicelib.projects import access, boards, cards
from chalicelib.projects.boards import Board
from chalicelib.projects.model import Card
from chalicelib.projects.tasks import Task, card_link


@dataclass(frozen=True)
class Entry:
    """A card on its due day."""

    project_id: str
    project_name: str
    board_id: str
    card_id: str
    title: str
    due: date
    only_items: bool = False  # on my calendar: only checklist items of the card are mine

    @property
    def link(self) -> str:
        return card_link(self.project_id, self.board_id, self.card_id)


@dataclass(frozen=True)
class Cell:
    day: Day
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class MonthView:
    month: Month
    weeks: list[list[Cell]]

    @property
    def count(self) -> int:
        """Cards due within the month itself (not the neighbouring months' days in the grid)."""
        return sum(len(c.entries) for week in self.weeks for c in week if c.day.in_month)


def month_view(month: Month, entries: list[Entry], *, on: date | None = None) -> MonthView:
    days: dict[date, list[Entry]] = {}
    for e in entries:
        days.setdefault(e.due, []).append(e)
    grid = [[Cell(d, tuple(days.get(d.date, ()))) for d in week] for week in weeks(month, on=on)]
    return MonthView(month, grid)


def _in_grid(month: Month, due: date | None) -> bool:
    first, last = grid_range(month)
    return due is not None and first <= due <= last


def entry_of_task(t: Task) -> Entry:
    assert t.due_date is not None
    return Entry(t.project_id, t.project_name, t.board_id, t.card_id, t.title, t.due_date, not t.assigned)


def my_month(p: Principal, month: Month, *, on: date | None = None) -> MonthView:
    """The person's own tasks due in the month's grid, across every project they belong to."""
    mine = [entry_of_task(t) for t in cards.my_tasks(p.staff_id) if _in_grid(month, t.due_date)]
    return month_view(month, mine, on=on)


@dataclass(frozen=True)
class BoardMonth:
    board: Board
    view: MonthView


def _entry_of_card(board: Board, c: Card) -> Entry:
    assert c.due is not None
    return Entry(
        board.project.project_id, board.project.name, c.board_id, c.card_id, c.title, date.fromisoformat(c.due)
    )


def board_month(
    p: Principal, project_id: str, board_id: str | None, month: Month, *, on: date | None = None
) -> BoardMonth:
    """A board's open cards due in the month's grid; no board named: the project's first."""
    if not board_id:
        found = access.standing(p, project_id)
        if not found.project.boards:
            raise NotFound("This project has no board yet.")
        board_id = found.project.boards[0].board_id
    board = boards.load(p, project_id, board_id)
    due = [
        _entry_of_card(board, c) for c in board.cards if _in_grid(month, date.fromisoformat(c.due) if c.due else None)
    ]
    return BoardMonth(board, month_view(month, sorted(due, key=lambda e: (e.due, e.title)), on=on))
