"""公募: a project's managers post one, close it when it is filled or withdraw it; every staff member
browses the open ones and filters them (tag, share, 部局, text).

Who may post: the project's managers (projects.access.as_manager: its owners and the 所属長 of
its owning 所属). Who sees a 公募: every staff member, whatever the project's visibility; it
shows the project's name and description and nothing else of it. Partners never reach these.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from chalicelib.core import events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.core.project_events import RecruitmentPosted
from chalicelib.core.storage import get_or_none, save_if_absent, update_if
from chalicelib.projects import access
from chalicelib.projects.model import Project
from chalicelib.projects.recruiting import lookup, storage
from chalicelib.projects.recruiting.model import (
    Recruitment,
    RecruitmentState,
    new_id,
    now,
    parse_day,
    recruitment_of,
    today,
)
from chalicelib.projects.recruiting.storage import RecruitmentRecord

TITLE_MAX = 120
NEEDS_MAX = 4000
TAGS_MAX = 10
TAG_MAX = 30
POSITIONS_MAX = 50
PERIOD_DAYS_MAX = 3 * 366  # a 20%-rule commitment is for a project's season, not a career
LIST_MAX = 500  # open 公募 read at once, soonest deadline first
OPEN = "open"


@dataclass(frozen=True)
class RecruitmentDraft:
    project_id: str
    title: str
    needs: str = ""
    tags: tuple[str, ...] = ()
    share_percent: int = 20
    period_start: str = ""
    period_end: str = ""
    positions: int = 1
    deadline: str = ""


@dataclass(frozen=True)
class Listed:
    """A 公募 as the list and its page show it: with its project's name and description."""

    recruitment: Recruitment
    project_name: str
    project_description: str


@dataclass(frozen=True)
class ListFilter:
    tag: str = ""
    share_max: int | None = None  # at most this share (%)
    department_id: str = ""  # the project's 部局
    text: str = ""


def _fold(text: str) -> str:
    """Full-width and half-width, upper and lower case read alike (ＤＸ finds dx)."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise BadRequest("Enter {field}.", field=field)
    if len(text) > limit:
        raise BadRequest("{field} is too long (at most {limit} characters).", field=field, limit=limit)
    return text


def _tags(values: tuple[str, ...]) -> list[str]:
    tags = list(dict.fromkeys(t.strip() for t in values if t.strip()))
    if len(tags) > TAGS_MAX:
        raise BadRequest("At most {limit} tags.", field="tags", limit=TAGS_MAX)
    if any(len(t) > TAG_MAX for t in tags):
        raise BadRequest("A tag has at most {limit} characters.", field="tags", limit=TAG_MAX)
    return tags


def _number(value: int, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest("{field} must be a whole number from {low} to {high}.", field=field, low=low, high=high)
    return value


def _dates(draft: RecruitmentDraft, on: date) -> tuple[date, date, date]:
    start = parse_day(draft.period_start, "period_start")
    end = parse_day(draft.period_end, "period_end")
    deadline = parse_day(draft.deadline, "deadline")
    if end < start:
        raise BadRequest("The period must end on or after the day it starts.", field="period_end")
    if end < on:
        raise BadRequest("The period has already ended.", field="period_end")
    if (end - start).days > PERIOD_DAYS_MAX:
        raise BadRequest("A period is at most three years.", field="period_end")
    if deadline < on:
        raise BadRequest("The deadline has already passed.", field="deadline")
    if deadline > end:
        raise BadRequest("The deadline must be on or before the end of the period.", field="deadline")
    return start, end, deadline


def post(p: Principal, draft: RecruitmentDraft) -> Recruitment:
    """A new open 公募 of a project its managers run."""
    project = access.as_manager(p, draft.project_id).project
    if project.archived:
        raise Conflict("An archived project cannot recruit.")
    start, end, deadline = _dates(draft, today())
    at = now()
    record = RecruitmentRecord(
        new_id("rec"),
        project_id=project.project_id,
        project_unit_id=project.owner_unit_id,
        project_department_id=project.owner_department_id,
        title=_text(draft.title, "title", TITLE_MAX, required=True),
        needs=_text(draft.needs, "needs", NEEDS_MAX),
        tags=_tags(draft.tags),
        share_percent=_number(draft.share_percent, "share_percent", 1, 100),
        period_start=start.isoformat(),
        period_end=end.isoformat(),
        positions=_number(draft.positions, "positions", 1, POSITIONS_MAX),
        filled=0,
        deadline=deadline.isoformat(),
        state=RecruitmentState.OPEN.value,
        listing=OPEN,
        created_by=p.staff_id,
        created_by_name=p.display_name,
        created_at=at.isoformat(),
        updated_at=at,
    )
    storage.bind()
    if not save_if_absent(record, RecruitmentRecord.recruitment_id):
        raise Conflict("Try again.")  # a fresh random id taken: practically never
    found = recruitment_of(record)
    events.publish(
        [
            RecruitmentPosted(
                recruitment_id=found.recruitment_id,
                project_id=project.project_id,
                project_name=project.name,
                title=found.title,
                share_percent=found.share_percent,
                deadline=found.deadline.isoformat(),
            )
        ]
    )
    return found


def missing(recruitment_id: str) -> NotFound:
    return NotFound("There is no recruitment {recruitment_id}.", recruitment_id=recruitment_id)


def load_record(recruitment_id: str) -> RecruitmentRecord:
    storage.bind()
    record = get_or_none(RecruitmentRecord, recruitment_id, consistent_read=True)
    if record is None:
        raise missing(recruitment_id)
    return record


def load(recruitment_id: str) -> Recruitment:
    return recruitment_of(load_record(recruitment_id))


def listed(recruitment: Recruitment) -> Listed:
    project = lookup.project(recruitment.project_id)
    return Listed(recruitment, project.name if project else "", project.description if project else "")


def get(p: Principal, recruitment_id: str) -> Listed:
    """Any staff member sees any 公募 (the route has made sure `p` is staff)."""
    del p  # every signed-in staff member: the principal only proves that
    return listed(load(recruitment_id))


def manages(p: Principal, recruitment: Recruitment) -> bool:
    """Whether `p` runs the 公募's project (its owners and the 所属長 of its 所属)."""
    try:
        return access.standing(p, recruitment.project_id).manages
    except NotFound:
        return False


def _matches(item: Listed, f: ListFilter) -> bool:
    r = item.recruitment
    if f.tag and _fold(f.tag) not in {_fold(t) for t in r.tags}:
        return False
    if f.share_max is not None and r.share_percent > f.share_max:
        return False
    if f.department_id and r.project_department_id != f.department_id:
        return False
    if f.text:
        haystack = _fold(" ".join([r.title, r.needs, *r.tags, item.project_name, item.project_description]))
        return all(word in haystack for word in _fold(f.text).split())
    return True


def open_ones(f: ListFilter | None = None) -> list[Listed]:
    """Open 公募 still taking applications, soonest deadline first, with their projects."""
    storage.bind()
    on = today()
    found = [
        recruitment_of(r)
        for r in RecruitmentRecord.by_listing.query(OPEN, RecruitmentRecord.deadline >= on.isoformat(), limit=LIST_MAX)
    ]
    taking = [r for r in found if r.takes_applications(on)]
    projects = lookup.projects(r.project_id for r in taking)
    items = [
        Listed(r, projects[r.project_id].name, projects[r.project_id].description)
        for r in taking
        if r.project_id in projects and not projects[r.project_id].archived
    ]
    return [item for item in items if _matches(item, f or ListFilter())]


def of_project(p: Principal, project_id: str) -> list[Recruitment]:
    """A project's 公募, newest first, for whoever sees the project."""
    return of_project_for(access.standing(p, project_id))


def of_project_for(found: access.Standing) -> list[Recruitment]:
    """A project's 公募, newest first, for a standing the caller resolved already."""
    storage.bind()
    query = RecruitmentRecord.by_project.query(found.project.project_id, scan_index_forward=False)
    return [recruitment_of(r) for r in query]


def _end(p: Principal, recruitment_id: str, to: RecruitmentState) -> Recruitment:
    record = load_record(recruitment_id)
    if not manages(p, recruitment_of(record)):  # they see the 公募, not necessarily its project
        raise Forbidden("Only the project's owners and the head of its unit can do this.")
    starts = (
        (RecruitmentState.OPEN,) if to is RecruitmentState.CLOSED else (RecruitmentState.OPEN, RecruitmentState.CLOSED)
    )
    at = now()
    done = update_if(
        record,
        [
            RecruitmentRecord.state.set(to.value),
            RecruitmentRecord.listing.remove(),
            RecruitmentRecord.closed_at.set(at),
            RecruitmentRecord.updated_at.set(at),
        ],
        RecruitmentRecord.state.is_in(*[s.value for s in starts]),
    )
    if not done:
        raise Conflict("This recruitment is already closed or withdrawn.")
    return recruitment_of(record)


def close(p: Principal, recruitment_id: str) -> Recruitment:
    """No more applications; those under way may still be decided."""
    return _end(p, recruitment_id, RecruitmentState.CLOSED)


def withdraw(p: Principal, recruitment_id: str) -> Recruitment:
    """Called off: no more applications, and those not yet decided are cancelled."""
    from chalicelib.projects.recruiting import applications

    found = _end(p, recruitment_id, RecruitmentState.WITHDRAWN)
    applications.cancel_pending(found)
    return found


def close_if_filled(recruitment_id: str) -> None:
    """After a consent: a 公募 whose every position is filled stops taking applications."""
    record = load_record(recruitment_id)
    at = now()
    update_if(
        record,
        [
            RecruitmentRecord.state.set(RecruitmentState.CLOSED.value),
            RecruitmentRecord.listing.remove(),
            RecruitmentRecord.closed_at.set(at),
            RecruitmentRecord.updated_at.set(at),
        ],
        (RecruitmentRecord.state == RecruitmentState.OPEN.value) & (RecruitmentRecord.filled >= record.positions),
    )


def project_of(recruitment: Recruitment) -> Project:
    project = lookup.project(recruitment.project_id)
    if project is None:
        raise missing(recruitment.recruitment_id)
    return project
