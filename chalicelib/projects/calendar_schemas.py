"""The JSON API's types for calendars and the iCal feed (the contract: chalicelib/core/contract.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


@dataclass(frozen=True)
class MonthQuery:
    month: str | None = None  # YYYY-MM; none: this month (in Japan)


@dataclass(frozen=True)
class BoardMonthQuery:
    board: str | None = None  # a board of the project; none: its first
    month: str | None = None  # YYYY-MM; none: this month (in Japan)


class CalendarEntryOut(TypedDict):
    project_id: str
    project_name: str
    board_id: str
    card_id: str
    title: str
    due: str
    only_items: bool  # on my calendar: only checklist items of the card are mine
    url: str  # the card on its board


class CalendarDayOut(TypedDict):
    date: str
    in_month: bool  # false: a day of the month before or after, filling the first or last week
    today: bool
    holiday: str | None  # the 祝日's name
    items: list[CalendarEntryOut]


class CalendarOut(TypedDict):
    month: str  # YYYY-MM
    wareki: str  # the month in 和暦: 令和9年1月
    previous: str
    next: str
    board_id: str | None  # a board's calendar: the board shown
    weeks: list[list[CalendarDayOut]]  # Sunday first


class FeedOut(TypedDict):
    url: str  # shown this once: only its hash is stored
    created_at: str


class FeedStatusOut(TypedDict):
    active: bool  # a feed exists (its URL was shown when it was made)
    created_at: str | None
    fetched_at: str | None  # the last time a calendar app fetched it
