"""What one board page, card page or board poll reads, with the principal's rights checked once.

A board page needs the principal's standing towards the project, the board's ETag, its lists and
cards and the members' names; a card page needs the card and its history besides. Each of those
use cases alone starts with access.standing, so called one after another they read the project
and the principal's membership up to four times per request. Here the standing is resolved once
(access.standing, through boards) and handed to the parts that take a resolved standing
(boards.read, membership.members_for, activity.of_card_for): authorization stays in the service
layer, and each record is read once per request.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.auth import Principal
from chalicelib.core.errors import NotFound
from chalicelib.projects import access, activity, boards, cards, membership
from chalicelib.projects.boards import Board, Unchanged
from chalicelib.projects.model import Activity, Card, Member


@dataclass(frozen=True)
class BoardRead:
    board: Board
    people: list[Member]  # the members (with those who left, when asked: their names stay on cards)

    @property
    def standing(self) -> access.Standing:
        return self.board.standing


@dataclass(frozen=True)
class CardRead:
    board: Board  # with its archived lists and cards: an archived card opens too
    card: Card
    people: list[Member]  # everyone who ever belonged
    history: list[Activity]

    @property
    def standing(self) -> access.Standing:
        return self.board.standing


def board(
    p: Principal, project_id: str, board_id: str, *, archived: bool = False, include_left: bool = True
) -> BoardRead:
    """The board and its people."""
    found = boards.load(p, project_id, board_id, archived=archived)
    return BoardRead(found, membership.members_for(found.standing, include_left=include_left))


def poll(
    p: Principal, project_id: str, board_id: str, *, seen: str, archived: bool = False, include_left: bool = True
) -> BoardRead | Unchanged:
    """The board and its people; Unchanged when its ETag is still `seen` (a poll's 304)."""
    found = boards.load_if_changed(p, project_id, board_id, seen=seen, archived=archived)
    if isinstance(found, Unchanged):
        return found
    return BoardRead(found, membership.members_for(found.standing, include_left=include_left))


def card(p: Principal, project_id: str, board_id: str, card_id: str) -> CardRead:
    """A card with its board, people and history (the card page and the board's card dialog)."""
    found = boards.load(p, project_id, board_id, archived=True)
    shown = next((c for c in found.cards if c.card_id == card_id), None)
    if shown is None:
        raise NotFound("There is no card {item_id} on this board.", item_id=card_id)
    people = membership.members_for(found.standing, include_left=True)
    return CardRead(found, shown, people, activity.of_card_for(found.standing, card_id))


def card_detail(p: Principal, project_id: str, board_id: str, card_id: str) -> tuple[Card, list[Activity]]:
    """A card and its history without the rest of the board (the card API)."""
    found, shown = cards.get(p, project_id, board_id, card_id)
    return shown, activity.of_card_for(found, card_id)
