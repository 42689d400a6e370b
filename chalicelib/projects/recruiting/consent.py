"""所属長同意: the applicant's 所属長 consents (the person joins the project with the 公募's share
until its period ends) or refuses with a comment.

Who consents: any 所属長 of the applicant's main 所属 today, never the applicant themselves.
The cap: the applicant's committed share (caps.py, ledger.py) plus this application's must stay
within their cap; over it, a 所属長 may still consent with an explicit override and its reason,
which are kept with the consent (who, when, why).

A consent is one DynamoDB transaction of three conditional writes: the person's commitments
("version unchanged": the cap reservation), the application ("still waiting for consent") and
the 公募 ("a position is left"). Whichever write finds its condition broken cancels all three;
a changed version means another consent for this person came first, so the share is counted
again and the cap checked again. Then the person is admitted (projects.membership.admit); if
that fails the three writes are undone.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core import events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, KumoError
from chalicelib.core.project_events import ConsentGiven, ConsentRefused
from chalicelib.core.storage import failed_conditions, is_cancelled_transaction, transaction, transaction_error
from chalicelib.projects import membership
from chalicelib.projects.recruiting import applications, caps, ledger, postings, storage
from chalicelib.projects.recruiting.ledger import Commitment
from chalicelib.projects.recruiting.model import (
    REFUSALS,
    Application,
    ApplicationState,
    Move,
    RecruitmentState,
    after,
    application_of,
    now,
    today,
)
from chalicelib.projects.recruiting.storage import ApplicationRecord, RecruitmentRecord

REASON_MAX = 1000
ATTEMPTS = 25  # rounds against other consents for the same person; each round one of them wins
PENDING_MAX = 200


@dataclass(frozen=True)
class CapCheck:
    """What the 所属長 sees before deciding: the person's committed share now, their cap, and
    what consenting would bring them to."""

    committed_percent: int
    cap_percent: int
    share_percent: int

    @property
    def total_percent(self) -> int:
        return self.committed_percent + self.share_percent

    @property
    def over(self) -> bool:
        return self.total_percent > self.cap_percent


def cap_check(application: Application) -> CapCheck:
    unit_id = applications.main_unit(application.applicant_id)
    _, committed = ledger.committed(application.applicant_id, today())
    return CapCheck(committed, caps.cap_for(unit_id), application.share_percent)


def _as_head(p: Principal, application_id: str) -> Application:
    found = applications.standing(p, application_id)
    if found.applicant:
        raise Forbidden("You cannot consent to your own application.")
    if p.staff_id not in applications.head_ids(found.application.applicant_id):
        raise Forbidden("Only the head of the applicant's unit can decide on consent.")
    return found.application


def _over_cap(check: CapCheck, override: bool, reason: str, name: str) -> str | None:
    """The recorded reason for going over the cap; None when within it."""
    if not check.over:
        return None
    if not override:
        raise Conflict(
            "Consenting would bring {name}'s committed time share to {total} %, over the cap of {cap} %. "
            "Consent only with an override and its reason.",
            field="override",
            name=name,
            total=check.total_percent,
            cap=check.cap_percent,
        )
    text = reason.strip()
    if not text:
        raise BadRequest("Give the reason for consenting over the cap.", field="override_reason")
    if len(text) > REASON_MAX:
        raise BadRequest("{field} is too long (at most {limit} characters).", field="override_reason", limit=REASON_MAX)
    return text


def consent(
    p: Principal, application_id: str, *, comment: str = "", override: bool = False, reason: str = ""
) -> Application:
    """同意: reserve the share under the cap, then the applicant joins the project."""
    application = _as_head(p, application_id)
    after(application.state, Move.CONSENT)
    recruitment = postings.load(application.recruitment_id)
    if recruitment.state is RecruitmentState.WITHDRAWN:
        raise Conflict("This recruitment has been withdrawn.")
    project = postings.project_of(recruitment)
    if application.applicant_id in membership.active_member_ids(project.project_id):
        raise Conflict("{name} is already a member of this project.", name=application.applicant_name)
    text = applications.clean_text(comment, "comment", applications.COMMENT_MAX)
    unit_id = applications.main_unit(application.applicant_id)
    cap = caps.cap_for(unit_id)
    for _ in range(ATTEMPTS):
        held, committed = ledger.committed(application.applicant_id, today())
        check = CapCheck(committed, cap, application.share_percent)
        why = _over_cap(check, override, reason, application.applicant_name)
        at = now()
        commitment = Commitment(
            application_id=application_id,
            recruitment_id=recruitment.recruitment_id,
            project_id=project.project_id,
            project_name=project.name,
            unit_id=unit_id,
            share_percent=application.share_percent,
            period_start=recruitment.period_start.isoformat(),
            period_end=recruitment.period_end.isoformat(),
            consented_at=at.isoformat(),
            consented_by=p.staff_id,
            consented_by_name=p.display_name,
            over_cap=check.over,
            override_reason=why,
        )
        if _reserve(held, commitment, recruitment.positions, text, p):
            break
    else:
        raise Conflict("Too many changes to this person's time shares at once: try again.")
    try:
        membership.admit(
            project,
            application.applicant_id,
            share_percent=application.share_percent,
            period_end=recruitment.period_end.isoformat(),
            via=application_id,
        )
    except KumoError:
        _undo(application_id, unit_id)
        raise
    postings.close_if_filled(recruitment.recruitment_id)
    joined = application_of(applications.load_record(application_id))
    events.publish(
        [
            ConsentGiven(
                application_id=application_id,
                project_id=project.project_id,
                project_name=project.name,
                applicant_id=joined.applicant_id,
                decided_by_name=p.display_name,
                owner_ids=membership.owner_ids(project.project_id),
            )
        ]
    )
    return joined


def _reserve(held: ledger.Ledger, c: Commitment, positions: int, comment: str, p: Principal) -> bool:
    """The three conditional writes; False when another consent for this person came first."""
    storage.bind()
    record, unchanged = ledger.record_with(held, (*held.commitments, c))
    application = ApplicationRecord(c.application_id)
    recruitment = RecruitmentRecord(c.recruitment_id)
    at = now()
    try:
        with transaction() as tx:
            tx.save(record, condition=unchanged)
            tx.update(
                application,
                actions=[
                    ApplicationRecord.state.set(ApplicationState.JOINED.value),
                    ApplicationRecord.consent_unit_id.remove(),
                    ApplicationRecord.consent_by.set(p.staff_id),
                    ApplicationRecord.consent_by_name.set(p.display_name),
                    ApplicationRecord.consent_at.set(at),
                    ApplicationRecord.consent_comment.set(comment),
                    ApplicationRecord.over_cap.set(c.over_cap),
                    *([ApplicationRecord.override_reason.set(c.override_reason)] if c.override_reason else []),
                    ApplicationRecord.updated_at.set(at),
                    ApplicationRecord.revision.add(1),
                ],
                condition=ApplicationRecord.state == ApplicationState.CONSENT_REQUESTED.value,
            )
            tx.update(
                recruitment,
                actions=[RecruitmentRecord.filled.add(1), RecruitmentRecord.updated_at.set(at)],
                condition=(RecruitmentRecord.filled < positions)
                & (RecruitmentRecord.state != RecruitmentState.WITHDRAWN.value),
            )
    except transaction_error() as exc:
        ledger_changed, application_moved, no_position = (failed_conditions(exc) + [False] * 3)[:3]
        if application_moved:
            raise Conflict(REFUSALS[Move.CONSENT], field="state") from None
        if no_position:
            raise Conflict("Every position of this recruitment has been filled.", field="positions") from None
        if ledger_changed or is_cancelled_transaction(exc):
            return False  # another consent for this person came first (or DynamoDB saw two at once)
        raise
    return True


def _undo(application_id: str, unit_id: str) -> None:
    """The join failed after the consent was written: put everything back as it was."""
    record = applications.load_record(application_id)
    ledger.release(record.applicant_id, application_id)
    record.update(
        actions=[
            ApplicationRecord.state.set(ApplicationState.CONSENT_REQUESTED.value),
            ApplicationRecord.consent_unit_id.set(unit_id),
            ApplicationRecord.consent_by.remove(),
            ApplicationRecord.consent_by_name.remove(),
            ApplicationRecord.consent_at.remove(),
            ApplicationRecord.updated_at.set(now()),
        ]
    )
    RecruitmentRecord(record.recruitment_id).update(actions=[RecruitmentRecord.filled.add(-1)])


def refuse(p: Principal, application_id: str, comment: str) -> Application:
    """不同意, with a comment the applicant and the owners read."""
    application = _as_head(p, application_id)
    text = applications.clean_text(comment, "comment", applications.COMMENT_MAX, required=True)
    at = now()
    refused = applications.move(
        applications.load_record(application_id),
        Move.REFUSE,
        [
            ApplicationRecord.consent_unit_id.remove(),
            ApplicationRecord.consent_by.set(p.staff_id),
            ApplicationRecord.consent_by_name.set(p.display_name),
            ApplicationRecord.consent_at.set(at),
            ApplicationRecord.consent_comment.set(text),
        ],
    )
    project = postings.project_of(postings.load(application.recruitment_id))
    events.publish(
        [
            ConsentRefused(
                application_id=application_id,
                project_id=project.project_id,
                project_name=project.name,
                applicant_id=refused.applicant_id,
                decided_by_name=p.display_name,
                owner_ids=membership.owner_ids(project.project_id),
                comment=text,
            )
        ]
    )
    return refused


def pending_for(p: Principal) -> list[Application]:
    """Applications waiting for this person's consent, oldest first. Who consents is resolved now,
    not when the owners proceeded (as _as_head decides): an applicant who moved 所属 meanwhile
    (人事異動, a dated move included) waits for their new 所属長, no longer for the one asked then.
    So for each 所属 they head: the applications asked of it, and those of its staff today."""
    from chalicelib.core.auth import Post
    from chalicelib.directory import service as directory

    storage.bind()
    units = sorted({a.unit_id for a in p.assignments if a.post is Post.HEAD})
    asking = ApplicationRecord.state == ApplicationState.CONSENT_REQUESTED.value
    found: dict[str, Application] = {}
    for unit_id in units:
        records = list(ApplicationRecord.by_consent_unit.query(unit_id, limit=PENDING_MAX))
        for person in directory.staff_in_unit(unit_id):
            records.extend(ApplicationRecord.by_applicant.query(person.staff_id, filter_condition=asking))
        for record in records:
            found.setdefault(record.application_id, application_of(record))
    waiting = [
        a
        for a in found.values()
        if a.applicant_id != p.staff_id
        and a.state is ApplicationState.CONSENT_REQUESTED
        and p.staff_id in applications.head_ids(a.applicant_id)
    ]
    return sorted(waiting, key=lambda a: a.requested_at or "")
