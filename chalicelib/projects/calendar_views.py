"""自分のタスク and calendars as JSON: one shaping of each, for the API (the pages render the same
objects with templates)."""

from __future__ import annotations

from datetime import date

from chalicelib.core.month import wareki_month
from chalicelib.projects.calendar_schemas import CalendarDayOut, CalendarEntryOut, CalendarOut
from chalicelib.projects.calendars import Cell, Entry, MonthView
from chalicelib.projects.schemas import TaskOut
from chalicelib.projects.tasks import Task, group_of


def task_json(t: Task, today: date) -> TaskOut:
    return {
        "project_id": t.project_id,
        "project_name": t.project_name,
        "board_id": t.board_id,
        "card_id": t.card_id,
        "title": t.title,
        "due": t.due,
        "group": group_of(t, today).value,
        "assigned": t.assigned,
        "items": [{"id": i.item_id, "text": i.text, "done": i.done} for i in t.items],
        "url": t.link,
    }


def entry_json(e: Entry) -> CalendarEntryOut:
    return {
        "project_id": e.project_id,
        "project_name": e.project_name,
        "board_id": e.board_id,
        "card_id": e.card_id,
        "title": e.title,
        "due": e.due.isoformat(),
        "only_items": e.only_items,
        "url": e.link,
    }


def _day_json(c: Cell) -> CalendarDayOut:
    return {
        "date": c.day.key,
        "in_month": c.day.in_month,
        "today": c.day.today,
        "holiday": c.day.holiday,
        "items": [entry_json(e) for e in c.entries],
    }


def calendar_json(view: MonthView, *, board_id: str | None = None) -> CalendarOut:
    return {
        "month": view.month.key,
        "wareki": wareki_month(view.month),
        "previous": view.month.previous.key,
        "next": view.month.next.key,
        "board_id": board_id,
        "weeks": [[_day_json(c) for c in week] for week in view.weeks],
    }
