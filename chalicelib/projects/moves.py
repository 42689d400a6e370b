"""Moving a card: one transaction, and nothing read before it.

A drag and drop is the most frequent write on a board, so its rights and its consistency are
checked inside the one write instead of by reads before it: the transaction updates the card
only if it is still at the version the mover saw, still a card of this project and not
archived; checks that the mover is an active member of the project (their membership record —
the same rule as access.as_member), that the target list exists and is not archived, and that
the neighbours the mover dropped it between still stand where they saw them; and records the
activity. A card put elsewhere in the list it is in (the page says which list it took it from,
`from_list_id`) is checked to be in that list instead of the list being read: it got there
through a check of the list, and any move since would have changed the version the mover saw,
so the transaction is one item smaller for the most frequent drag. When any of it fails, the
slow path reads what it needs to say exactly why (404, 403, 400 or 409), so the error is as
precise as the other use cases', and nothing was written.

A move announces nothing on the bus: nothing a card is found by in search depends on its list
or rank (projects/indexing.py), so the search index has nothing to catch up on.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.storage import failed_conditions, is_cancelled_transaction, transaction
from chalicelib.projects import access, boards, storage
from chalicelib.projects.activity import Action, entry
from chalicelib.projects.boards import Neighbour
from chalicelib.projects.model import now
from chalicelib.projects.storage import ItemRecord, MemberRecord


@dataclass(frozen=True)
class Moved:
    card_id: str
    list_id: str
    rank: str
    version: int


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
    from_list_id: str = "",
) -> Moved:
    """Drop a card into a list between two cards (None: the top / the bottom); `from_list_id`:
    the list the mover took it from, as their page showed it."""
    rank = boards._rank_between(above, below)
    activity = entry(p, project_id, Action.CARD_MOVED, board_id=board_id, card_id=card_id)
    card = ItemRecord(board_id, card_id)
    in_place = from_list_id == list_id
    actions: list[object] = [ItemRecord.rank.set(rank), ItemRecord.version.add(1), ItemRecord.updated_at.set(now())]
    if not in_place:
        actions.append(ItemRecord.list_id.set(list_id))
    storage.bind()
    try:
        with transaction() as tx:
            update_card(tx, card, project_id, version, actions, in_list=list_id if in_place else "")
            tx.condition_check(
                MemberRecord,
                project_id,
                p.staff_id,
                condition=MemberRecord.staff_id.exists() & MemberRecord.left_at.does_not_exist(),
            )
            if not in_place:
                check_target_list(tx, project_id, board_id, list_id)
            for n in (above, below):
                boards.check_neighbour(tx, board_id, n, kind="card", list_id=list_id)
            tx.save(activity)
    except Exception as exc:
        if not is_cancelled_transaction(exc):
            raise
        _explain(p, project_id, board_id, card_id, list_id=list_id, failed=failed_conditions(exc))
    return Moved(card_id, list_id, rank, version + 1)


def update_card(
    tx: object, card: ItemRecord, project_id: str, version: int, actions: list[object], *, in_list: str = ""
) -> None:
    """The card's write in a drop's transaction (a move, a swimlane drop): only while it is as the
    mover saw it — at that version, a card of this project, not archived; with `in_list`, still in
    that list."""
    condition = (
        (ItemRecord.version == version)
        & (ItemRecord.kind == "card")
        & (ItemRecord.project_id == project_id)
        & (ItemRecord.archived == False)  # noqa: E712 - a pynamodb condition, not a comparison
    )
    if in_list:
        condition = condition & (ItemRecord.list_id == in_list)
    tx.update(card, actions=actions, condition=condition)  # type: ignore[attr-defined]


def check_target_list(tx: object, project_id: str, board_id: str, list_id: str) -> None:
    """In a drop's transaction: the list the card goes into is still a list of this project, not archived."""
    condition = (ItemRecord.kind == "list") & (ItemRecord.project_id == project_id) & (ItemRecord.archived == False)  # noqa: E712
    tx.condition_check(ItemRecord, board_id, list_id, condition=condition)  # type: ignore[attr-defined]


def droppable(found: access.Standing, board_id: str, card_id: str, list_id: str) -> ItemRecord:
    """The card, read, if it may be dropped into the list: a card of this project's board, neither
    it nor the list archived; else the error the mover should see (404, 400)."""
    boards.board_ref(found, board_id)
    record = boards.item(board_id, card_id, "card")
    if record.project_id != found.project.project_id:
        raise access.missing(found.project.project_id)
    if record.archived:
        raise BadRequest("This card is archived: restore it first.", field="card_id")
    if boards.item(board_id, list_id, "list").archived:
        raise BadRequest("This list is archived.", field="list_id")
    return record


def _explain(p: Principal, project_id: str, board_id: str, card_id: str, *, list_id: str, failed: list[bool]) -> None:
    """Why the move's transaction was refused, as the error the mover should see."""
    droppable(access.as_member(p, project_id), board_id, card_id, list_id)  # 404 / 403 / 400
    if failed and failed[-1]:  # the card: pynamodb sends its one update last, after the checks
        raise Conflict("Someone else changed this card meanwhile: it was reloaded, try again.")
    raise Conflict("The list changed meanwhile: it was reloaded, try again.")
