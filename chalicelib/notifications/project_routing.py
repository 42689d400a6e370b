"""Who hears of each project event (庁内プロジェクト), and which notices also go by mail.

- CardAssigned: the newly assigned, never the one who assigned them;
- CardDue ("due soon" the day before, "overdue" the day after, each once: projects/reminders.py):
  the card's assignees, and its watchers with a text of their own (watching is not owning);
- CommentMentioned: the people mentioned, never the author;
- MemberJoined: the new member, unless they added themselves; one admitted through a 公募 is
  told their time share;
- RecruitmentPosted: nobody, for now. A 公募 looks for people outside the project, who find it
  on the 公募 list; the owning 所属's members are the people least likely to apply (it is their
  own 所属's work) and telling all of them of every post would be noise, telling all staff
  worse. Staff who opt in to 公募 (by skill or 所属) are issue 11's; the route is kept so the
  event is handled on purpose, not forgotten;
- ApplicationReceived: the project's owners (named in the event);
- ConsentRequested: the applicant's 所属長 (head_ids), with the over-cap case said plainly;
- ConsentGiven / ConsentRefused: the applicant, and the owners (each with a text of their own);
- ActualsDue: the staff named (members with a time share), for the month.

Mail goes by default with what is work with a date for the person: being assigned, a due date,
a mention, and the consent steps of their own application or of their staff's; everything else
is in the inbox only. Each person may change that per kind (kinds.py holds the defaults).

Muting (projects.membership.mute): a member who muted a project hears nothing of it, mail
included — except the consent steps. Those concern the person's own work rather than the
project's chatter: a 所属長 must answer for their staff (ConsentRequested is always delivered
and always mailed), an applicant learns whether they may join, and the owners learn whether
the person they chose comes. ActualsDue names no project and is never muted either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.core.events import Detail
from chalicelib.core.project_events import (
    ActualsDue,
    ApplicationReceived,
    CardAssigned,
    CardDue,
    CommentMentioned,
    ConsentGiven,
    ConsentRefused,
    ConsentRequested,
    MemberJoined,
    RecruitmentPosted,
)
from chalicelib.directory import service as directory
from chalicelib.notifications import mutes
from chalicelib.notifications.service import Delivery


def card_link(project_id: str, board_id: str, card_id: str) -> str:
    return f"/projects/{project_id}/boards/{board_id}?card={card_id}"


def _to(
    people: Iterable[str], kind: str, event_id: str, when: datetime, *, params: dict[str, Any], link: str
) -> list[Delivery]:
    return [Delivery(s, kind, event_id, when, params=params, link=link) for s in dict.fromkeys(people) if s]


def _unmuted(project_id: str, deliveries: list[Delivery]) -> list[Delivery]:
    """Marks the deliveries as the project's: the routing drops those to members who muted it
    (mutes.py reads each person's membership with the batch's other reads, a point read each)."""
    subject = mutes.project_key(project_id)
    return [replace(d, subject=subject) for d in deliveries]


def _name(staff_id: str) -> str:
    person = directory.find_staff(staff_id)
    return person.display_name if person is not None else staff_id


def card_assigned(detail: CardAssigned, event_id: str, when: datetime) -> list[Delivery]:
    params = {"by": detail.assigned_by_name, "title": detail.title, "project": detail.project_name}
    people = [s for s in detail.assignee_ids if s != detail.assigned_by]
    link = card_link(detail.project_id, detail.board_id, detail.card_id)
    return _unmuted(detail.project_id, _to(people, "card_assigned", event_id, when, params=params, link=link))


def card_due(detail: CardDue, event_id: str, when: datetime) -> list[Delivery]:
    params = {"title": detail.title, "project": detail.project_name, "due": detail.due}
    link = card_link(detail.project_id, detail.board_id, detail.card_id)
    own, watched = (
        ("card_overdue", "watched_card_overdue") if detail.overdue else ("card_due_soon", "watched_card_due_soon")
    )
    watchers = [w for w in detail.watcher_ids if w not in detail.assignee_ids]
    deliveries = _to(detail.assignee_ids, own, event_id, when, params=params, link=link)
    deliveries += _to(watchers, watched, event_id, when, params=params, link=link)
    return _unmuted(detail.project_id, deliveries)


def comment_mentioned(detail: CommentMentioned, event_id: str, when: datetime) -> list[Delivery]:
    params = {
        "by": detail.author_name,
        "title": detail.title,
        "project": detail.project_name,
        "excerpt": detail.excerpt,
    }
    people = [s for s in detail.mentioned_ids if s != detail.author_id]
    link = card_link(detail.project_id, detail.board_id, detail.card_id)
    return _unmuted(detail.project_id, _to(people, "comment_mentioned", event_id, when, params=params, link=link))


def member_joined(detail: MemberJoined, event_id: str, when: datetime) -> list[Delivery]:
    if detail.added_by == detail.staff_id:
        return []
    link = f"/projects/{detail.project_id}"
    if detail.added_by:
        params: dict[str, Any] = {"by": detail.added_by_name, "project": detail.project_name}
        deliveries = _to([detail.staff_id], "project_added", event_id, when, params=params, link=link)
    else:  # admitted after their 所属長's consent (recruiting)
        params = {"project": detail.project_name, "share": detail.share_percent}
        deliveries = _to([detail.staff_id], "project_joined", event_id, when, params=params, link=link)
    return _unmuted(detail.project_id, deliveries)


def recruitment_posted(detail: RecruitmentPosted, event_id: str, when: datetime) -> list[Delivery]:
    """Nobody yet: see the module's note."""
    return []


def application_received(detail: ApplicationReceived, event_id: str, when: datetime) -> list[Delivery]:
    params = {"applicant": detail.applicant_name, "project": detail.project_name}
    people = [s for s in detail.owner_ids if s != detail.applicant_id]
    link = f"/recruitments/{detail.recruitment_id}"
    return _unmuted(detail.project_id, _to(people, "application_received", event_id, when, params=params, link=link))


def consent_requested(detail: ConsentRequested, event_id: str, when: datetime) -> list[Delivery]:
    """Never muted: the 所属長 answers for their staff's time (see the module's note)."""
    kind = "consent_requested_over_cap" if detail.over_cap else "consent_requested"
    params = {"applicant": detail.applicant_name, "project": detail.project_name, "share": detail.share_percent}
    return _to(detail.head_ids, kind, event_id, when, params=params, link="/consents")


def _consent_result(
    detail: ConsentGiven | ConsentRefused, outcome: str, comment: str, event_id: str, when: datetime
) -> list[Delivery]:
    """Never muted: whether the applicant joins concerns them and the owners who chose them."""
    params = {
        "by": detail.decided_by_name,
        "applicant": _name(detail.applicant_id),
        "project": detail.project_name,
        "comment": comment or "—",
    }
    project = f"/projects/{detail.project_id}"
    # Refused, the applicant sees their applications (this one with the 所属長's comment).
    theirs = project if outcome == "given" else "/recruitments/mine"
    owners = [s for s in detail.owner_ids if s != detail.applicant_id]
    told = _to([detail.applicant_id], f"consent_{outcome}_you", event_id, when, params=params, link=theirs)
    return told + _to(owners, f"consent_{outcome}_owner", event_id, when, params=params, link=project)


def consent_given(detail: ConsentGiven, event_id: str, when: datetime) -> list[Delivery]:
    return _consent_result(detail, "given", "", event_id, when)


def consent_refused(detail: ConsentRefused, event_id: str, when: datetime) -> list[Delivery]:
    return _consent_result(detail, "refused", detail.comment, event_id, when)


def actuals_due(detail: ActualsDue, event_id: str, when: datetime) -> list[Delivery]:
    return _to(detail.staff_ids, "actuals_due", event_id, when, params={"month": detail.month}, link="/actuals")


ROUTES: dict[type[Detail], Callable[[Any, str, datetime], list[Delivery]]] = {
    CardAssigned: card_assigned,
    CardDue: card_due,
    CommentMentioned: comment_mentioned,
    MemberJoined: member_joined,
    RecruitmentPosted: recruitment_posted,
    ApplicationReceived: application_received,
    ConsentRequested: consent_requested,
    ConsentGiven: consent_given,
    ConsentRefused: consent_refused,
    ActualsDue: actuals_due,
}
