"""JSON API of one board: load it (with ETag, so a poll that finds nothing new costs a 304 and no
body), its lists and cards, moves, archive, comments. Each route parses, calls one use case,
shapes the answer (views.py)."""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.contract import operation, parse_body
from chalicelib.projects import boards, cards, comments, lanes, moves, reads
from chalicelib.projects.boards import Neighbour
from chalicelib.projects.markdown import render
from chalicelib.projects.schemas import (
    ArchiveIn,
    CardChangeIn,
    CardCommentIn,
    CardDetailOut,
    CardIn,
    CardMoveIn,
    CardOut,
    CommentedOut,
    ListChangeIn,
    ListIn,
    ListMoveIn,
    ListOut,
    MovedOut,
    ProjectBoardOut,
)
from chalicelib.projects.views import activity_json, board_json, card_json

bp = Blueprint(__name__)
TAG = "boards"
BOARD = "/api/projects/{project_id}/boards/{board_id}"


def _me() -> Principal:
    return require_signed_in(web.principal())


def _data() -> dict[str, Any]:
    return web.json_body(bp.current_request)


def _neighbour(value: Any, field: str) -> Neighbour | None:
    from chalicelib.core.errors import BadRequest

    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not isinstance(value.get("rank"), str):
        raise BadRequest("{field} is not a valid value.", field=field)
    return Neighbour(value["id"], value["rank"])


def _list_json(board: boards.Board, list_id: str) -> ListOut:
    return next(x for x in board_json(board, [])["lists"] if x["id"] == list_id)


@bp.route(BOARD)
@operation(
    "A board: its lists and their cards in order (ETag; If-None-Match answers 304)", returns=ProjectBoardOut, tag=TAG
)
def get_board(project_id: str, board_id: str) -> Response:
    seen = web.header(bp.current_request, "If-None-Match") or ""
    found = reads.poll(_me(), project_id, board_id, seen=seen, include_left=False)
    if isinstance(found, boards.Unchanged):
        return Response(body="", status_code=304, headers={"ETag": found.etag, "Cache-Control": "no-cache"})
    out = board_json(found.board, found.people)
    return web.json_response(out, headers={"ETag": found.board.etag, "Cache-Control": "no-cache"})


@bp.route(BOARD + "/lists", methods=["POST"])
@operation("Add a list (after the last one you saw)", body=ListIn, returns=ListOut, status=201, tag=TAG)
def create_list(project_id: str, board_id: str) -> Response:
    data = _data()
    parsed: ListIn = parse_body(ListIn, data)
    made = boards.create_list(_me(), project_id, board_id, parsed.title, after=_neighbour(data.get("after"), "after"))
    out: ListOut = {
        "id": made.list_id,
        "title": made.title,
        "rank": made.rank,
        "wip_limit": made.wip_limit,
        "over_limit": False,
        "archived": made.archived,
        "version": made.version,
        "cards": [],
    }
    return web.json_response(out, status=201)


@bp.route(BOARD + "/lists/{list_id}", methods=["PUT"])
@operation("Rename a list or set its WIP limit", body=ListChangeIn, returns=ListOut, tag=TAG)
def update_list(project_id: str, board_id: str, list_id: str) -> Response:
    me = _me()
    data: ListChangeIn = parse_body(ListChangeIn, _data())
    boards.update_list(
        me, project_id, board_id, list_id, title=data.title, wip_limit=data.wip_limit, version=data.version
    )
    return web.json_response(_list_json(boards.load(me, project_id, board_id), list_id))


@bp.route(BOARD + "/lists/{list_id}/move", methods=["POST"])
@operation("Move a list between two others (409: the board changed, reload)", body=ListMoveIn, returns=ListOut, tag=TAG)
def move_list(project_id: str, board_id: str, list_id: str) -> Response:
    me = _me()
    data = _data()
    parsed: ListMoveIn = parse_body(ListMoveIn, data)
    boards.move_list(
        me,
        project_id,
        board_id,
        list_id,
        left=_neighbour(data.get("left"), "left"),
        right=_neighbour(data.get("right"), "right"),
        version=parsed.version,
    )
    return web.json_response(_list_json(boards.load(me, project_id, board_id), list_id))


@bp.route(BOARD + "/lists/{list_id}/archive", methods=["POST"])
@operation("Archive a list with its cards, or bring it back", body=ArchiveIn, returns=ProjectBoardOut, tag=TAG)
def archive_list(project_id: str, board_id: str, list_id: str) -> Response:
    me = _me()
    data: ArchiveIn = parse_body(ArchiveIn, _data())
    boards.archive_list(me, project_id, board_id, list_id, archived=data.archived, version=data.version)
    found = reads.board(me, project_id, board_id, include_left=False)
    return web.json_response(board_json(found.board, found.people))


@bp.route(BOARD + "/cards", methods=["POST"])
@operation("Add a card at the bottom of a list", body=CardIn, returns=CardOut, status=201, tag=TAG)
def create_card(project_id: str, board_id: str) -> Response:
    data = _data()
    parsed: CardIn = parse_body(CardIn, data)
    card = cards.create(
        _me(), project_id, board_id, parsed.list_id, parsed.title, after=_neighbour(data.get("after"), "after")
    )
    return web.json_response(card_json(card), status=201)


def _card_detail(me: Principal, project_id: str, board_id: str, card_id: str) -> CardDetailOut:
    card, history = reads.card_detail(me, project_id, board_id, card_id)
    return {
        "id": card.card_id,
        "board_id": card.board_id,
        "list_id": card.list_id,
        "rank": card.rank,
        "title": card.title,
        "description": card.description,
        "description_html": render(card.description),
        "assignees": list(card.assignees),
        "due": card.due,
        "labels": list(card.labels),
        "checklist": [
            {"id": c.item_id, "text": c.text, "done": c.done, "assignee": c.assignee} for c in card.checklist
        ],
        "attachments": [{"file_id": f, "name": n} for f, n in cards.visible_attachments(me, card)],
        "watchers": list(card.watchers),
        "archived": card.archived,
        "version": card.version,
        "activity": [activity_json(a) for a in history],
    }


@bp.route(BOARD + "/cards/{card_id}")
@operation("A card with its checklist, attachments you may read, history and comments", returns=CardDetailOut, tag=TAG)
def get_card(project_id: str, board_id: str, card_id: str) -> Response:
    return web.json_response(_card_detail(_me(), project_id, board_id, card_id))


@bp.route(BOARD + "/cards/{card_id}", methods=["PUT"])
@operation("Change a card (409: someone changed it meanwhile)", body=CardChangeIn, returns=CardDetailOut, tag=TAG)
def update_card(project_id: str, board_id: str, card_id: str) -> Response:
    me = _me()
    data: CardChangeIn = parse_body(CardChangeIn, _data())
    changes = cards.CardChanges(
        title=data.title,
        description=data.description,
        assignees=data.assignees,
        due=data.due,
        labels=data.labels,
        checklist=data.checklist,
        attachments=data.attachments,
        watchers=data.watchers,
    )
    cards.update(me, project_id, board_id, card_id, changes=changes, version=data.version)
    return web.json_response(_card_detail(me, project_id, board_id, card_id))


@bp.route(BOARD + "/cards/{card_id}/move", methods=["POST"])
@operation(
    "Move a card into a list between two cards, or into another swimlane: it takes that lane's"
    " assignee or label (409: the list or the card changed, reload it)",
    body=CardMoveIn,
    returns=MovedOut,
    tag=TAG,
)
def move_card(project_id: str, board_id: str, card_id: str) -> Response:
    data = _data()
    parsed: CardMoveIn = parse_body(CardMoveIn, data)
    above, below = _neighbour(data.get("above"), "above"), _neighbour(data.get("below"), "below")
    lane = data.get("lane")
    if isinstance(lane, dict):  # its fields were checked against LaneIn by parse_body
        change = lanes.LaneChange(str(lane.get("by", "")), str(lane.get("source", "")), str(lane.get("target", "")))
        drop = partial(lanes.move, lane=change)
    else:
        drop = partial(moves.move, from_list_id=parsed.from_list_id or "")
    moved = drop(
        _me(), project_id, board_id, card_id, list_id=parsed.list_id, above=above, below=below, version=parsed.version
    )
    out: MovedOut = {"id": moved.card_id, "list_id": moved.list_id, "rank": moved.rank, "version": moved.version}
    return web.json_response(out)


@bp.route(BOARD + "/cards/{card_id}/archive", methods=["POST"])
@operation("Archive a card, or restore it", body=ArchiveIn, returns=CardOut, tag=TAG)
def archive_card(project_id: str, board_id: str, card_id: str) -> Response:
    data: ArchiveIn = parse_body(ArchiveIn, _data())
    card = cards.archive(_me(), project_id, board_id, card_id, archived=data.archived, version=data.version)
    return web.json_response(card_json(card))


@bp.route(BOARD + "/cards/{card_id}/comments", methods=["POST"])
@operation(
    "Comment on a card (Markdown; @staff-id tells that person)",
    body=CardCommentIn,
    returns=CommentedOut,
    status=201,
    tag=TAG,
)
def comment(project_id: str, board_id: str, card_id: str) -> Response:
    data: CardCommentIn = parse_body(CardCommentIn, _data())
    key, mentioned = comments.comment(_me(), project_id, board_id, card_id, data.text)
    out: CommentedOut = {"key": key, "mentioned": mentioned}
    return web.json_response(out, status=201)
