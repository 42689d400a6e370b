"""Fan-out inside a 所属: the 取りまとめ担当 asks some 係 (or named staff) for their part, they
fill it in and send it back, and the 取りまとめ担当 merges the parts into the 所属's answer
(table rows appended, each marked with the part it came from) and edits the result.

A part is addressed to a 係 ("unit:<id>": any member of it may fill it in) or to a person
("staff:<id>"). Parts are keyed by their assignee, so forwarding twice to the same 係 is one part.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.core.storage import get_or_none, save_if_absent, update_if
from chalicelib.directory import service as directory
from chalicelib.surveys import access, answer_files, answering, answers, storage
from chalicelib.surveys.answers import AnswerError
from chalicelib.surveys.model import Part, Survey, answer_key, answer_of, now, part_of, survey_of
from chalicelib.surveys.states import EDITABLE, AnswerState
from chalicelib.surveys.storage import AnswerRecord, PartRecord

MAX_PARTS = 50
NOTE_MAX = 1000


class PartState:
    REQUESTED = "requested"
    DRAFT = "draft"
    RETURNED = "returned"  # sent back to the 取りまとめ担当
    MERGED = "merged"


def _assignee(unit_id: str, key: str) -> str:
    """The assignee's display name, after checking they belong under the answering 所属."""
    kind, _, ident = key.partition(":")
    if kind == "unit":
        try:
            section = directory.get_unit(ident)
        except NotFound:
            raise BadRequest("There is no unit {unit_id}.", field="assignees", unit_id=ident) from None
        if section.parent_id != unit_id:
            raise BadRequest("Forward only to sections of the answering unit.", field="assignees")
        return str(section.name_ja)
    if kind == "staff":
        person = directory.find_staff(ident)
        if person is None or not person.principal().belongs_to(unit_id):
            raise BadRequest("Forward only to members of the answering unit.", field="assignees")
        return person.display_name
    raise BadRequest("Name each assignee as unit:<id> or staff:<id>.", field="assignees")


def forward(
    p: Principal, survey_id: str, unit_id: str, *, assignees: list[str], note: str = "", question_ids: list[str]
) -> list[Part]:
    found = access.for_unit(p, survey_id, unit_id)
    if not found.answers_for(unit_id) or not access.coordinates(p, unit_id):
        raise BadRequest("Only the unit's coordinator or head can forward the survey.")
    answering.accepting(found.survey)
    if not assignees or len(assignees) > MAX_PARTS:
        raise BadRequest("Choose between 1 and {limit} sections or people.", field="assignees", limit=MAX_PARTS)
    if len(note) > NOTE_MAX:
        raise BadRequest("The note is too long (at most {limit} characters).", field="note", limit=NOTE_MAX)
    known = {q.question_id for q in found.survey.form.answerable}
    if any(q not in known for q in question_ids):
        raise BadRequest("Pick questions of this survey.", field="question_ids")
    names = {key: _assignee(unit_id, key) for key in dict.fromkeys(assignees)}
    key = answer_key(survey_id, unit_id)
    storage.bind()
    at = now()
    for assignee_key, name in names.items():
        save_if_absent(
            PartRecord(
                key,
                assignee_key,
                assignee_key=assignee_key,
                assignee_name=name,
                survey_id=survey_id,
                unit_id=unit_id,
                question_ids=list(question_ids),
                note=note.strip(),
                state=PartState.REQUESTED,
                requested_by=p.staff_id,
                requested_at=at,
                revision=0,
            ),
            PartRecord.part_id,
        )
    answering.record_history(survey_id, unit_id, p, "forwarded", fields=list(names.values()))
    survey = found.survey
    events.publish(
        [
            event_catalogue.SurveyForwarded(
                survey_id=survey_id,
                number=survey.number or "",
                title=survey.title,
                unit_id=unit_id,
                assignee_keys=list(names),
                forwarded_by=p.staff_id,
                forwarded_by_name=p.display_name,
                note=note.strip(),
            )
        ]
    )
    return [part_of(r) for r in PartRecord.query(key)]


def assigned_to(p: Principal, assignee_key: str) -> bool:
    kind, _, ident = assignee_key.partition(":")
    return (kind == "staff" and ident == p.staff_id) or (kind == "unit" and p.belongs_to(ident))


@dataclass(frozen=True)
class PartView:
    survey: Survey
    part: Part


def _part(p: Principal, survey_id: str, unit_id: str, part_id: str) -> tuple[PartView, PartRecord]:
    storage.bind()
    record = get_or_none(PartRecord, answer_key(survey_id, unit_id), part_id, consistent_read=True)
    if record is None or not (assigned_to(p, record.assignee_key) or p.belongs_to(unit_id)):
        raise NotFound("There is no such part of this answer.")
    survey = access.load_record(survey_id)
    if survey is None:
        raise NotFound("There is no such part of this answer.")

    return PartView(survey_of(survey), part_of(record)), record


def view_part(p: Principal, survey_id: str, unit_id: str, part_id: str) -> PartView:
    return _part(p, survey_id, unit_id, part_id)[0]


def save_part(
    p: Principal, survey_id: str, unit_id: str, part_id: str, *, raw: dict[str, Any], revision: int
) -> tuple[Part, tuple[AnswerError, ...]]:
    found, record = _part(p, survey_id, unit_id, part_id)
    if not assigned_to(p, record.assignee_key):
        raise NotFound("There is no such part of this answer.")
    answering.accepting(found.survey)
    form = found.survey.form
    if found.part.question_ids:
        form = form.with_questions(tuple(q for q in form.questions if q.question_id in found.part.question_ids))
    cleaned = answers.clean_answer(form, raw, submit=False)
    folder = answer_files.folder_of(survey_id, unit_id)
    values = answer_files.check_attachable(found.survey, folder, found.part.values, cleaned.values, p)
    saved = update_if(
        PartRecord(record.answer_key, part_id),
        [
            PartRecord.values_json.set(json.dumps(values, ensure_ascii=False)),
            PartRecord.state.set(PartState.DRAFT),
            PartRecord.updated_by.set(p.staff_id),
            PartRecord.updated_by_name.set(p.display_name),
            PartRecord.updated_at.set(now()),
            PartRecord.revision.add(1),
        ],
        (PartRecord.revision == revision) & PartRecord.state.is_in(PartState.REQUESTED, PartState.DRAFT),
    )
    if not saved:
        raise Conflict("This part has changed or was already sent back. Reload it.")
    return view_part(p, survey_id, unit_id, part_id).part, tuple(cleaned.errors)


def send_back(p: Principal, survey_id: str, unit_id: str, part_id: str) -> Part:
    _, record = _part(p, survey_id, unit_id, part_id)
    if not assigned_to(p, record.assignee_key):
        raise NotFound("There is no such part of this answer.")
    if not update_if(
        PartRecord(record.answer_key, part_id),
        [PartRecord.state.set(PartState.RETURNED), PartRecord.updated_at.set(now())],
        PartRecord.state.is_in(PartState.REQUESTED, PartState.DRAFT),
    ):
        raise Conflict("This part was already sent back.")
    answering.record_history(survey_id, unit_id, p, "part_sent", fields=[record.assignee_name])
    return view_part(p, survey_id, unit_id, part_id).part


def merge(p: Principal, survey_id: str, unit_id: str, revision: int) -> answering.Saved:
    """Merge every part sent back into the 所属's draft; the parts are then marked merged."""
    found = access.for_unit(p, survey_id, unit_id)
    if not found.answers_for(unit_id) or not access.coordinates(p, unit_id):
        raise BadRequest("Only the unit's coordinator or head can merge the parts.")
    key = answer_key(survey_id, unit_id)
    storage.bind()
    ready = [r for r in PartRecord.query(key, consistent_read=True) if r.state == PartState.RETURNED]
    if not ready:
        raise Conflict("No part has been sent back yet.")
    current = get_or_none(AnswerRecord, survey_id, unit_id, consistent_read=True)
    if current is None or AnswerState(current.state) not in EDITABLE:
        raise Conflict("The answer has been submitted; reopen it before merging.")
    merged = answers.merge_parts(
        found.survey.form,
        answer_of(current).values,
        [(r.assignee_name, json.loads(r.values_json or "{}")) for r in ready],
    )
    saved = answering.save(p, survey_id, unit_id, merged, revision)
    for r in ready:
        update_if(
            PartRecord(key, r.part_id),
            [PartRecord.state.set(PartState.MERGED)],
            PartRecord.state == PartState.RETURNED,
        )
    answering.record_history(survey_id, unit_id, p, "merged", fields=[r.assignee_name for r in ready])
    return saved


def my_parts(p: Principal) -> list[PartView]:
    """Parts waiting for this person or one of their 係."""
    storage.bind()
    keys = [f"staff:{p.staff_id}"] + [f"unit:{a.path[2]}" for a in p.assignments if len(a.path) > 2]
    found: list[PartView] = []
    surveys: dict[str, Survey] = {}

    for assignee_key in dict.fromkeys(keys):
        for r in PartRecord.by_assignee.query(assignee_key):
            if r.survey_id not in surveys:
                record = access.load_record(r.survey_id)
                if record is None:
                    continue
                surveys[r.survey_id] = survey_of(record)
            found.append(PartView(surveys[r.survey_id], part_of(r)))
    return sorted(found, key=lambda v: (v.part.state == PartState.MERGED, v.survey.deadline))
