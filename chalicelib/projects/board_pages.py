"""The board page: its lists and cards in one of four views (board, swimlanes by assignee or by
label, a list of every card, the archived lists and cards), with filters kept in the query
string, and the forms that add cards and lists, rename a list, set its WIP limit, move or
archive it. Cards are moved by drag and drop or the keyboard through the JSON API
(projects_dnd.js); here only plain forms, so the page works without the script.

The script keeps an open board current by asking for the board's fragment (`fragment=1`, the
lists without the layout) with If-None-Match every 15 s while the tab is visible. The ETag is
the board API's own (reads.poll: three small reads), so a poll that finds nothing new
is a 304 with no body, and a change costs one request that brings the redrawn lists: there is
one drawing of the board (the templates), with or without the script. Per hour of an open,
visible tab: 240 requests; a 304 is its headers only (about 0.7 kB with the security headers,
measured in tests/integration/test_project_pages.py); a hidden tab asks nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.errors import KumoError
from chalicelib.core.layout import page
from chalicelib.projects import boards, cards, reads
from chalicelib.projects.board_view import BoardView, Options, board_path, today
from chalicelib.projects.boards import Neighbour
from chalicelib.projects.page_kit import AREA, FIXABLE, FORM, after_form, back_to, flag, fragment, language, me, number
from chalicelib.projects.page_kit import text as error_text

bp = Blueprint(__name__)
BOARD = "/projects/{project_id}/boards/{board_id}"
DONE = (
    "card-added",
    "list-added",
    "list-saved",
    "list-moved",
    "list-archived",
    "list-restored",
    "card-archived",
    "card-restored",
    "card-moved",
)


def board_context(
    project_id: str, board_id: str, options: Options, *, card_id: str = "", found: reads.BoardRead | None = None
) -> dict[str, Any]:
    """Everything the board's templates read, for the view the options name; `card_id` names a
    card to open (a notice's link: /projects/…/boards/…?card=…); `found`: the board as a poll
    read it already."""
    if found is None:
        found = reads.board(me(), project_id, board_id, archived=options.view == "archived")
    board, people = found.board, found.people
    view = BoardView(board, people, options, language(), today())
    opened = next((c for c in board.cards if c.card_id == card_id), None) if card_id else None
    return {
        "opened": view.card(opened) if opened else None,
        "board": board,
        "project": board.project,
        "standing": board.standing,
        "edits": board.standing.edits,
        "view": view,
        "options": options,
        "members": [m for m in people if m.active],
        "board_url": board_path(project_id, board_id),
        "here": board_path(project_id, board_id) + options.query(),
        "lists": view.lists() if options.view != "archived" else [],
        "lanes": view.lanes() if options.view == "swimlanes" else [],
        "rows": view.rows() if options.view == "list" else [],
        "archived": view.archived() if options.view == "archived" else ([], []),
    }


def _board_page(
    project_id: str,
    board_id: str,
    options: Options,
    *,
    status: int = 200,
    error: str | None = None,
    done: str = "",
    card_id: str = "",
) -> Response:
    context = board_context(project_id, board_id, options, card_id=card_id)
    return page("projects/board.html", status=status, current_area=AREA, error=error, done=done, **context)


def _region(
    project_id: str,
    board_id: str,
    options: Options,
    *,
    status: int = 200,
    error: str | None = None,
    done: str = "",
    found: reads.BoardRead | None = None,
) -> Response:
    context = board_context(project_id, board_id, options, found=found)
    headers = {"ETag": context["board"].etag, "Cache-Control": "no-cache"}
    return fragment("projects/board_region.html", status=status, headers=headers, error=error, done=done, **context)


@bp.route(BOARD)
def board_page(project_id: str, board_id: str) -> Response:
    project_id, board_id = unquote(project_id), unquote(board_id)
    params = {k: str(v) for k, v in dict(bp.current_request.query_params or {}).items()}
    options = Options.parse(params)
    done = params.get("done", "") if params.get("done") in DONE else ""
    if params.get("fragment") == "1":
        seen = web.header(bp.current_request, "If-None-Match") or ""
        archived = options.view == "archived"
        found = reads.poll(me(), project_id, board_id, seen=seen, archived=archived)
        if isinstance(found, boards.Unchanged):
            return Response(body="", status_code=304, headers={"ETag": found.etag, "Cache-Control": "no-cache"})
        return _region(project_id, board_id, options, done=done, found=found)
    return _board_page(project_id, board_id, options, done=done, card_id=params.get("card", "")[:80])


def act(project_id: str, board_id: str, action: Any) -> Response:
    """Run a board form's action, then back to the board as it was shown (its `next`), or its
    fragment for the script; a fixable refusal draws the board again with the reason."""
    project_id, board_id = unquote(project_id), unquote(board_id)
    data = web.form(bp.current_request)
    try:
        done = action(data, project_id, board_id)
    except FIXABLE as err:
        return refused(project_id, board_id, data, err)
    return after_form(data, back_to(data.get("next"), board_path(project_id, board_id)), done)


def refused(project_id: str, board_id: str, data: dict[str, str], err: KumoError) -> Response:
    """The board as the form's sender saw it (its `next`), with the reason the form was refused."""
    target = back_to(data.get("next"), board_path(project_id, board_id))
    options = Options.parse(dict(parse_qsl(urlsplit(target).query)))
    draw = _region if flag(data, "fragment") else _board_page
    return draw(project_id, board_id, options, status=err.status, error=error_text(err))


def _neighbour(item: Any, kind: str) -> Neighbour | None:
    if item is None:
        return None
    return Neighbour(item.card_id if kind == "card" else item.list_id, item.rank)


@bp.route(BOARD + "/cards", methods=["POST"], content_types=FORM)
def add_card(project_id: str, board_id: str) -> Response:
    """A card at the bottom of a list: after the list's last card as it stands now."""

    def action(data: dict[str, str], pid: str, bid: str) -> str:
        person = me()
        list_id = data.get("list_id", "")
        every = boards.load(person, pid, bid).cards_in(list_id)
        last = every[-1] if every else None
        cards.create(person, pid, bid, list_id, data.get("title", ""), after=_neighbour(last, "card"))
        return "card-added"

    return act(project_id, board_id, action)


@bp.route(BOARD + "/lists", methods=["POST"], content_types=FORM)
def add_list(project_id: str, board_id: str) -> Response:
    def action(data: dict[str, str], pid: str, bid: str) -> str:
        person = me()
        lists = boards.load(person, pid, bid, archived=True).lists
        boards.create_list(
            person, pid, bid, data.get("title", ""), after=_neighbour(lists[-1] if lists else None, "list")
        )
        return "list-added"

    return act(project_id, board_id, action)


@bp.route(BOARD + "/lists/{list_id}", methods=["POST"], content_types=FORM)
def save_list(project_id: str, board_id: str, list_id: str) -> Response:
    """Rename a list and set its WIP limit (0: none)."""

    def action(data: dict[str, str], pid: str, bid: str) -> str:
        boards.update_list(
            me(),
            pid,
            bid,
            unquote(list_id),
            title=data.get("title", ""),
            wip_limit=number(data, "wip_limit", default=0),
            version=number(data, "version"),
        )
        return "list-saved"

    return act(project_id, board_id, action)


@bp.route(BOARD + "/lists/{list_id}/move", methods=["POST"], content_types=FORM)
def move_list(project_id: str, board_id: str, list_id: str) -> Response:
    """One place to the left or right (the buttons' way of what dragging a list does)."""

    def action(data: dict[str, str], pid: str, bid: str) -> str:
        person = me()
        lists = boards.load(person, pid, bid).lists
        index = next((i for i, x in enumerate(lists) if x.list_id == unquote(list_id)), None)
        if index is None:
            boards.item(bid, unquote(list_id), "list")  # NotFound for a list that is not here
            return ""
        others = [x for x in lists if x.list_id != lists[index].list_id]
        spot = max(0, index - 1) if data.get("direction") == "left" else min(len(others), index + 1)
        left = others[spot - 1] if spot > 0 else None
        right = others[spot] if spot < len(others) else None
        version = lists[index].version
        boards.move_list(
            person,
            pid,
            bid,
            lists[index].list_id,
            left=_neighbour(left, "list"),
            right=_neighbour(right, "list"),
            version=version,
        )
        return "list-moved"

    return act(project_id, board_id, action)


@bp.route(BOARD + "/lists/{list_id}/archive", methods=["POST"], content_types=FORM)
def archive_list(project_id: str, board_id: str, list_id: str) -> Response:
    def action(data: dict[str, str], pid: str, bid: str) -> str:
        archived = flag(data, "archived")
        boards.archive_list(me(), pid, bid, unquote(list_id), archived=archived, version=number(data, "version"))
        return "list-archived" if archived else "list-restored"

    return act(project_id, board_id, action)
