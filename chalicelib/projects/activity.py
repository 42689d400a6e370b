"""What happened in a project and on each card: the history the board and a card show, and
comments (an activity entry with a text). Entries are written in the same transaction as the
change they describe (boards.py, cards.py), so history never misses a change."""

from __future__ import annotations

import re
from dataclasses import replace
from enum import StrEnum

from chalicelib.core.auth import Principal
from chalicelib.projects import access, storage
from chalicelib.projects.model import Activity, activity_of, event_key, now
from chalicelib.projects.storage import ActivityRecord, ItemRecord

PAGE_MAX = 100
MENTION = re.compile(r"(?<![\w.@])@([a-z0-9][a-z0-9._-]{0,63})", re.IGNORECASE)


class Action(StrEnum):
    PROJECT_CREATED = "project_created"
    LIST_CREATED = "list_created"
    LIST_CHANGED = "list_changed"
    LIST_MOVED = "list_moved"
    LIST_ARCHIVED = "list_archived"
    CARD_CREATED = "card_created"
    CARD_CHANGED = "card_changed"
    CARD_MOVED = "card_moved"
    CARD_ARCHIVED = "card_archived"
    CARD_RESTORED = "card_restored"
    COMMENTED = "commented"


def entry(
    p: Principal,
    project_id: str,
    action: Action,
    *,
    board_id: str = "",
    card_id: str | None = None,
    summary: str = "",
    text: str = "",
    mentions: tuple[str, ...] = (),
) -> ActivityRecord:
    """A new entry, for the caller to put in its transaction."""
    at = now()
    return ActivityRecord(
        project_id,
        event_key(at),
        board_id=board_id,
        card_id=card_id,
        action=action.value,
        actor_id=p.staff_id,
        actor_name=p.display_name,
        summary=summary[:300],
        text=text,
        mentions=list(mentions),
        at=at,
    )


def mentioned_ids(text: str) -> list[str]:
    """The staff ids @mentioned in a comment, in order, once each (`@tanaka.h`)."""
    return list(dict.fromkeys(m.lower() for m in MENTION.findall(text)))


def of_project(p: Principal, project_id: str, *, limit: int = 50, before: str | None = None) -> list[Activity]:
    """The project's history, newest first (everyone who sees the project)."""
    access.standing(p, project_id)
    storage.bind()
    condition = ActivityRecord.event_key < before if before else None
    found = ActivityRecord.query(
        project_id, range_key_condition=condition, scan_index_forward=False, limit=min(limit, PAGE_MAX)
    )
    return with_titles([activity_of(r) for r in found])


def with_titles(entries: list[Activity]) -> list[Activity]:
    """Moves named by their card's title. A move writes its entry in its one transaction and reads
    nothing before it (moves.py), so it cannot copy the title; the history reads the titles of the
    moved cards here instead, in one batch (a card since removed stays unnamed)."""
    keys = {(a.board_id, a.card_id) for a in entries if a.action == Action.CARD_MOVED and not a.summary and a.card_id}
    if not keys:
        return entries
    storage.bind()
    titles = {
        (r.board_id, r.item_id): r.title
        for r in ItemRecord.batch_get(list(keys), attributes_to_get=["board_id", "item_id", "title"])
    }
    return [
        replace(a, summary=titles.get((a.board_id, a.card_id or ""), ""))
        if a.action == Action.CARD_MOVED and not a.summary
        else a
        for a in entries
    ]


def of_card(p: Principal, project_id: str, card_id: str, *, limit: int = PAGE_MAX) -> list[Activity]:
    """One card's history and comments, oldest first."""
    return of_card_for(access.standing(p, project_id), card_id, limit=limit)


def of_card_for(found: access.Standing, card_id: str, *, limit: int = PAGE_MAX) -> list[Activity]:
    """One card's history, for a standing the caller resolved already (no second rights check)."""
    storage.bind()
    project_id = found.project.project_id
    entries = ActivityRecord.by_card.query(card_id, limit=limit)
    return with_titles([activity_of(r) for r in entries if r.project_id == project_id])
