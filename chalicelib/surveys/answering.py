"""Answering a survey (回答所属): one answer per 所属, edited by its members, approved by its 所属長.

Every change is a conditional write on the answer's state (and, for edits, its revision), so
two people acting at once never both win: the second gets a 409 and reloads. Each change leaves
a history entry saying who did what (and, for edits, which questions changed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.core.storage import get_or_none, update_if
from chalicelib.directory import service as directory
from chalicelib.surveys import access, answer_files, answers, invitations, outside, storage
from chalicelib.surveys.access import Standing
from chalicelib.surveys.answers import AnswerError
from chalicelib.surveys.model import (
    Actor,
    Answer,
    HistoryEntry,
    Part,
    Survey,
    answer_key,
    answer_of,
    event_key,
    history_of,
    now,
    part_of,
)
from chalicelib.surveys.states import ANSWERED, EDITABLE, AnswerState, SurveyState, is_late
from chalicelib.surveys.storage import AnswerRecord, HistoryRecord, PartRecord

COMMENT_MAX = 2000
VISIBLE_TO_ISSUER = frozenset({"submitted", "approved", "not_applicable", "returned", "reopen_allowed", "reopened"})
MAX_VALUES_BYTES = 350_000  # a DynamoDB item holds 400 KB; the rest is the answer's own fields


@dataclass(frozen=True)
class AnswerView:
    survey: Survey
    answer: Answer
    parts: tuple[Part, ...]
    history: tuple[HistoryEntry, ...]
    issuer: bool  # the viewer is of the 照会元 (reads, returns, allows a reopen)
    member: bool  # the viewer belongs to the answering 所属 (edits, submits)
    coordinator: bool  # 取りまとめ担当 or 所属長 of the answering 所属
    head: bool  # 所属長 of the answering 所属 (approves)


@dataclass(frozen=True)
class Saved:
    answer: Answer
    errors: tuple[AnswerError, ...]  # type problems the draft still has (kept as typed)


def _record(survey_id: str, unit_id: str) -> AnswerRecord:
    storage.bind()
    record = get_or_none(AnswerRecord, survey_id, unit_id, consistent_read=True)
    if record is None:
        raise NotFound("There is no answer of {unit_id} to this survey.", unit_id=unit_id)
    return record


def record_history(survey_id: str, unit_id: str, p: Actor, action: str, **extra: Any) -> None:
    at = now()
    HistoryRecord(
        answer_key(survey_id, unit_id),
        event_key(at),
        action=action,
        actor_id=p.staff_id,
        actor_name=p.display_name,
        fields=list(extra.get("fields") or []),
        comment=str(extra.get("comment") or ""),
        at=at,
    ).save()


def view(p: Principal, survey_id: str, unit_id: str) -> AnswerView:
    found = access.for_unit(p, survey_id, unit_id)
    record = _record(survey_id, unit_id)
    key = answer_key(survey_id, unit_id)
    parts = tuple(part_of(r) for r in PartRecord.query(key))
    history = tuple(history_of(r) for r in HistoryRecord.query(key) if not r.event_key.startswith("reminder#"))
    member = found.answers_for(unit_id)
    answer = answer_of(record)
    if not member and answer.state not in ANSWERED:
        # The 照会元 sees an answer once it has reached them; until then a draft, its parts
        # and their edits are the 所属's own work. The state and who touched it last stay.
        answer = replace(answer, values={}, previous=None, changed=())
        parts, history = (), tuple(h for h in history if h.action in VISIBLE_TO_ISSUER)
    return AnswerView(
        found.survey,
        answer,
        parts,
        history,
        issuer=found.issuer,
        member=member,
        coordinator=member and access.coordinates(p, unit_id),
        head=member and access.heads(p, unit_id),
    )


def _as_member(p: Principal, survey_id: str, unit_id: str) -> Standing:
    found = access.for_unit(p, survey_id, unit_id)
    if not found.answers_for(unit_id):
        raise NotFound("There is no answer of {unit_id} to this survey.", unit_id=unit_id)
    return found


def accepting(survey: Survey) -> None:
    if survey.state is SurveyState.CLOSED:
        raise Conflict("This survey is closed: it no longer takes answers.")


def _values_json(values: dict[str, Any]) -> str:
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode("utf-8")) > MAX_VALUES_BYTES:
        raise BadRequest("The answer is too large to store. Split long tables or attach a file.")
    return text


def save(p: Principal, survey_id: str, unit_id: str, raw: dict[str, Any], revision: int) -> Saved:
    """Autosave of the draft: typed values are kept even if the answer is not complete yet."""
    found = _as_member(p, survey_id, unit_id)
    accepting(found.survey)
    return write_draft(found.survey, unit_id, raw, revision, p)


def write_draft(survey: Survey, unit_id: str, raw: dict[str, Any], revision: int, actor: Actor) -> Saved:
    """The draft's write, once the caller has found `actor` may make it (a member of the 所属 here,
    an outside organisation's contact in respond.py)."""
    survey_id = survey.survey_id
    before = answer_of(_record(survey_id, unit_id))
    cleaned = answers.clean_answer(survey.form, raw, submit=False)
    reader = actor if isinstance(actor, Principal) else None  # an outside organisation reads nothing in Kumo
    folder_id = answer_files.folder_of(survey_id, unit_id)
    values = answer_files.check_attachable(survey, folder_id, before.values, cleaned.values, reader)
    next_state = AnswerState.RETURNED if before.state is AnswerState.RETURNED else AnswerState.DRAFT
    at = now()
    saved = update_if(
        AnswerRecord(survey_id, unit_id),
        [
            AnswerRecord.values_json.set(_values_json(values)),
            AnswerRecord.state.set(next_state.value),
            AnswerRecord.updated_by.set(actor.staff_id),
            AnswerRecord.updated_by_name.set(actor.display_name),
            AnswerRecord.updated_at.set(at),
            AnswerRecord.revision.add(1),
        ],
        (AnswerRecord.revision == revision) & AnswerRecord.state.is_in(*[s.value for s in EDITABLE]),
    )
    if not saved:
        raise Conflict("Someone else changed this answer in the meantime. Reload it to see their changes.")
    changed = sorted({c.split("[")[0] for c in answers.changed_cells(before.values, values)})
    if changed:
        record_history(survey_id, unit_id, actor, "edited", fields=changed)
    return Saved(answer_of(_record(survey_id, unit_id)), tuple(cleaned.errors))


def _move(
    survey_id: str,
    unit_id: str,
    allowed: set[AnswerState],
    actions: list[Any],
    *,
    revision: int | None = None,
    extra_condition: Any = None,
) -> None:
    condition = AnswerRecord.state.is_in(*[s.value for s in allowed])
    if revision is not None:
        condition = condition & (AnswerRecord.revision == revision)
    if extra_condition is not None:
        condition = condition & extra_condition
    storage.bind()
    if not update_if(AnswerRecord(survey_id, unit_id), [*actions, AnswerRecord.revision.add(1)], condition):
        raise Conflict("The answer has changed in the meantime. Reload it and try again.")


def not_applicable(p: Principal, survey_id: str, unit_id: str, revision: int) -> Answer:
    """「該当なし」 in one click, by the 取りまとめ担当 or the 所属長: it reaches the 照会元 at once."""
    found = _as_member(p, survey_id, unit_id)
    accepting(found.survey)
    if not access.coordinates(p, unit_id):
        raise BadRequest("Only the unit's coordinator or head can answer that nothing applies.")
    return mark_not_applicable(found.survey, unit_id, revision, p)


def mark_not_applicable(survey: Survey, unit_id: str, revision: int, actor: Actor) -> Answer:
    """The 「該当なし」 step itself, once the caller has checked who may take it (a 所属's
    coordinator, or an outside organisation's verified contact: respond.py)."""
    at = now()
    late = is_late(at, survey.deadline)
    _move(
        survey.survey_id,
        unit_id,
        set(EDITABLE),
        [
            AnswerRecord.state.set(AnswerState.NOT_APPLICABLE.value),
            AnswerRecord.submitted_at.set(at),
            AnswerRecord.submitted_by.set(actor.staff_id),
            AnswerRecord.approved_at.set(at),
            AnswerRecord.approved_by_name.set(actor.display_name),
            AnswerRecord.late.set(late),
            AnswerRecord.updated_by.set(actor.staff_id),
            AnswerRecord.updated_by_name.set(actor.display_name),
            AnswerRecord.updated_at.set(at),
        ],
        revision=revision,
    )
    record_history(survey.survey_id, unit_id, actor, "not_applicable")
    _announce_reached(survey, unit_id, actor.display_name, late=late, not_applicable=True)
    return answer_of(_record(survey.survey_id, unit_id))


def _approvers(unit_id: str, named: str | None, submitter: Principal) -> list[str]:
    if named:
        person = directory.find_staff(named)
        if person is None or not person.principal().belongs_to(unit_id):
            raise BadRequest("The approver must be a member of the answering unit.", field="approver_id")
        return [person.staff_id]
    return [s.staff_id for s in directory.heads_of(unit_id) if s.staff_id != submitter.staff_id]


def submit(p: Principal, survey_id: str, unit_id: str, revision: int, approver_id: str | None = None) -> Answer:
    """Check the answer in full and send it to the 所属長 (or the named approver). A 所属長 who
    submits their own 所属's answer, or a 所属 without one, sends it straight to the 照会元."""
    found = _as_member(p, survey_id, unit_id)
    accepting(found.survey)
    return hand_in(found.survey, unit_id, revision, p, _approvers(unit_id, approver_id, p))


def complete_values(survey: Survey, answer: Answer) -> dict[str, Any]:
    """The answer's values, checked in full as a submission needs them; else a BadRequest that
    lists every problem (the pages show each at its question)."""
    cleaned = answers.clean_answer(survey.form, answer.values, submit=True)
    if cleaned.errors:
        first = cleaned.errors[0]
        raise BadRequest(
            "The answer is not complete: {count} problem(s), the first in {question}.",
            field="values",
            count=len(cleaned.errors),
            question=survey.form.question(first.question_id).label,
            errors=[
                {"question_id": e.question_id, "column_id": e.column_id, "row": e.row, "message": e.message}
                for e in cleaned.errors
            ],
        )
    return cleaned.values


def hand_in(survey: Survey, unit_id: str, revision: int, actor: Actor, approvers: list[str]) -> Answer:
    """Submit the answer: to the first of `approvers`, or with none straight to the 照会元 (an
    outside organisation's answer always goes straight: it has no 所属長 in Kumo)."""
    survey_id = survey.survey_id
    record = answer_of(_record(survey_id, unit_id))
    values = complete_values(survey, record)
    answer_files.refuse_unready(survey, values)
    changed = answers.changed_cells(record.previous, values) if record.previous is not None else []
    at = now()
    direct = not approvers
    state = AnswerState.SUBMITTED if direct else AnswerState.PENDING_APPROVAL
    actions = [
        AnswerRecord.state.set(state.value),
        AnswerRecord.values_json.set(_values_json(values)),
        AnswerRecord.changed.set(changed),  # type: ignore[arg-type]  # pynamodb types items as attributes
        AnswerRecord.submitted_at.set(at),
        AnswerRecord.submitted_by.set(actor.staff_id),
        AnswerRecord.approver_id.set(approvers[0] if approvers else actor.staff_id),
        AnswerRecord.return_comment.remove(),
        AnswerRecord.updated_by.set(actor.staff_id),
        AnswerRecord.updated_by_name.set(actor.display_name),
        AnswerRecord.updated_at.set(at),
    ]
    late = is_late(at, survey.deadline)
    if direct:
        actions += [
            AnswerRecord.approved_at.set(at),
            AnswerRecord.approved_by_name.set(actor.display_name),
            AnswerRecord.late.set(late),
        ]
    _move(survey_id, unit_id, set(EDITABLE), actions, revision=revision)
    record_history(survey_id, unit_id, actor, "submitted", fields=changed)
    if direct:
        _announce_reached(survey, unit_id, actor.display_name, late=late, not_applicable=False)
    else:
        events.publish(
            [
                event_catalogue.AnswerSubmitted(
                    survey_id=survey_id,
                    number=survey.number or "",
                    title=survey.title,
                    unit_id=unit_id,
                    approver_ids=approvers,
                    submitted_by=actor.staff_id,
                    submitted_by_name=actor.display_name,
                )
            ]
        )
    return answer_of(_record(survey_id, unit_id))


def _announce_reached(survey: Survey, unit_id: str, by_name: str, *, late: bool, not_applicable: bool) -> None:
    events.publish(
        [
            event_catalogue.AnswerApproved(
                survey_id=survey.survey_id,
                number=survey.number or "",
                title=survey.title,
                unit_id=unit_id,
                issuer_unit_id=survey.issuer_unit_id,
                contact_staff_id=survey.contact_staff_id,
                late=late,
                not_applicable=not_applicable,
                approved_by_name=by_name,
            )
        ]
    )


def approve(p: Principal, survey_id: str, unit_id: str) -> Answer:
    """The 所属長 (or the named approver) approves: the answer reaches the 照会元."""
    found = _as_member(p, survey_id, unit_id)
    record = answer_of(_record(survey_id, unit_id))
    if not (access.heads(p, unit_id) or record.approver_id == p.staff_id):
        raise BadRequest("Only the unit's head or the named approver can approve this answer.")
    at = now()
    late = is_late(at, found.survey.deadline)
    _move(
        survey_id,
        unit_id,
        {AnswerState.PENDING_APPROVAL},
        [
            AnswerRecord.state.set(AnswerState.SUBMITTED.value),
            AnswerRecord.approved_at.set(at),
            AnswerRecord.approved_by_name.set(p.display_name),
            AnswerRecord.late.set(late),
            AnswerRecord.updated_by.set(p.staff_id),
            AnswerRecord.updated_by_name.set(p.display_name),
            AnswerRecord.updated_at.set(at),
        ],
    )
    record_history(survey_id, unit_id, p, "approved")
    _announce_reached(found.survey, unit_id, p.display_name, late=late, not_applicable=False)
    return answer_of(_record(survey_id, unit_id))


def return_answer(p: Principal, survey_id: str, unit_id: str, comment: str) -> Answer:
    """差戻し with a comment: by the approver (while it awaits approval) or by the 照会元 (once it
    has reached them). The 所属 edits it and submits it again."""
    found = access.for_unit(p, survey_id, unit_id)
    record = answer_of(_record(survey_id, unit_id))
    comment = (comment or "").strip()
    if not comment:
        raise BadRequest("Say what should change (a comment is needed to return an answer).", field="comment")
    if len(comment) > COMMENT_MAX:
        raise BadRequest("The comment is too long (at most {limit} characters).", field="comment", limit=COMMENT_MAX)
    approver = found.answers_for(unit_id) and (access.heads(p, unit_id) or record.approver_id == p.staff_id)
    if approver and record.state is AnswerState.PENDING_APPROVAL:
        allowed, by_issuer = {AnswerState.PENDING_APPROVAL}, False
    elif found.issuer:
        allowed, by_issuer = {AnswerState.SUBMITTED, AnswerState.NOT_APPLICABLE}, True
    else:
        raise BadRequest("Only the approver or the issuing unit can return this answer.")
    _move(
        survey_id,
        unit_id,
        allowed,
        [
            AnswerRecord.state.set(AnswerState.RETURNED.value),
            AnswerRecord.return_comment.set(comment),
            AnswerRecord.updated_by.set(p.staff_id),
            AnswerRecord.updated_by_name.set(p.display_name),
            AnswerRecord.updated_at.set(now()),
        ],
    )
    record_history(survey_id, unit_id, p, "returned", comment=comment)
    survey = found.survey
    if outside.is_external(unit_id):
        invitations.tell_returned(survey, unit_id, comment)
    events.publish(
        [
            event_catalogue.AnswerReturned(
                survey_id=survey_id,
                number=survey.number or "",
                title=survey.title,
                unit_id=unit_id,
                comment=comment,
                returned_by=p.staff_id,
                returned_by_name=p.display_name,
                by_issuer=by_issuer,
            )
        ]
    )
    return answer_of(_record(survey_id, unit_id))


def allow_reopen(p: Principal, survey_id: str, unit_id: str) -> Answer:
    """The 照会元 lets a 所属 take back an answer that reached them, until the deadline."""
    survey = access.as_issuer(p, survey_id)
    if now() >= survey.deadline:
        raise Conflict("The deadline has passed: return the answer with a comment instead.")
    _move(
        survey_id,
        unit_id,
        {AnswerState.SUBMITTED, AnswerState.NOT_APPLICABLE},
        [AnswerRecord.reopen_allowed.set(True)],
    )
    record_history(survey_id, unit_id, p, "reopen_allowed")
    return answer_of(_record(survey_id, unit_id))


def reopen(p: Principal, survey_id: str, unit_id: str) -> Answer:
    found = _as_member(p, survey_id, unit_id)
    return take_back(found.survey, unit_id, p, with_leave=True)


def take_back(survey: Survey, unit_id: str, actor: Actor, *, with_leave: bool) -> Answer:
    """An answer that reached the 照会元 goes back to draft, before the deadline of an open
    survey. A 所属 needs the 照会元's leave (`with_leave`: allow_reopen); an outside organisation
    may take its own back until the deadline, then submits it again."""
    accepting(survey)
    if now() >= survey.deadline:
        raise Conflict("The deadline has passed: ask the issuing unit to return the answer.")
    leave = AnswerRecord.reopen_allowed == True  # noqa: E712 - a pynamodb condition
    _move(
        survey.survey_id,
        unit_id,
        {AnswerState.SUBMITTED, AnswerState.NOT_APPLICABLE},
        [AnswerRecord.state.set(AnswerState.DRAFT.value), AnswerRecord.reopen_allowed.set(False)],
        extra_condition=leave if with_leave else None,
    )
    record_history(survey.survey_id, unit_id, actor, "reopened")
    return answer_of(_record(survey.survey_id, unit_id))


@dataclass(frozen=True)
class ToAnswer:
    survey: Survey
    answer: Answer


def to_answer(p: Principal, *, at: datetime | None = None) -> list[ToAnswer]:
    """Every issued survey a 所属 of the principal must answer, soonest deadline first."""
    storage.bind()
    found: list[ToAnswer] = []
    for unit_id in sorted(p.units):
        for record in AnswerRecord.by_unit.query(unit_id):
            try:
                standing = access.for_unit(p, record.survey_id, unit_id)
            except NotFound:
                continue
            found.append(ToAnswer(standing.survey, answer_of(record)))
    return sorted(found, key=lambda t: (t.survey.state is SurveyState.CLOSED, t.answer.deadline))
