"""公募 and 応募 as the service hands them out, their states and the moves between them, and the
dates recruiting reasons in (JST days, "YYYY-MM" months).

The state rules are pure (no I/O), so unit tests walk every move; the use-case modules write a
move as a conditional update ("state is still one this move starts from"), so two people acting
on one application at once cannot both move it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.i18n_markers import N_
from chalicelib.core.templating import JST
from chalicelib.projects.recruiting.storage import ApplicationRecord, RecruitmentRecord

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def now() -> datetime:
    return datetime.now(UTC)


def today(at: datetime | None = None) -> date:
    """The day it is in Japan: deadlines and periods are JST days."""
    return (at or now()).astimezone(JST).date()


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def application_id_for(recruitment_id: str, applicant_id: str) -> str:
    """The one id a person's application to a 公募 can have: a second put of it finds the first."""
    digest = hashlib.sha256(f"{recruitment_id}\n{applicant_id}".encode()).hexdigest()[:24]
    return f"apl_{digest}"


# --- months ----------------------------------------------------------------------------------


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(value: str, field: str = "month") -> str:
    text = value.strip()
    if not MONTH.match(text):
        raise BadRequest("Enter a month as YYYY-MM (e.g. 2026-11).", field=field)
    return text


def month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def month_end(month: str) -> date:
    first = month_start(month)
    following = (
        first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
    )
    return following - timedelta(days=1)


def add_months(month: str, n: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included (empty when last is before first)."""
    out: list[str] = []
    current = first
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


def parse_day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadRequest("Enter {field} as a date (YYYY-MM-DD).", field=field) from None


# --- 公募 -------------------------------------------------------------------------------------


class RecruitmentState(StrEnum):
    OPEN = "open"  # takes applications until its deadline
    CLOSED = "closed"  # filled or closed by the project: no new applications; those under way go on
    WITHDRAWN = "withdrawn"  # called off: applications under way are cancelled


@dataclass(frozen=True)
class Recruitment:
    recruitment_id: str
    project_id: str
    project_unit_id: str
    project_department_id: str
    title: str
    needs: str
    tags: tuple[str, ...]
    share_percent: int
    period_start: date
    period_end: date
    positions: int
    filled: int
    deadline: date
    state: RecruitmentState
    created_by: str
    created_by_name: str
    created_at: str
    updated_at: datetime
    closed_at: datetime | None

    def takes_applications(self, on: date) -> bool:
        return self.state is RecruitmentState.OPEN and on <= self.deadline and self.filled < self.positions


def recruitment_of(r: RecruitmentRecord) -> Recruitment:
    return Recruitment(
        recruitment_id=r.recruitment_id,
        project_id=r.project_id,
        project_unit_id=r.project_unit_id,
        project_department_id=r.project_department_id,
        title=r.title,
        needs=r.needs,
        tags=tuple(str(t) for t in (r.tags or ())),
        share_percent=int(r.share_percent),
        period_start=date.fromisoformat(r.period_start),
        period_end=date.fromisoformat(r.period_end),
        positions=int(r.positions),
        filled=int(r.filled or 0),
        deadline=date.fromisoformat(r.deadline),
        state=RecruitmentState(r.state),
        created_by=r.created_by,
        created_by_name=r.created_by_name,
        created_at=r.created_at,
        updated_at=r.updated_at,
        closed_at=r.closed_at,
    )


# --- 応募 -------------------------------------------------------------------------------------


class ApplicationState(StrEnum):
    APPLIED = "applied"  # the owners and the applicant see it
    DECLINED = "declined"  # an owner said no (with a comment)
    WITHDRAWN = "withdrawn"  # the applicant took it back
    CONSENT_REQUESTED = "consent_requested"  # an owner wants them: their 所属長 decides
    REFUSED = "refused"  # the 所属長 did not consent (不同意)
    JOINED = "joined"  # the 所属長 consented (同意) and the person became a member
    CANCELLED = "cancelled"  # the 公募 was withdrawn before a decision


class Move(StrEnum):
    APPLY_AGAIN = "apply_again"
    WITHDRAW = "withdraw"
    PROCEED = "proceed"
    DECLINE = "decline"
    CONSENT = "consent"
    REFUSE = "refuse"
    CANCEL = "cancel"


S = ApplicationState
MOVES: dict[Move, tuple[frozenset[ApplicationState], ApplicationState]] = {
    Move.APPLY_AGAIN: (frozenset({S.WITHDRAWN}), S.APPLIED),
    Move.WITHDRAW: (frozenset({S.APPLIED, S.CONSENT_REQUESTED}), S.WITHDRAWN),
    Move.PROCEED: (frozenset({S.APPLIED}), S.CONSENT_REQUESTED),
    Move.DECLINE: (frozenset({S.APPLIED}), S.DECLINED),
    Move.CONSENT: (frozenset({S.CONSENT_REQUESTED}), S.JOINED),
    Move.REFUSE: (frozenset({S.CONSENT_REQUESTED}), S.REFUSED),
    Move.CANCEL: (frozenset({S.APPLIED, S.CONSENT_REQUESTED}), S.CANCELLED),
}
PENDING = frozenset({S.APPLIED, S.CONSENT_REQUESTED})
REFUSALS: dict[Move, str] = {
    Move.APPLY_AGAIN: N_("You have already applied to this recruitment."),
    Move.WITHDRAW: N_("This application has been decided: it can no longer be withdrawn."),
    Move.PROCEED: N_("This application has already been decided or withdrawn."),
    Move.DECLINE: N_("This application has already been decided or withdrawn."),
    Move.CONSENT: N_("This application is not waiting for consent: it has been decided or withdrawn."),
    Move.REFUSE: N_("This application is not waiting for consent: it has been decided or withdrawn."),
    Move.CANCEL: N_("This application has already been decided or withdrawn."),
}


def after(state: ApplicationState, move: Move) -> ApplicationState:
    """The state a move leads to, or Conflict saying why it cannot be made now."""
    starts, leads_to = MOVES[move]
    if state not in starts:
        raise Conflict(REFUSALS[move], field="state", state=state.value)
    return leads_to


@dataclass(frozen=True)
class Application:
    application_id: str
    recruitment_id: str
    project_id: str
    applicant_id: str
    applicant_name: str
    applicant_unit_id: str
    message: str
    state: ApplicationState
    applied_at: str
    updated_at: datetime
    share_percent: int
    decided_by_name: str | None
    decided_at: datetime | None
    owner_comment: str | None
    requested_at: str | None
    requested_unit_id: str | None
    head_ids: tuple[str, ...]
    over_cap: bool
    consent_by: str | None
    consent_by_name: str | None
    consent_at: datetime | None
    consent_comment: str | None
    override_reason: str | None
    revision: int

    @property
    def sent_for_consent(self) -> bool:
        """Whether it ever reached the 所属長 (from then on they see it)."""
        return self.requested_at is not None


def application_of(r: ApplicationRecord) -> Application:
    return Application(
        application_id=r.application_id,
        recruitment_id=r.recruitment_id,
        project_id=r.project_id,
        applicant_id=r.applicant_id,
        applicant_name=r.applicant_name,
        applicant_unit_id=r.applicant_unit_id,
        message=r.message,
        state=ApplicationState(r.state),
        applied_at=r.applied_at,
        updated_at=r.updated_at,
        share_percent=int(r.share_percent),
        decided_by_name=r.decided_by_name,
        decided_at=r.decided_at,
        owner_comment=r.owner_comment,
        requested_at=r.requested_at,
        requested_unit_id=r.requested_unit_id,
        head_ids=tuple(str(h) for h in (r.head_ids or ())),
        over_cap=bool(r.over_cap),
        consent_by=r.consent_by,
        consent_by_name=r.consent_by_name,
        consent_at=r.consent_at,
        consent_comment=r.consent_comment,
        override_reason=r.override_reason,
        revision=int(r.revision or 0),
    )
