"""Project cards in search: the document a card becomes, who may find it, and keeping the index
in step with the boards.

Who finds a card is who may see its project (access.py), written as the principals
search/documents.principals_of gives people, so the search filter and the board agree: the
project's active members, the 所属長 of its owning 所属 (who manages it without being a member),
and every staff member when the project is 庁内公開. Nobody else: not a member who left, not a
system administrator, never a partner (partners have no search). An archived card, a card of
an archived list, or any card of an archived project is not in the index (archiving a project
publishes ProjectChanged, which removes its cards' documents; restoring it puts them back).

A card's document: its title; its description, checklist and newest comments as plain text; its
labels' and assignees' names and its project's name. It opens the board on the card (`?card=`)
and is faceted under the project's owning 所属 and its 部局.

Not its list: a drag and drop is the board's most frequent write, kept to one transaction with
nothing around it (projects/moves.py, bench/board.py), and announcing every move on the bus
would double its time. So nothing in the document depends on where the card sits; a move
leaves it as it is. (The one place-dependent fact, "in an archived list", changes with the
list's archiving, which is announced.)

Keeping it fresh: the use cases publish CardChanged (one card) and ProjectChanged (every card of
a project, or of one list) after their writes; the index rule routes them to the index queue and
the indexer function calls `handle`, which reads the current state, strongly consistent, and
writes that, so a redelivered or late event changes nothing. More than FAN_OUT_ABOVE cards
become one CardChanged message per card on the index queue (search's indexer.enqueue), as a big
folder's files do. `changes` is the source `kumo reindex` reads (see `register`).

Versions: a card's document is built from the card, its list, its project, the members and the
comments, and no one counter moves with all of them, so its version is the moment the read
began (µs). Every change publishes its event after its write, so the read that event causes
begins after the write and carries a larger version than any read that could have missed it:
the document that stays is built from a state that includes every change. (The indexer's
containers' clocks agree far more closely than the time an event takes through bus and queue.)
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.core.project_events import PROJECT_SEARCH_CHANGES, CardChanged
from chalicelib.core.storage import get_or_none
from chalicelib.projects import storage
from chalicelib.projects.activity import Action
from chalicelib.projects.markdown import plain_text
from chalicelib.projects.model import (
    Activity,
    Card,
    CardList,
    Member,
    Project,
    Visibility,
    activity_of,
    card_of,
    list_of,
    member_of,
    now,
    project_of,
)
from chalicelib.projects.storage import ActivityRecord, ItemRecord, MemberRecord, ProjectRecord
from chalicelib.search import records
from chalicelib.search.documents import EVERYONE, head_principal, staff_principal
from chalicelib.search.records import Change, Gone, Record

SOURCE = "projects"
KIND = "card"
COMMENTS_MAX = 20  # a card is found by its newest comments, not by years of them
COMMENT_CHARS_MAX = 1_000  # of each comment's text
FAN_OUT_ABOVE = 25  # a project change touching more cards becomes one message per card
# The index of activity by card is eventually consistent: comments this recent are read from the
# table itself (strongly consistent), so the comment that caused the refresh is never missed.
RECENT = timedelta(minutes=5)
FANNED_OUT, IGNORED = "fanned_out", "ignored"


# --- documents (pure) ---------------------------------------------------------------------


def card_doc_id(board_id: str, card_id: str) -> str:
    return f"{KIND}:{board_id}:{card_id}"


def card_link(project_id: str, board_id: str, card_id: str) -> str:
    return f"/projects/{project_id}/boards/{board_id}?card={card_id}"


@dataclass(frozen=True)
class Setting:
    """What a card's document needs besides the card and its comments, read once per project."""

    project: Project
    members: tuple[Member, ...]  # those who left too: an assignee who left is still named
    lists: Mapping[str, CardList]  # the lists of the cards' boards, by id

    def name_of(self, staff_id: str) -> str:
        return next((m.display_name for m in self.members if m.staff_id == staff_id and m.display_name), staff_id)


def card_principals(project: Project, members: Iterable[Member]) -> tuple[str, ...]:
    """Who may see the project (access.standing): its active members, the head of its owning
    所属, and everyone when it is 庁内公開."""
    found = [head_principal(project.owner_unit_id), *(staff_principal(m.staff_id) for m in members if m.active)]
    if project.visibility is Visibility.STAFF:
        found.insert(0, EVERYONE)
    return tuple(dict.fromkeys(found))


def card_place(project: Project, card: Card) -> str:
    """Where the card is, as a person reads it: its project, and its board when there are several
    (not its list: see the module's note on moves)."""
    board = next((b.name for b in project.boards if b.board_id == card.board_id), "")
    return f"{project.name} › {board}" if board and len(project.boards) > 1 else project.name


def card_text(card: Card, setting: Setting, comments: Sequence[Activity]) -> str:
    """What a card is found by besides its title."""
    labels = {x.label_id: x.name for x in setting.project.labels}
    lines = [
        plain_text(card.description),
        *(item.text for item in card.checklist),
        " ".join(labels[x] for x in card.labels if x in labels),
        " ".join(setting.name_of(a) for a in card.assignees),
        setting.project.name,
        *(plain_text(c.text)[:COMMENT_CHARS_MAX] for c in comments[:COMMENTS_MAX]),
    ]
    return "\n".join(line for line in lines if line)


def findable(card: Card, setting: Setting) -> bool:
    card_list = setting.lists.get(card.list_id)
    return (
        not card.archived
        and not setting.project.archived  # finished: kept on its pages for reference, not offered in search
        and card.project_id == setting.project.project_id
        and setting.project.has_board(card.board_id)
        and card_list is not None
        and not card_list.archived
    )


def card_record(card: Card, setting: Setting, comments: Sequence[Activity], *, version: int) -> Change:
    """The card's document, or Gone when it must not be found (archived, or its list is)."""
    doc_id = card_doc_id(card.board_id, card.card_id)
    if not findable(card, setting):
        return Gone(doc_id, version)
    project = setting.project
    return Record(
        kind=KIND,
        doc_id=doc_id,
        version=version,
        title=card.title,
        text=card_text(card, setting, comments),
        principals=card_principals(project, setting.members),
        link=card_link(project.project_id, card.board_id, card.card_id),
        updated_at=max([card.updated_at, *(c.at for c in comments)]),  # as read: a later move is not caught up
        department_id=project.owner_department_id,
        unit_id=project.owner_unit_id,
        path=card_place(project, card),
    )


# --- reading the current state (I/O) -------------------------------------------------------


def read_version() -> int:
    """The version of a document built from a read that begins now (see the module's note)."""
    return time.time_ns() // 1_000


def _key_at(at: datetime) -> str:
    """The activity sort key's time part (model.event_key): keys at or after `at` sort after it."""
    return at.strftime("%Y%m%dT%H%M%S%fZ")


def _project(project_id: str) -> Project | None:
    storage.bind()
    record = get_or_none(ProjectRecord, project_id, consistent_read=True)
    return project_of(record) if record is not None else None


def _members(project_id: str) -> tuple[Member, ...]:
    storage.bind()
    return tuple(member_of(r) for r in MemberRecord.query(project_id, consistent_read=True))


def _board(board_id: str) -> tuple[dict[str, CardList], list[Card]]:
    """A board's lists (by id) and cards, in one query."""
    storage.bind()
    lists: dict[str, CardList] = {}
    cards: list[Card] = []
    for record in ItemRecord.query(board_id, consistent_read=True):
        if record.kind == "list":
            lists[record.item_id] = list_of(record)
        else:
            cards.append(card_of(record))
    return lists, cards


def _comments(project_id: str, card_ids: Sequence[str]) -> dict[str, list[Activity]]:
    """Each card's newest comments (at most COMMENTS_MAX), newest first."""
    storage.bind()
    wanted = set(card_ids)
    found: dict[str, dict[str, Activity]] = {card_id: {} for card_id in card_ids}
    if not wanted:
        return {}
    commented = ActivityRecord.action == Action.COMMENTED.value
    recent = ActivityRecord.query(
        project_id,
        ActivityRecord.event_key >= _key_at(now() - RECENT),
        filter_condition=commented,
        consistent_read=True,
    )
    for record in recent:
        if record.card_id in wanted:
            found[record.card_id][record.event_key] = activity_of(record)
    for card_id in card_ids:
        seen = 0
        older = ActivityRecord.by_card.query(
            card_id, scan_index_forward=False, filter_condition=commented & (ActivityRecord.project_id == project_id)
        )
        for record in older:
            found[card_id].setdefault(record.event_key, activity_of(record))
            seen += 1
            if seen >= COMMENTS_MAX:  # newest first: the rest are older than every one kept
                break
    return {
        card_id: sorted(by_key.values(), key=lambda a: a.event_key, reverse=True) for card_id, by_key in found.items()
    }


def _changes_of(project: Project, cards: list[Card], lists: Mapping[str, CardList], version: int) -> Iterator[Change]:
    setting = Setting(project, _members(project.project_id), lists)
    comments = _comments(project.project_id, [c.card_id for c in cards if findable(c, setting)])
    for card in cards:
        yield card_record(card, setting, comments.get(card.card_id, []), version=version)


def _project_cards(project: Project, board_id: str = "", list_id: str = "") -> tuple[list[Card], dict[str, CardList]]:
    lists: dict[str, CardList] = {}
    cards: list[Card] = []
    for ref in project.boards:
        if board_id and ref.board_id != board_id:
            continue
        board_lists, board_cards = _board(ref.board_id)
        lists.update(board_lists)
        cards.extend(c for c in board_cards if not list_id or c.list_id == list_id)
    return cards, lists


# --- keeping the index in step ------------------------------------------------------------


def refresh_card(project_id: str, board_id: str, card_id: str) -> str:
    version = read_version()
    storage.bind()
    doc_id = card_doc_id(board_id, card_id)
    item = get_or_none(ItemRecord, board_id, card_id, consistent_read=True)
    project = _project(project_id) if item is not None and item.kind == "card" else None
    if item is None or project is None:
        return records.remove_record(doc_id, version)
    card = card_of(item)
    found = get_or_none(ItemRecord, board_id, card.list_id, consistent_read=True) if card.list_id else None
    lists = {card.list_id: list_of(found)} if found is not None and found.kind == "list" else {}
    (change,) = _changes_of(project, [card], lists, version)
    return records.apply(change)


def refresh_project(project_id: str, *, board_id: str = "", list_id: str = "") -> dict[str, int]:
    """Every card of the project (or of one list): here when few, else one message per card."""
    version = read_version()
    project = _project(project_id)
    if project is None:
        return {IGNORED: 1}
    cards, lists = _project_cards(project, board_id, list_id)
    if len(cards) > FAN_OUT_ABOVE:
        from chalicelib.search import indexer

        each = [
            CardChanged(project_id=project_id, board_id=c.board_id, card_id=c.card_id, change="project_changed")
            for c in cards
        ]
        return {FANNED_OUT: indexer.enqueue(each)}
    counts: dict[str, int] = {}
    for change in _changes_of(project, cards, lists, version):
        outcome = records.apply(change)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts or {IGNORED: 1}


def handle(event: dict[str, Any]) -> dict[str, int]:
    """Refresh what a project event names. Raises MalformedEvent on a bad detail (retried, then
    the DLQ) and whatever the search server raises when it is unreachable (retried)."""
    kind = next((k for k in PROJECT_SEARCH_CHANGES if k.matches(event)), None)
    if kind is None:
        return {IGNORED: 1}
    detail = kind.parse(event)
    if isinstance(detail, CardChanged):
        return {refresh_card(detail.project_id, detail.board_id, detail.card_id): 1}
    return refresh_project(detail.project_id, board_id=detail.board_id, list_id=detail.list_id)


def _changed_since(project: Project, since: datetime) -> bool:
    """Whether anything a card document of the project shows may have changed since the moment:
    its settings, its members, or its boards (every list and card change writes an activity entry)."""
    if project.updated_at >= since:
        return True
    if any(
        m.joined_at >= since or (m.left_at is not None and m.left_at >= since) for m in _members(project.project_id)
    ):
        return True
    newer = ActivityRecord.query(project.project_id, ActivityRecord.event_key >= _key_at(since), limit=1)
    return next(iter(newer), None) is not None


def changes(since: datetime | None) -> Iterator[Change]:
    """The records source of `kumo reindex`: every card as it is now (since=None), or the cards of
    every project something changed in since a moment (the catch-up after the index's swap)."""
    storage.bind()
    for record in ProjectRecord.scan():
        project = project_of(record)
        if since is not None and not _changed_since(project, since):
            continue
        version = read_version()
        cards, lists = _project_cards(project)
        yield from _changes_of(project, cards, lists, version)


def register() -> None:
    """Make `kumo reindex` (in this process) include project cards."""
    records.register_source(SOURCE, changes)
