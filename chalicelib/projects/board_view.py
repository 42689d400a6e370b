"""What the board page shows, built from a loaded board: the view options read from the URL
(view, swimlanes, filters, 和暦/西暦), each list with its WIP count, the cards that pass the
filters with their labels, people and due date ready to print, swimlanes and the list view's
rows. Pure functions of the board and the options, so the page and its refresh draw the same.

Filters and the view live in the query string, so a filtered board is a link one can share.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from urllib.parse import quote, urlencode

from chalicelib.core import wareki
from chalicelib.core.templating import JST
from chalicelib.projects.boards import Board
from chalicelib.projects.model import Card, CardList, Label, Member

VIEWS = ("board", "swimlanes", "list", "archived")
LANES = ("assignee", "label")
DUE_FILTERS = ("overdue", "week", "none")
NOBODY = "none"  # the assignee filter and the swimlane of cards nobody is assigned to


def today() -> date:
    """Due dates are days in Japan."""
    return datetime.now(JST).date()


@dataclass(frozen=True)
class Options:
    """The board page's query string, checked: anything unknown falls back to the default."""

    view: str = "board"
    lanes: str = "assignee"
    assignee: str = ""
    label: str = ""
    due: str = ""
    dates: str = "seireki"  # or "wareki"

    @classmethod
    def parse(cls, params: dict[str, str]) -> Options:
        def pick(name: str, allowed: tuple[str, ...], default: str) -> str:
            value = str(params.get(name) or "")
            return value if value in allowed else default

        return cls(
            view=pick("view", VIEWS, "board"),
            lanes=pick("lanes", LANES, "assignee"),
            assignee=str(params.get("assignee") or "")[:80],
            label=str(params.get("label") or "")[:80],
            due=pick("due", DUE_FILTERS, ""),
            dates=pick("dates", wareki.CALENDARS, "seireki"),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.assignee or self.label or self.due)

    def query(self, **changes: str) -> str:
        """The query string of these options (with changes), defaults left out: short links."""
        options = replace(self, **changes)
        pairs = [
            ("view", options.view, "board"),
            ("lanes", options.lanes if options.view == "swimlanes" else "assignee", "assignee"),
            ("assignee", options.assignee, ""),
            ("label", options.label, ""),
            ("due", options.due, ""),
            ("dates", options.dates, "seireki"),
        ]
        kept = [(k, v) for k, v, default in pairs if v != default]
        return "?" + urlencode(kept) if kept else ""


def board_path(project_id: str, board_id: str) -> str:
    return f"/projects/{quote(project_id, safe='')}/boards/{quote(board_id, safe='')}"


def card_path(project_id: str, board_id: str, card_id: str) -> str:
    return f"{board_path(project_id, board_id)}/cards/{quote(card_id, safe='')}"


def short_name(name: str) -> str:
    """What a card's person chip shows: the family name of a Japanese name (山田 健一 → 山田), the
    initials of a Latin one (Ken Yamada → KY)."""
    parts = name.split()
    if not parts:
        return "?"
    if parts[0].isascii():
        return "".join(p[0].upper() for p in parts[:2])
    return parts[0][:4]


def due_text(iso: str | None, dates: str, language: str) -> str:
    """A due date as the reader chose to see it: 和暦 (令和8年12月1日) or 西暦 (2026年12月1日)."""
    if not iso:
        return ""
    day = date.fromisoformat(iso)
    if dates == "wareki":
        try:
            return wareki.to_wareki(day)
        except ValueError:  # before 1873: no 和暦 equivalent, show it as it is
            return day.isoformat()
    return wareki.format_date(day, "seireki") if language == "ja" else day.isoformat()


def due_state(iso: str | None, on: date) -> str:
    """overdue / today / soon (within 3 days) / "" — shown in words on the card, not only in colour."""
    if not iso:
        return ""
    days = (date.fromisoformat(iso) - on).days
    if days < 0:
        return "overdue"
    if days == 0:
        return "today"
    return "soon" if days <= 3 else ""


@dataclass(frozen=True)
class Person:
    staff_id: str
    name: str
    short: str


@dataclass(frozen=True)
class CardView:
    card: Card
    list_title: str
    labels: tuple[Label, ...]
    people: tuple[Person, ...]
    due: str
    due_state: str

    @property
    def checklist(self) -> tuple[int, int]:
        return sum(1 for c in self.card.checklist if c.done), len(self.card.checklist)


@dataclass(frozen=True)
class ListView:
    card_list: CardList
    count: int  # every card in the list (the WIP limit counts them all), not only those shown
    over: bool
    cards: tuple[CardView, ...]  # those that pass the filters, in order
    last: Card | None  # the list's last card (new cards go after it)


@dataclass(frozen=True)
class Lane:
    key: str
    title: str
    cells: tuple[ListView, ...]  # one per list, with this lane's cards


def passes(card: Card, options: Options, on: date) -> bool:
    if options.assignee == NOBODY:
        person = not card.assignees
    else:
        person = not options.assignee or options.assignee in card.assignees
    tagged = not options.label or options.label in card.labels
    return person and tagged and due_passes(card.due, options.due, on)


def due_passes(due: str | None, wanted: str, on: date) -> bool:
    """overdue: before today; week: from today to the Sunday of this week; none: no due date."""
    if not wanted:
        return True
    if due is None:
        return wanted == "none"
    day = date.fromisoformat(due)
    if wanted == "overdue":
        return day < on
    if wanted == "week":
        return on <= day <= on + timedelta(days=6 - on.weekday())
    return False


class BoardView:
    """The board as the page draws it for one set of options."""

    def __init__(self, board: Board, people: list[Member], options: Options, language: str, on: date) -> None:
        self.board = board
        self.options = options
        self.language = language
        self.on = on
        self.names = {m.staff_id: m.display_name for m in people}
        self.labels = {x.label_id: x for x in board.project.labels}
        self.titles = {x.list_id: x.title for x in board.lists}

    def card(self, card: Card) -> CardView:
        return CardView(
            card=card,
            list_title=self.titles.get(card.list_id, ""),
            labels=tuple(self.labels[i] for i in card.labels if i in self.labels),
            people=tuple(self.person(s) for s in card.assignees),
            due=due_text(card.due, self.options.dates, self.language),
            due_state=due_state(card.due, self.on),
        )

    def person(self, staff_id: str) -> Person:
        name = self.names.get(staff_id, staff_id)
        return Person(staff_id, name, short_name(name))

    def lists(self, lane: tuple[str, str] | None = None) -> list[ListView]:
        """Each open list with the cards shown in it (in one swimlane, when given)."""
        out = []
        for card_list in self.board.lists:
            if card_list.archived:
                continue
            every = [c for c in self.board.cards_in(card_list.list_id) if not c.archived]
            shown = [c for c in every if passes(c, self.options, self.on) and in_lane(c, lane)]
            out.append(
                ListView(
                    card_list=card_list,
                    count=len(every),
                    over=0 < card_list.wip_limit < len(every),
                    cards=tuple(self.card(c) for c in shown),
                    last=every[-1] if every else None,
                )
            )
        return out

    def lanes(self) -> list[Lane]:
        """Swimlanes: one per person (or label) that has a card shown, then the cards with none."""
        shown = [c for c in self.board.cards if not c.archived and passes(c, self.options, self.on)]
        keys: list[tuple[str, str]] = []
        if self.options.lanes == "label":
            used = {i for c in shown for i in c.labels}
            keys = [(x.label_id, x.name) for x in self.board.project.labels if x.label_id in used]
        else:
            used = {s for c in shown for s in c.assignees}
            keys = sorted(((s, self.person(s).name) for s in used), key=lambda k: k[1])
        kind = self.options.lanes
        lanes = [Lane(key, title, tuple(self.lists((kind, key)))) for key, title in keys]
        if any(not (c.labels if kind == "label" else c.assignees) for c in shown):
            lanes.append(Lane(NOBODY, "", tuple(self.lists((kind, NOBODY)))))
        return lanes

    def rows(self) -> list[CardView]:
        """The list view: every card shown, list by list, in board order."""
        return [cv for lv in self.lists() for cv in lv.cards]

    def archived(self) -> tuple[list[CardList], list[CardView]]:
        """Archived lists, and archived cards of lists still open (a list's cards come back with it)."""
        lists = [x for x in self.board.lists if x.archived]
        open_ids = {x.list_id for x in self.board.lists if not x.archived}
        cards = [self.card(c) for c in self.board.cards if c.archived and c.list_id in open_ids]
        return lists, cards

    def archived_count(self, list_id: str) -> int:
        return len(self.board.cards_in(list_id))


def in_lane(card: Card, lane: tuple[str, str] | None) -> bool:
    """(kind, key): the card has that person ("assignee") or label ("label"); key NOBODY: it has none."""
    if lane is None:
        return True
    kind, key = lane
    values = card.labels if kind == "label" else card.assignees
    return not values if key == NOBODY else key in values
