"""A board: its lists and cards in one query, the lists' use cases, and moves.

A move names the item's new neighbours as the mover saw them (`Neighbour`: id and rank). The
new rank lies between theirs, and one transaction writes the item (if its version is still the
one the mover saw), checks that the neighbours still stand where the mover saw them, and records
the activity. If anything changed meanwhile the move answers 409 and the page reloads that list:
no card is lost, duplicated or silently put somewhere its mover did not see.

The board's ETag is the project's revision and its newest activity key: every change to a list
or a card writes an activity entry in the same transaction, so a poll with If-None-Match costs
three small reads and answers 304 with no body when nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core import events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.core.project_events import ProjectChanged
from chalicelib.core.storage import failed_conditions, get_or_none, is_cancelled_transaction, transaction
from chalicelib.projects import access, ranks, storage
from chalicelib.projects.activity import Action, entry
from chalicelib.projects.model import BoardRef, Card, CardList, Project, card_of, list_of, new_id, now
from chalicelib.projects.storage import ActivityRecord, ItemRecord

TITLE_MAX = 200
LISTS_MAX = 50
WIP_MAX = 999


@dataclass(frozen=True)
class Neighbour:
    """An item next to where something is dropped, as the mover saw it."""

    item_id: str
    rank: str


@dataclass(frozen=True)
class Board:
    standing: access.Standing
    board: BoardRef
    lists: list[CardList]
    cards: list[Card]
    etag: str

    @property
    def project(self) -> Project:
        return self.standing.project

    def cards_in(self, list_id: str) -> list[Card]:
        return [c for c in self.cards if c.list_id == list_id]

    def over_limit(self, card_list: CardList) -> bool:
        return card_list.wip_limit > 0 and len(self.cards_in(card_list.list_id)) > card_list.wip_limit


def title_of(value: str, field: str = "title") -> str:
    text = " ".join(value.split())
    if not text:
        raise BadRequest("Enter a title.", field=field)
    if len(text) > TITLE_MAX:
        raise BadRequest("{field} is too long (at most {limit} characters).", field=field, limit=TITLE_MAX)
    return text


def board_ref(found: access.Standing, board_id: str) -> BoardRef:
    ref = next((b for b in found.project.boards if b.board_id == board_id), None)
    if ref is None:
        raise NotFound("There is no board {board_id} in this project.", board_id=board_id)
    return ref


def etag(project_id: str, revision: int) -> str:
    """Changes whenever the project or anything on its boards changes (see the module's note)."""
    storage.bind()
    newest = next(iter(ActivityRecord.query(project_id, scan_index_forward=False, limit=1)), None)
    return f'"{revision}-{newest.event_key if newest else "0"}"'


@dataclass(frozen=True)
class Unchanged:
    """A poll that found the board as the poller last saw it (a 304: nothing to send)."""

    etag: str


def current_etag(p: Principal, project_id: str) -> str:
    found = access.standing(p, project_id)
    return etag(project_id, found.project.revision)


def load(p: Principal, project_id: str, board_id: str, *, archived: bool = False) -> Board:
    """The board for someone who may see the project: lists in order, cards in order in each."""
    return read(access.standing(p, project_id), board_id, archived=archived)


def load_if_changed(
    p: Principal, project_id: str, board_id: str, *, seen: str, archived: bool = False
) -> Board | Unchanged:
    """A poll: Unchanged when the board's ETag is still `seen`, else the board. One rights
    check and one ETag read either way (the board reuses both)."""
    found = access.standing(p, project_id)
    board_ref(found, board_id)
    tag = etag(project_id, found.project.revision)
    if seen and seen == tag:
        return Unchanged(tag)
    return read(found, board_id, archived=archived, tag=tag)


def read(found: access.Standing, board_id: str, *, archived: bool = False, tag: str = "") -> Board:
    """The board for a standing the caller resolved already (access.standing): a use case that
    needs the board and more of the project checks the principal's rights once."""
    project_id = found.project.project_id
    ref = board_ref(found, board_id)
    tag = tag or etag(project_id, found.project.revision)
    storage.bind()
    lists: list[CardList] = []
    cards: list[Card] = []
    for record in ItemRecord.query(board_id):
        if record.kind == "list":
            lists.append(list_of(record))
        else:
            cards.append(card_of(record))
    lists = sorted((x for x in lists if archived or not x.archived), key=lambda x: (x.rank, x.list_id))
    open_lists = {x.list_id for x in lists}
    cards = sorted(
        (c for c in cards if c.list_id in open_lists and (archived or not c.archived)),
        key=lambda c: (c.rank, c.card_id),
    )
    return Board(found, ref, lists, cards, tag)


def _rank_between(above: Neighbour | None, below: Neighbour | None) -> str:
    try:
        return ranks.pick_between(above.rank if above else None, below.rank if below else None)
    except ValueError:
        raise Conflict("The list changed meanwhile: it was reloaded, try again.") from None


def check_neighbour(tx: object, board_id: str, n: Neighbour | None, *, kind: str, list_id: str = "") -> None:
    if n is None:
        return
    condition = (ItemRecord.rank == n.rank) & (ItemRecord.kind == kind) & (ItemRecord.archived == False)  # noqa: E712
    if kind == "card":
        condition = condition & (ItemRecord.list_id == list_id)
    tx.condition_check(ItemRecord, board_id, n.item_id, condition=condition)  # type: ignore[attr-defined]


def write_move(
    record: ItemRecord,
    version: int,
    actions: list[object],
    neighbours: tuple[Neighbour | None, Neighbour | None],
    activity: ActivityRecord,
    *,
    kind: str,
    list_id: str = "",
) -> None:
    """One transaction: the item (at the version the mover saw), its neighbours unchanged, the activity."""
    storage.bind()
    try:
        with transaction() as tx:
            tx.update(
                record,
                actions=[*actions, ItemRecord.version.add(1), ItemRecord.updated_at.set(now())],
                condition=(ItemRecord.version == version) & (ItemRecord.kind == kind),
            )
            for n in neighbours:
                check_neighbour(tx, record.board_id, n, kind=kind, list_id=list_id)
            tx.save(activity)
    except Exception as exc:
        if not is_cancelled_transaction(exc):
            raise
        failed = failed_conditions(exc)
        if failed and failed[-1]:  # pynamodb sends the one update last (after checks and puts)
            raise Conflict("Someone else changed this meanwhile: it was reloaded, try again.") from None
        raise Conflict("The list changed meanwhile: it was reloaded, try again.") from None


def item(board_id: str, item_id: str, kind: str) -> ItemRecord:
    storage.bind()
    record = get_or_none(ItemRecord, board_id, item_id)
    if record is None or record.kind != kind:
        if kind == "list":
            raise NotFound("There is no list {item_id} on this board.", item_id=item_id)
        raise NotFound("There is no card {item_id} on this board.", item_id=item_id)
    return record


# --- lists -----------------------------------------------------------------------------------


def create_list(p: Principal, project_id: str, board_id: str, title: str, *, after: Neighbour | None) -> CardList:
    """A new list after `after` (the last list, as the creator saw it; None: the first)."""
    found = access.as_member(p, project_id)
    board_ref(found, board_id)
    name = title_of(title)
    if lists_count(board_id) >= LISTS_MAX:
        raise BadRequest("A board has at most {limit} lists.", field="title", limit=LISTS_MAX)
    rank = _rank_between(after, None)
    at = now()
    record = ItemRecord(
        board_id,
        new_id("L"),
        project_id=project_id,
        kind="list",
        rank=rank,
        title=name,
        created_by=p.staff_id,
        created_at=at,
        updated_at=at,
    )
    storage.bind()
    with transaction() as tx:
        tx.save(record, condition=ItemRecord.item_id.does_not_exist())
        tx.save(entry(p, project_id, Action.LIST_CREATED, board_id=board_id, summary=name))
    return list_of(record)


def update_list(
    p: Principal, project_id: str, board_id: str, list_id: str, *, title: str, wip_limit: int, version: int
) -> CardList:
    found = access.as_member(p, project_id)
    board_ref(found, board_id)
    record = item(board_id, list_id, "list")
    if not 0 <= wip_limit <= WIP_MAX:
        raise BadRequest("{field} must be between {low} and {high}.", field="wip_limit", low=0, high=WIP_MAX)
    name = title_of(title)
    activity = entry(p, project_id, Action.LIST_CHANGED, board_id=board_id, summary=name)
    write_move(
        record,
        version,
        [ItemRecord.title.set(name), ItemRecord.wip_limit.set(wip_limit)],
        (None, None),
        activity,
        kind="list",
    )
    return list_of(item(board_id, list_id, "list"))


def move_list(
    p: Principal,
    project_id: str,
    board_id: str,
    list_id: str,
    *,
    left: Neighbour | None,
    right: Neighbour | None,
    version: int,
) -> CardList:
    found = access.as_member(p, project_id)
    board_ref(found, board_id)
    record = item(board_id, list_id, "list")
    rank = _rank_between(left, right)
    activity = entry(p, project_id, Action.LIST_MOVED, board_id=board_id, summary=record.title)
    write_move(record, version, [ItemRecord.rank.set(rank)], (left, right), activity, kind="list")
    return list_of(item(board_id, list_id, "list"))


def archive_list(
    p: Principal, project_id: str, board_id: str, list_id: str, *, archived: bool, version: int
) -> CardList:
    """Archive (or bring back) a list: its cards go with it and come back with it."""
    found = access.as_member(p, project_id)
    board_ref(found, board_id)
    record = item(board_id, list_id, "list")
    if archived and sum(1 for b in load(p, project_id, board_id).lists) <= 1:
        raise BadRequest("A board keeps at least one list.", field="archived")
    activity = entry(p, project_id, Action.LIST_ARCHIVED, board_id=board_id, summary=record.title)
    write_move(record, version, [ItemRecord.archived.set(archived)], (None, None), activity, kind="list")
    # Its cards are found, or not, with it: their documents are refreshed.
    events.publish([ProjectChanged(project_id=project_id, change="list", board_id=board_id, list_id=list_id)])
    return list_of(item(board_id, list_id, "list"))


def lists_count(board_id: str) -> int:
    storage.bind()
    return sum(1 for r in ItemRecord.query(board_id, filter_condition=ItemRecord.kind == "list"))
