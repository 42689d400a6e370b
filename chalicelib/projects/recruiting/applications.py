"""応募: a staff member applies to a 公募 (once), may withdraw; the project's owners proceed (the
applicant's 所属長 is asked for consent) or decline with a comment. The consent itself is
consent.py.

Who sees an application:
- the applicant, and the project's owners (members with the owner role), always;
- from the moment an owner proceeds, the 所属長 of the applicant's main 所属 (and whoever was
  asked then, should the person have moved since);
- nobody else, the 所属長 of the project's 所属 and system administrators included: 404.
Who sees it but may not do a step gets 403 (the applicant cannot proceed their own).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core import events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.core.project_events import ApplicationReceived, ConsentRequested
from chalicelib.core.storage import get_or_none, update_if
from chalicelib.projects import membership
from chalicelib.projects.model import MemberRole
from chalicelib.projects.recruiting import ledger, postings, storage
from chalicelib.projects.recruiting.model import (
    PENDING,
    Application,
    ApplicationState,
    Move,
    Recruitment,
    after,
    application_id_for,
    application_of,
    now,
    today,
)
from chalicelib.projects.recruiting.storage import ApplicationRecord

MESSAGE_MAX = 2000
COMMENT_MAX = 1000
MINE_MAX = 200


@dataclass(frozen=True)
class Standing:
    application: Application
    applicant: bool
    owner: bool
    head: bool  # a 所属長 who may consent (or did)


def missing(application_id: str) -> NotFound:
    return NotFound("There is no application {application_id}.", application_id=application_id)


def load_record(application_id: str) -> ApplicationRecord:
    storage.bind()
    record = get_or_none(ApplicationRecord, application_id, consistent_read=True)
    if record is None:
        raise missing(application_id)
    return record


def main_unit(staff_id: str) -> str:
    """The person's main 所属 today (a 部局 for staff placed directly in one)."""
    from chalicelib.directory import service as directory

    person = directory.find_staff(staff_id)
    if person is None:
        raise BadRequest("There is no staff member {staff_id}.", field="staff_id", staff_id=staff_id)
    return person.unit_id or person.department_id


def head_ids(staff_id: str) -> list[str]:
    """Who consents for this person: every 所属長 of their main 所属 (兼務 heads included)."""
    from chalicelib.directory import service as directory

    return [s.staff_id for s in directory.heads_of(main_unit(staff_id)) if s.staff_id != staff_id]


def standing(p: Principal, application_id: str) -> Standing:
    application = application_of(load_record(application_id))
    applicant = application.applicant_id == p.staff_id
    owner = p.staff_id in membership.owner_ids(application.project_id)
    head = application.sent_for_consent and (
        p.staff_id in application.head_ids or p.staff_id in head_ids(application.applicant_id)
    )
    if not (applicant or owner or head):
        raise missing(application_id)
    return Standing(application, applicant, owner, head)


def view(p: Principal, application_id: str) -> Standing:
    return standing(p, application_id)


def clean_text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise BadRequest("Write a comment for {field}.", field=field)
    if len(text) > limit:
        raise BadRequest("{field} is too long (at most {limit} characters).", field=field, limit=limit)
    return text


def apply(p: Principal, recruitment_id: str, message: str) -> Application:
    """One application per person per 公募 (again only after withdrawing the first)."""
    recruitment = postings.load(recruitment_id)
    if not recruitment.takes_applications(today()):
        raise Conflict("This recruitment no longer takes applications.")
    if p.staff_id in membership.active_member_ids(recruitment.project_id):
        raise Conflict("You are already a member of this project.")
    text = clean_text(message, "message", MESSAGE_MAX)
    at = now()
    record = ApplicationRecord(
        application_id_for(recruitment_id, p.staff_id),
        recruitment_id=recruitment_id,
        project_id=recruitment.project_id,
        applicant_id=p.staff_id,
        applicant_name=p.display_name,
        applicant_unit_id=p.unit_id,
        message=text,
        state=ApplicationState.APPLIED.value,
        applied_at=at.isoformat(),
        updated_at=at,
        share_percent=recruitment.share_percent,
    )
    # A withdrawn application may be sent again; anything else: this person has applied.
    again = ApplicationRecord.state == ApplicationState.WITHDRAWN.value
    storage.bind()
    if not storage.save_if(record, ApplicationRecord.application_id.does_not_exist() | again):
        raise Conflict("You have already applied to this recruitment.")
    application = application_of(record)
    project = postings.project_of(recruitment)
    events.publish(
        [
            ApplicationReceived(
                recruitment_id=recruitment_id,
                application_id=application.application_id,
                project_id=project.project_id,
                project_name=project.name,
                applicant_id=p.staff_id,
                applicant_name=p.display_name,
                owner_ids=membership.owner_ids(project.project_id),
            )
        ]
    )
    return application


def move(record: ApplicationRecord, step: Move, actions: list[object]) -> Application:
    """Make a step under the condition that the application is still where the step starts."""
    current = application_of(record)
    to = after(current.state, step)
    condition = ApplicationRecord.state == current.state.value
    at = now()
    full = [
        *actions,
        ApplicationRecord.state.set(to.value),
        ApplicationRecord.updated_at.set(at),
        ApplicationRecord.revision.add(1),
    ]
    if not update_if(record, full, condition):
        after(application_of(load_record(record.application_id)).state, step)  # says why
        raise Conflict("Someone else changed this application meanwhile: reload and try again.")
    return application_of(record)


def withdraw(p: Principal, application_id: str) -> Application:
    found = standing(p, application_id)
    if not found.applicant:
        raise Forbidden("Only the applicant can withdraw an application.")
    record = load_record(application_id)
    return move(record, Move.WITHDRAW, [ApplicationRecord.consent_unit_id.remove()])


def _as_owner(p: Principal, application_id: str) -> ApplicationRecord:
    if not standing(p, application_id).owner:
        raise Forbidden("Only the project's owners can decide on an application.")
    return load_record(application_id)


def proceed(p: Principal, application_id: str, comment: str = "") -> Application:
    """The owners want this person: their 所属長 is asked for consent (flagged when over the cap)."""
    from chalicelib.projects.recruiting import caps

    record = _as_owner(p, application_id)
    application = application_of(record)
    after(application.state, Move.PROCEED)
    recruitment = postings.load(application.recruitment_id)
    unit_id = main_unit(application.applicant_id)
    heads = head_ids(application.applicant_id)
    if not heads:
        raise Conflict(
            "{name}'s unit has no head to give consent: ask the unit to name one.", name=application.applicant_name
        )
    _, committed = ledger.committed(application.applicant_id, today())
    over = committed + recruitment.share_percent > caps.cap_for(unit_id)
    at = now()
    moved = move(
        record,
        Move.PROCEED,
        [
            ApplicationRecord.decided_by.set(p.staff_id),
            ApplicationRecord.decided_by_name.set(p.display_name),
            ApplicationRecord.decided_at.set(at),
            ApplicationRecord.owner_comment.set(clean_text(comment, "comment", COMMENT_MAX)),
            ApplicationRecord.consent_unit_id.set(unit_id),
            ApplicationRecord.requested_unit_id.set(unit_id),
            ApplicationRecord.requested_at.set(at.isoformat()),
            ApplicationRecord.head_ids.set(heads),  # type: ignore[arg-type]  # pynamodb types items as attributes
            ApplicationRecord.over_cap.set(over),
        ],
    )
    project = postings.project_of(recruitment)
    events.publish(
        [
            ConsentRequested(
                application_id=application_id,
                project_id=project.project_id,
                project_name=project.name,
                applicant_id=moved.applicant_id,
                applicant_name=moved.applicant_name,
                head_ids=heads,
                share_percent=moved.share_percent,
                over_cap=over,
            )
        ]
    )
    return moved


def decline(p: Principal, application_id: str, comment: str) -> Application:
    record = _as_owner(p, application_id)
    text = clean_text(comment, "comment", COMMENT_MAX, required=True)
    return move(
        record,
        Move.DECLINE,
        [
            ApplicationRecord.decided_by.set(p.staff_id),
            ApplicationRecord.decided_by_name.set(p.display_name),
            ApplicationRecord.decided_at.set(now()),
            ApplicationRecord.owner_comment.set(text),
        ],
    )


def of_recruitment(p: Principal, recruitment_id: str) -> list[Application]:
    """A 公募's applications, oldest first: its project's owners only."""
    recruitment = postings.load(recruitment_id)
    if p.staff_id not in membership.owner_ids(recruitment.project_id):
        raise Forbidden("Only the project's owners see its applications.")
    storage.bind()
    return [application_of(r) for r in ApplicationRecord.by_recruitment.query(recruitment_id)]


def mine(p: Principal) -> list[Application]:
    storage.bind()
    found = ApplicationRecord.by_applicant.query(p.staff_id, scan_index_forward=False, limit=MINE_MAX)
    return [application_of(r) for r in found]


def to_review(p: Principal) -> list[Application]:
    """Applications waiting for the decision of a project this person owns."""
    storage.bind()
    owned = [m.project_id for m in membership.memberships_of(p.staff_id) if m.role is MemberRole.OWNER]
    waiting: list[Application] = []
    for project_id in owned:
        for recruitment in postings.of_project(p, project_id):
            for r in ApplicationRecord.by_recruitment.query(
                recruitment.recruitment_id, filter_condition=ApplicationRecord.state == ApplicationState.APPLIED.value
            ):
                waiting.append(application_of(r))
    return sorted(waiting, key=lambda a: a.applied_at)


def cancel_pending(recruitment: Recruitment) -> int:
    """The 公募 was withdrawn: applications not yet decided end as cancelled."""
    storage.bind()
    cancelled = 0
    for record in ApplicationRecord.by_recruitment.query(recruitment.recruitment_id):
        if application_of(record).state in PENDING:
            try:
                move(record, Move.CANCEL, [ApplicationRecord.consent_unit_id.remove()])
                cancelled += 1
            except Conflict:
                continue  # decided meanwhile: it stays as decided
    return cancelled
