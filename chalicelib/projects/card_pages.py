"""A card's page (and, with `fragment=1`, its body for the board's card dialog): title and
Markdown description, assignees, due date, labels, checklist, attachments, watching, archive,
moving it without dragging, its history and comments with @mentions.

Every change is a plain form carrying the card's version: if someone else changed the card
meanwhile the form is refused (409) and the page shows the card as it is now, with the reason.
A field is sent to the use case only when it differs from what is stored, so the card's
history names what really changed.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response

from chalicelib.core import wareki, web
from chalicelib.core.errors import BadRequest
from chalicelib.core.layout import page
from chalicelib.projects import board_pages, boards, cards, comments, moves, reads
from chalicelib.projects.board_view import BoardView, Options, board_path, card_path, today
from chalicelib.projects.boards import Neighbour
from chalicelib.projects.cards import CardChanges
from chalicelib.projects.markdown import render
from chalicelib.projects.model import Card
from chalicelib.projects.page_kit import (
    AREA,
    FIXABLE,
    FORM,
    after_form,
    back_to,
    flag,
    fragment,
    language,
    me,
    number,
    text,
)

bp = Blueprint(__name__)
CARD = "/projects/{project_id}/boards/{board_id}/cards/{card_id}"
DONE = ("saved", "commented", "archived", "restored", "moved", "watching", "not-watching")
FILE_LINK = re.compile(r"/files/([^/?#]+)")


def card_context(project_id: str, board_id: str, card_id: str, options: Options) -> dict[str, Any]:
    person = me()
    read = reads.card(person, project_id, board_id, card_id)
    board, card, people = read.board, read.card, read.people
    view = BoardView(board, people, options, language(), today())
    members = [m for m in people if m.active]
    return {
        "project": board.project,
        "standing": read.standing,
        "edits": read.standing.edits,
        "board": board,
        "card": card,
        "cv": view.card(card),
        "view": view,
        "options": options,
        "members": members,
        "mentionable": [{"id": m.staff_id, "name": m.display_name} for m in members],
        "lists": [x for x in board.lists if not x.archived],
        "description_html": render(card.description),
        "markdown": render,
        "attachments": cards.visible_attachments(person, card),
        "history": read.history,
        "watching": person.staff_id in card.watchers,
        "board_url": board_path(project_id, board_id) + options.query(),
        "card_url": card_path(project_id, board_id, card_id),
    }


def _card_page(
    project_id: str,
    board_id: str,
    card_id: str,
    options: Options,
    *,
    as_fragment: bool,
    status: int = 200,
    error: str | None = None,
    done: str = "",
) -> Response:
    context = card_context(project_id, board_id, card_id, options)
    if as_fragment:
        return fragment("projects/card_body.html", status=status, error=error, done=done, **context)
    return page("projects/card.html", status=status, current_area=AREA, error=error, done=done, **context)


@bp.route(CARD)
def card_page(project_id: str, board_id: str, card_id: str) -> Response:
    params = {k: str(v) for k, v in dict(bp.current_request.query_params or {}).items()}
    return _card_page(
        unquote(project_id),
        unquote(board_id),
        unquote(card_id),
        Options.parse(params),
        as_fragment=params.get("fragment") == "1",
        done=params.get("done", "") if params.get("done") in DONE else "",
    )


def act(project_id: str, board_id: str, card_id: str, action: Any) -> Response:
    """Run a card form's action with the card as stored now; back to the card (or its body, for
    the dialog) with a note, or the card again with the reason it was refused. A form sent from
    the board (restoring from the archived view) names the board as its `next` and goes back there."""
    pid, bid, cid = unquote(project_id), unquote(board_id), unquote(card_id)
    data = web.form(bp.current_request)
    options = Options(dates=data["dates"]) if data.get("dates") in wareki.CALENDARS else Options()
    try:
        _, card = cards.get(me(), pid, bid, cid)
        done = action(data, card)
    except FIXABLE as err:
        if data.get("next"):
            return board_pages.refused(pid, bid, data, err)
        return _card_page(
            pid, bid, cid, options, as_fragment=flag(data, "fragment"), status=err.status, error=text(err)
        )
    if data.get("next"):
        return after_form(data, back_to(data["next"], board_path(pid, bid)), f"card-{done}")
    return after_form(data, card_path(pid, bid, cid) + options.query(), done)


def _update(card: Card, data: dict[str, str], changes: CardChanges) -> None:
    cards.update(me(), card.project_id, card.board_id, card.card_id, changes=changes, version=number(data, "version"))


def _due(value: str) -> str:
    """A date from the date field, or typed in 和暦 or 西暦 where the browser has no date picker."""
    value = value.strip()
    if not value:
        return ""
    try:
        return wareki.parse_date(value).isoformat()
    except ValueError:
        raise BadRequest("{field} is not a valid date (YYYY-MM-DD).", field="due") from None


@bp.route(CARD, methods=["POST"], content_types=FORM)
def save_card(project_id: str, board_id: str, card_id: str) -> Response:
    """Title, description, due date, assignees and labels: what differs from the card is sent."""
    lists = web.form_lists(bp.current_request)

    def action(data: dict[str, str], card: Card) -> str:
        assignees = [a for a in lists.get("assignees", []) if a]
        labels = [x for x in lists.get("labels", []) if x]
        due = _due(data.get("due", ""))
        changes = CardChanges(
            title=data["title"] if "title" in data and " ".join(data["title"].split()) != card.title else None,
            description=data["description"].replace("\r\n", "\n")
            if "description" in data and data["description"].replace("\r\n", "\n") != card.description
            else None,
            due=due if "due" in data and (due or None) != card.due else None,
            assignees=assignees if "people" in data and set(assignees) != set(card.assignees) else None,
            labels=labels if "tags" in data and set(labels) != set(card.labels) else None,
        )
        if changes == CardChanges():
            return ""
        _update(card, data, changes)
        return "saved"

    return act(project_id, board_id, card_id, action)


@bp.route(CARD + "/checklist", methods=["POST"], content_types=FORM)
def checklist(project_id: str, board_id: str, card_id: str) -> Response:
    """Add an item, tick or untick one, give it to a member, or remove it."""

    def action(data: dict[str, str], card: Card) -> str:
        items: list[dict[str, object]] = [
            {"id": c.item_id, "text": c.text, "done": c.done, "assignee": c.assignee} for c in card.checklist
        ]
        item_id, what = data.get("item_id", ""), data.get("action", "")
        if what == "add":
            items.append({"text": data.get("text", ""), "done": False, "assignee": data.get("assignee") or None})
        elif what == "remove":
            items = [i for i in items if i["id"] != item_id]
        else:
            for i in items:
                if i["id"] == item_id and what == "toggle":
                    i["done"] = not i["done"]
                elif i["id"] == item_id and what == "assign":
                    i["assignee"] = data.get("assignee") or None
        _update(card, data, CardChanges(checklist=items))
        return "saved"

    return act(project_id, board_id, card_id, action)


def file_id_of(reference: str) -> str:
    """A Kumo file named by its id or by its page's address (…/files/<id>)."""
    found = FILE_LINK.search(reference)
    file_id = unquote(found.group(1)) if found else reference.strip()
    if not file_id or len(file_id) > 200:
        raise BadRequest("Enter a file's id or the address of its page.", field="file")
    return file_id


@bp.route(CARD + "/attachments", methods=["POST"], content_types=FORM)
def attachments(project_id: str, board_id: str, card_id: str) -> Response:
    """Link a Kumo file you may read, or unlink one (others' links you cannot see stay)."""

    def action(data: dict[str, str], card: Card) -> str:
        linked = list(card.attachments)
        if data.get("action") == "remove":
            linked = [f for f in linked if f != data.get("file_id")]
        else:
            linked.append(file_id_of(data.get("file", "")))
        _update(card, data, CardChanges(attachments=linked))
        return "saved"

    return act(project_id, board_id, card_id, action)


@bp.route(CARD + "/watch", methods=["POST"], content_types=FORM)
def watch(project_id: str, board_id: str, card_id: str) -> Response:
    def action(data: dict[str, str], card: Card) -> str:
        on = flag(data, "watch")
        _update(card, data, CardChanges(watchers=[me().staff_id] if on else []))
        return "watching" if on else "not-watching"

    return act(project_id, board_id, card_id, action)


@bp.route(CARD + "/archive", methods=["POST"], content_types=FORM)
def archive(project_id: str, board_id: str, card_id: str) -> Response:
    def action(data: dict[str, str], card: Card) -> str:
        archived = flag(data, "archived")
        cards.archive(
            me(), card.project_id, card.board_id, card.card_id, archived=archived, version=number(data, "version")
        )
        return "archived" if archived else "restored"

    return act(project_id, board_id, card_id, action)


@bp.route(CARD + "/move", methods=["POST"], content_types=FORM)
def move(project_id: str, board_id: str, card_id: str) -> Response:
    """To the top or the bottom of a list: what dragging does, for a page without the script."""

    def action(data: dict[str, str], card: Card) -> str:
        person = me()
        list_id = data.get("list_id", "")
        in_list = boards.load(person, card.project_id, card.board_id).cards_in(list_id)
        others = [c for c in in_list if c.card_id != card.card_id]
        top = data.get("position") == "top"
        above = None if top or not others else Neighbour(others[-1].card_id, others[-1].rank)
        below = Neighbour(others[0].card_id, others[0].rank) if top and others else None
        moves.move(
            person,
            card.project_id,
            card.board_id,
            card.card_id,
            list_id=list_id,
            above=above,
            below=below,
            version=number(data, "version"),
            from_list_id=card.list_id,
        )
        return "moved"

    return act(project_id, board_id, card_id, action)


@bp.route(CARD + "/comments", methods=["POST"], content_types=FORM)
def comment(project_id: str, board_id: str, card_id: str) -> Response:
    def action(data: dict[str, str], card: Card) -> str:
        comments.comment(me(), card.project_id, card.board_id, card.card_id, data.get("text", ""))
        return "commented"

    return act(project_id, board_id, card_id, action)
