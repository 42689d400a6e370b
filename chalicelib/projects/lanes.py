"""Dragging a card into another swimlane: the card takes what that lane stands for, as GitHub
Projects does when a card is dropped into another group.

In swimlanes by assignee, a card dropped from 山田's lane into 藤田's is handed over: 山田 is taken
off it and 藤田 put on (others on the card stay); dropped into "nobody assigned", it is nobody's.
By label the same with the lane's label. The card may change list in the same drop.

It is the move's rule and more: one transaction writes the card (only at the version the mover
saw: a card changed meanwhile — someone else reassigned it, say — answers 409 and the page reloads),
checks the target list and the neighbours the mover dropped it between, keeps the rows of
自分のタスク (card_assignments) right, and records the history. Unlike a plain move it reads the
card first: its new assignees or labels depend on the ones it has, and they are checked as a
card change checks them (only members are assigned, only the project's labels are put on).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.storage import failed_conditions, is_cancelled_transaction, transaction
from chalicelib.projects import access, boards, cards, moves, storage
from chalicelib.projects.activity import Action, entry
from chalicelib.projects.board_view import LANES, NOBODY
from chalicelib.projects.boards import Neighbour
from chalicelib.projects.model import now
from chalicelib.projects.moves import Moved
from chalicelib.projects.storage import ItemRecord

KEY_MAX = 80


@dataclass(frozen=True)
class LaneChange:
    """The swimlanes the card was dragged from and into: by "assignee" (a staff id) or by "label"
    (a label id); "none" is the lane of the cards with nobody (no label)."""

    by: str
    source: str
    target: str


def regroup(values: list[str], change: LaneChange) -> list[str]:
    """The card's assignees (or labels) after the drop: the source lane's taken off, the target's
    put on; into "none", none at all (that lane holds only cards without any)."""
    if change.target == NOBODY:
        return []
    kept = [v for v in values if v != change.source]
    return kept if change.target in kept else [*kept, change.target]


def _checked(change: LaneChange) -> LaneChange:
    if change.by not in LANES:
        raise BadRequest("{field} is not a valid value.", field="lane")
    if not change.source or not change.target or max(len(change.source), len(change.target)) > KEY_MAX:
        raise BadRequest("{field} is not a valid value.", field="lane")
    return change


def move(
    p: Principal,
    project_id: str,
    board_id: str,
    card_id: str,
    *,
    list_id: str,
    above: Neighbour | None,
    below: Neighbour | None,
    version: int,
    lane: LaneChange,
) -> Moved:
    """Drop a card into a list and another swimlane, between two cards (None: top / bottom)."""
    change = _checked(lane)
    found = access.as_member(p, project_id)
    record = moves.droppable(found, board_id, card_id, list_id)
    rank = boards._rank_between(above, below)
    before = [str(a) for a in record.assignees or []]
    before_people = cards._people(record)
    after = before
    if change.by == "assignee":
        after = cards._assignees(project_id, regroup(before, change))
        action = ItemRecord.assignees.set(after)  # type: ignore[arg-type]
    else:
        labels = cards._labels(found, regroup([str(x) for x in record.labels or []], change))
        action = ItemRecord.labels.set(labels)  # type: ignore[arg-type]
    what = "assignees" if change.by == "assignee" else "labels"
    history = (
        entry(p, project_id, Action.CARD_MOVED, board_id=board_id, card_id=card_id, summary=record.title),
        entry(p, project_id, Action.CARD_CHANGED, board_id=board_id, card_id=card_id, summary=what),
    )
    storage.bind()
    try:
        with transaction() as tx:
            moves.update_card(
                tx,
                record,
                project_id,
                version,
                [
                    ItemRecord.rank.set(rank),
                    ItemRecord.list_id.set(list_id),
                    action,
                    ItemRecord.version.add(1),
                    ItemRecord.updated_at.set(now()),
                ],
            )
            moves.check_target_list(tx, project_id, board_id, list_id)
            for n in (above, below):
                boards.check_neighbour(tx, board_id, n, kind="card", list_id=list_id)
            cards._sync_assignments(tx, found, record, before=before_people, after=after, archived=False)
            for item in history:
                tx.save(item)
    except Exception as exc:
        if not is_cancelled_transaction(exc):
            raise
        failed = failed_conditions(exc)
        if failed and failed[-1]:  # pynamodb sends the one update last (after checks and puts)
            raise Conflict("Someone else changed this card meanwhile: it was reloaded, try again.") from None
        raise Conflict("The list changed meanwhile: it was reloaded, try again.") from None
    cards.announce_change(p, found, record, [a for a in after if a not in before and a != p.staff_id])
    return Moved(card_id, list_id, rank, version + 1)
