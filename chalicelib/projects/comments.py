"""Comments on a card (Markdown, rendered safely by markdown.py) with @mentions: a mentioned
person who may see the project is told (CommentMentioned); anyone else is ignored, so a mention
never reveals a members-only project."""

from __future__ import annotations

from chalicelib.core import events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest
from chalicelib.core.events import Detail
from chalicelib.core.project_events import CardChanged, CommentMentioned
from chalicelib.core.storage import transaction
from chalicelib.projects import access, boards, membership, storage
from chalicelib.projects.activity import Action, entry, mentioned_ids
from chalicelib.projects.model import Visibility
from chalicelib.projects.storage import ItemRecord

COMMENT_MAX = 5_000


def comment(p: Principal, project_id: str, board_id: str, card_id: str, text: str) -> tuple[str, list[str]]:
    """A comment (Markdown) on a card; @staff-id mentions of people who may see the project are
    told. Returns the activity key and who was mentioned."""
    found = access.as_member(p, project_id)
    boards.board_ref(found, board_id)
    record = boards.item(board_id, card_id, "card")
    body = text.strip()
    if not body:
        raise BadRequest("Write a comment.", field="text")
    if len(body) > COMMENT_MAX:
        raise BadRequest("{field} is too long (at most {limit} characters).", field="text", limit=COMMENT_MAX)
    members = membership.active_member_ids(project_id)
    mentioned = [m for m in mentioned_ids(body) if m != p.staff_id]
    if found.project.visibility is Visibility.STAFF:
        from chalicelib.directory import service as directory

        mentioned = [m for m in mentioned if m in members or directory.find_staff(m) is not None]
    else:
        mentioned = [m for m in mentioned if m in members]
    activity = entry(
        p, project_id, Action.COMMENTED, board_id=board_id, card_id=card_id, text=body, mentions=tuple(mentioned)
    )
    storage.bind()
    with transaction() as tx:  # the count the board shows moves with the comment itself
        tx.update(record, actions=[ItemRecord.comment_count.add(1)], condition=ItemRecord.kind == "card")
        tx.save(activity)
    told: list[Detail] = [CardChanged(project_id=project_id, board_id=board_id, card_id=card_id, change="commented")]
    if mentioned:
        told.append(
            CommentMentioned(
                project_id=project_id,
                project_name=found.project.name,
                board_id=board_id,
                card_id=card_id,
                title=record.title,
                mentioned_ids=mentioned,
                author_id=p.staff_id,
                author_name=p.display_name,
                excerpt=_excerpt(body),
            )
        )
    events.publish(told)
    return activity.event_key, mentioned


def _excerpt(markdown: str, limit: int = 80) -> str:
    text = " ".join(markdown.replace("*", "").replace("`", "").replace("#", "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
