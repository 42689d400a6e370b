"""Who hears of each survey event (照会・調査): the events name 所属; this decides the people.

- issued, reminded, closed: the target 所属's 取りまとめ担当 (its 所属長 when it has none);
- forwarded: the members of each 係 asked (or the person asked);
- submitted: the approvers named in the event;
- approved (reached the 照会元) and 該当なし: the survey's contact person (also when an outside
  organisation submits: surveys/respond.py);
- returned: the answering 所属's 取りまとめ担当 (by the 照会元) or the submitter's 所属 (by the
  approver) — in both cases the people who will edit it again. An outside organisation has no
  one here: surveys/invitations.py mails its contact.
Each is about its survey (Delivery.subject), so a person who muted the survey hears none of
them but the mandatory 督促 (mutes.py). Every one of these also goes by mail by default
(notifications/kinds.py), since a 照会 is work with a date; a person may move most to the
digest, never a reminder for their 所属.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.core.event_catalogue import (
    AnswerApproved,
    AnswerReturned,
    AnswerSubmitted,
    SurveyClosed,
    SurveyForwarded,
    SurveyIssued,
    SurveyReminder,
)
from chalicelib.core.events import Detail
from chalicelib.directory import service as directory
from chalicelib.notifications import mutes
from chalicelib.notifications.service import Delivery
from chalicelib.surveys import outside


def _answer_link(survey_id: str, unit_id: str) -> str:
    return f"/surveys/{survey_id}/answers/{unit_id}"


def _coordinators(unit_id: str) -> list[str]:
    return [s.staff_id for s in directory.coordinators_of(unit_id)]


def _coordinators_of(unit_ids: list[str]) -> list[tuple[str, str]]:
    """(所属, person) for each target 所属's coordinators, each 部局 read once for all targets."""
    found = directory.coordinators_of_units(unit_ids)
    return [(unit_id, s.staff_id) for unit_id in unit_ids for s in found[unit_id]]


def _deadline(iso: str) -> str:
    from chalicelib.core.templating import jst

    return jst(datetime.fromisoformat(iso))


def issued(detail: SurveyIssued, event_id: str, when: datetime) -> list[Delivery]:
    params = {"number": detail.number, "title": detail.title, "deadline": _deadline(detail.deadline)}
    return [
        Delivery(staff_id, "survey_issued", event_id, when, params=params, link=_answer_link(detail.survey_id, unit_id))
        for unit_id, staff_id in _coordinators_of(detail.target_unit_ids)
    ]


def forwarded(detail: SurveyForwarded, event_id: str, when: datetime) -> list[Delivery]:
    people: dict[str, None] = {}
    keys = [key.partition(":") for key in detail.assignee_keys]
    units = directory.staff_in_units(ident for kind, _, ident in keys if kind == "unit")  # one read per 部局
    for kind, _, ident in keys:
        if kind == "staff":
            people[ident] = None
        elif kind == "unit":
            people.update(dict.fromkeys(s.staff_id for s in units[ident]))
    people.pop(detail.forwarded_by, None)
    params = {"by": detail.forwarded_by_name, "number": detail.number, "title": detail.title}
    return [
        Delivery(staff_id, "survey_forwarded", event_id, when, params=params, link="/surveys") for staff_id in people
    ]


def submitted(detail: AnswerSubmitted, event_id: str, when: datetime) -> list[Delivery]:
    params = {"by": detail.submitted_by_name, "number": detail.number, "title": detail.title}
    return [
        Delivery(
            staff_id,
            "survey_approval",
            event_id,
            when,
            params=params,
            link=_answer_link(detail.survey_id, detail.unit_id),
        )
        for staff_id in dict.fromkeys(detail.approver_ids)
    ]


def approved(detail: AnswerApproved, event_id: str, when: datetime) -> list[Delivery]:
    kind = "survey_not_applicable" if detail.not_applicable else "survey_answered"
    # An outside organisation (ext:<org id>) is not in the directory; it submits its answer itself,
    # so the name the event carries is its own.
    unit = detail.approved_by_name if outside.is_external(detail.unit_id) else directory.unit_name(detail.unit_id, "ja")
    params = {
        "unit": unit,
        "number": detail.number,
        "title": detail.title,
        "late": "（期限後）" if detail.late else "",
    }
    return [Delivery(detail.contact_staff_id, kind, event_id, when, params=params, link=f"/surveys/{detail.survey_id}")]


def returned(detail: AnswerReturned, event_id: str, when: datetime) -> list[Delivery]:
    params = {"by": detail.returned_by_name, "number": detail.number, "title": detail.title, "comment": detail.comment}
    people = dict.fromkeys(_coordinators(detail.unit_id))
    people.pop(detail.returned_by, None)
    return [
        Delivery(
            staff_id,
            "survey_returned",
            event_id,
            when,
            params=params,
            link=_answer_link(detail.survey_id, detail.unit_id),
        )
        for staff_id in people
    ]


def reminded(detail: SurveyReminder, event_id: str, when: datetime) -> list[Delivery]:
    kind = "survey_overdue" if detail.step == "after" else "survey_reminder"
    params = {"number": detail.number, "title": detail.title, "deadline": _deadline(detail.deadline)}
    return [
        Delivery(staff_id, kind, event_id, when, params=params, link=_answer_link(detail.survey_id, detail.unit_id))
        for staff_id in _coordinators(detail.unit_id)
    ]


def closed(detail: SurveyClosed, event_id: str, when: datetime) -> list[Delivery]:
    params = {"number": detail.number, "title": detail.title}
    return [
        Delivery(staff_id, "survey_closed", event_id, when, params=params, link="/surveys")
        for _, staff_id in _coordinators_of(detail.target_unit_ids)
    ]


Route = Callable[[Any, str, datetime], list[Delivery]]


def _about_the_survey(route: Route) -> Route:
    """The route's deliveries, each marked as about the event's survey (what a mute names)."""

    @functools.wraps(route)  # keeps the route's detail type, which the catalogue's test checks
    def marked(detail: Any, event_id: str, when: datetime) -> list[Delivery]:
        subject = mutes.survey(detail.survey_id).key
        return [replace(d, subject=subject) for d in route(detail, event_id, when)]

    return marked


ROUTES: dict[type[Detail], Route] = {
    detail: _about_the_survey(route)
    for detail, route in (
        (SurveyIssued, issued),
        (SurveyForwarded, forwarded),
        (AnswerSubmitted, submitted),
        (AnswerApproved, approved),
        (AnswerReturned, returned),
        (SurveyReminder, reminded),
        (SurveyClosed, closed),
    )
}
