"""Projects, members, boards and cards as JSON for the API and the board page's script: one
shaping of each, so the page and the API never disagree."""

from __future__ import annotations

from datetime import datetime

from chalicelib.core import web
from chalicelib.projects.access import Standing
from chalicelib.projects.boards import Board
from chalicelib.projects.markdown import render
from chalicelib.projects.model import Activity, Card, Member, Project
from chalicelib.projects.schemas import ActivityOut, CardOut, MemberOut, ProjectBoardOut, ProjectOut


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def project_json(project: Project, member: Member | None, *, manages: bool = False) -> ProjectOut:
    from chalicelib.directory import service as directory

    return {
        "id": project.project_id,
        "name": project.name,
        "description": project.description,
        "owner_unit_id": project.owner_unit_id,
        "owner_unit_name": directory.unit_name(project.owner_unit_id, web.state().language),
        "owner_name": project.owner_name,
        "visibility": project.visibility.value,
        "boards": [{"id": b.board_id, "name": b.name} for b in project.boards],
        "labels": [{"id": x.label_id, "name": x.name, "color": x.color} for x in project.labels],
        "archived": project.archived,
        "created_at": project.created_at,
        "revision": project.revision,
        "my_role": member.role.value if member else None,
        "manages": manages,
        "muted": bool(member and member.muted),
    }


def standing_json(found: Standing) -> ProjectOut:
    return project_json(found.project, found.member, manages=found.manages)


def member_json(m: Member) -> MemberOut:
    from chalicelib.directory import service as directory

    return {
        "staff_id": m.staff_id,
        "display_name": m.display_name,
        "unit_id": m.unit_id,
        "unit_name": directory.unit_name(m.unit_id, web.state().language) if m.unit_id else "",
        "role": m.role.value,
        "share_percent": m.share_percent,
        "period_end": m.period_end,
        "joined_at": m.joined_at.isoformat(),
        "left_at": iso(m.left_at),
        "muted": m.muted,
    }


def card_json(card: Card) -> CardOut:
    return {
        "id": card.card_id,
        "list_id": card.list_id,
        "rank": card.rank,
        "title": card.title,
        "assignees": list(card.assignees),
        "due": card.due,
        "labels": list(card.labels),
        "checklist_done": sum(1 for c in card.checklist if c.done),
        "checklist_total": len(card.checklist),
        "comments": card.comments,
        "archived": card.archived,
        "version": card.version,
    }


def board_json(board: Board, members: list[Member]) -> ProjectBoardOut:
    return {
        "project": standing_json(board.standing),
        "board": {"id": board.board.board_id, "name": board.board.name},
        "lists": [
            {
                "id": x.list_id,
                "title": x.title,
                "rank": x.rank,
                "wip_limit": x.wip_limit,
                "over_limit": board.over_limit(x),
                "archived": x.archived,
                "version": x.version,
                "cards": [card_json(c) for c in board.cards_in(x.list_id)],
            }
            for x in board.lists
        ],
        "members": [member_json(m) for m in members],
        "etag": board.etag,
    }


def activity_json(a: Activity) -> ActivityOut:
    return {
        "key": a.event_key,
        "card_id": a.card_id,
        "action": a.action,
        "actor_id": a.actor_id,
        "actor_name": a.actor_name,
        "summary": a.summary,
        "text": a.text,
        "html": render(a.text) if a.text else "",
        "at": a.at.isoformat(),
    }
