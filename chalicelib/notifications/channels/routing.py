"""Which domain event concerns which 所属 or project, as a notice for its chat channels.

The people routing (notifications/routing.py and its survey and project parts) decides who is
told; this decides which scope is. Survey events name 所属: issued, reminded, returned, forwarded,
submitted concern the answering 所属; an answer that reached its issuer (answered, 該当なし)
concerns the issuing 所属; a close concerns every target. Project events concern their project.
Muting is a person's choice and does not silence a project's channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalicelib.core import event_catalogue as ev
from chalicelib.core import project_events as pe
from chalicelib.core.events import Detail
from chalicelib.directory import service as directory
from chalicelib.notifications.channels.model import Scope, project, unit
from chalicelib.surveys import outside


@dataclass(frozen=True)
class Notice:
    scope: Scope
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    link: str = "/"


def _unit_name(unit_id: str) -> str:
    return directory.unit_name(unit_id, "ja")


def _deadline(iso: str) -> str:
    from chalicelib.core.templating import jst

    return str(jst(datetime.fromisoformat(iso)))


def _answer(survey_id: str, unit_id: str) -> str:
    return f"/surveys/{survey_id}/answers/{unit_id}"


def _names(ids: list[str]) -> str:
    names = directory.display_names([i for i in ids if i])
    return "、".join(names.values())


def _card(project_id: str, board_id: str, card_id: str) -> str:
    return f"/projects/{project_id}/boards/{board_id}?card={card_id}"


def issued(d: ev.SurveyIssued) -> list[Notice]:
    return [
        Notice(
            unit(u),
            "survey_issued",
            {"unit": _unit_name(u), "number": d.number, "title": d.title, "deadline": _deadline(d.deadline)},
            _answer(d.survey_id, u),
        )
        for u in dict.fromkeys(d.target_unit_ids)
        if not outside.is_external(u)
    ]


def forwarded(d: ev.SurveyForwarded) -> list[Notice]:
    params = {"by": d.forwarded_by_name, "unit": _unit_name(d.unit_id), "number": d.number, "title": d.title}
    return [Notice(unit(d.unit_id), "survey_forwarded", params, _answer(d.survey_id, d.unit_id))]


def submitted(d: ev.AnswerSubmitted) -> list[Notice]:
    if outside.is_external(d.unit_id):
        return []
    params = {"by": d.submitted_by_name, "unit": _unit_name(d.unit_id), "number": d.number, "title": d.title}
    return [Notice(unit(d.unit_id), "survey_approval", params, _answer(d.survey_id, d.unit_id))]


def approved(d: ev.AnswerApproved) -> list[Notice]:
    kind = "survey_not_applicable" if d.not_applicable else "survey_answered"
    name = d.approved_by_name if outside.is_external(d.unit_id) else _unit_name(d.unit_id)
    params = {"unit": name, "number": d.number, "title": d.title, "late": "（期限後）" if d.late else ""}
    return [Notice(unit(d.issuer_unit_id), kind, params, f"/surveys/{d.survey_id}")]


def returned(d: ev.AnswerReturned) -> list[Notice]:
    if outside.is_external(d.unit_id):
        return []
    params = {"by": d.returned_by_name, "unit": _unit_name(d.unit_id), "number": d.number, "title": d.title}
    return [Notice(unit(d.unit_id), "survey_returned", params, _answer(d.survey_id, d.unit_id))]


def reminded(d: ev.SurveyReminder) -> list[Notice]:
    if outside.is_external(d.unit_id):
        return []
    kind = "survey_overdue" if d.step == "after" else "survey_reminder"
    params = {"unit": _unit_name(d.unit_id), "number": d.number, "title": d.title, "deadline": _deadline(d.deadline)}
    return [Notice(unit(d.unit_id), kind, params, _answer(d.survey_id, d.unit_id))]


def closed(d: ev.SurveyClosed) -> list[Notice]:
    params = {"number": d.number, "title": d.title}
    return [
        Notice(unit(u), "survey_closed", params, f"/surveys/{d.survey_id}")
        for u in dict.fromkeys(d.target_unit_ids)
        if not outside.is_external(u)
    ]


def card_assigned(d: pe.CardAssigned) -> list[Notice]:
    params = {"by": d.assigned_by_name, "title": d.title, "people": _names(d.assignee_ids)}
    return [Notice(project(d.project_id), "card_assigned", params, _card(d.project_id, d.board_id, d.card_id))]


def card_due(d: pe.CardDue) -> list[Notice]:
    kind = "card_overdue" if d.overdue else "card_due_soon"
    params = {"title": d.title, "due": d.due}
    return [Notice(project(d.project_id), kind, params, _card(d.project_id, d.board_id, d.card_id))]


def mentioned(d: pe.CommentMentioned) -> list[Notice]:
    params = {"by": d.author_name, "title": d.title, "people": _names(d.mentioned_ids)}
    return [Notice(project(d.project_id), "comment_mentioned", params, _card(d.project_id, d.board_id, d.card_id))]


def joined(d: pe.MemberJoined) -> list[Notice]:
    person = _names([d.staff_id])
    link = f"/projects/{d.project_id}"
    if d.added_by == d.staff_id:
        return [Notice(project(d.project_id), "project_joined", {"person": person}, link)]
    return [Notice(project(d.project_id), "project_added", {"by": d.added_by_name, "person": person}, link)]


def applied(d: pe.ApplicationReceived) -> list[Notice]:
    params = {"applicant": d.applicant_name}
    return [Notice(project(d.project_id), "application_received", params, f"/projects/{d.project_id}")]


ROUTES: dict[type[Detail], Callable[[Any], list[Notice]]] = {
    ev.SurveyIssued: issued,
    ev.SurveyForwarded: forwarded,
    ev.AnswerSubmitted: submitted,
    ev.AnswerApproved: approved,
    ev.AnswerReturned: returned,
    ev.SurveyReminder: reminded,
    ev.SurveyClosed: closed,
    pe.CardAssigned: card_assigned,
    pe.CardDue: card_due,
    pe.CommentMentioned: mentioned,
    pe.MemberJoined: joined,
    pe.ApplicationReceived: applied,
}


def event_id(event: dict[str, Any]) -> str:
    return str((event.get("detail") or {}).get("event_id") or event.get("id"))


def occurred_at(event: dict[str, Any]) -> datetime:
    raw = (event.get("detail") or {}).get("occurred_at") or event.get("time")
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def notices_for(event: dict[str, Any]) -> list[Notice]:
    """The channel notices an EventBridge event makes (none for an event no route names)."""
    kind = next((d for d in ROUTES if d.matches(event)), None)
    return [] if kind is None else ROUTES[kind](kind.parse(event))
