"""Issuing a survey (照会元): draft, check, number, send to 所属, schedule, close, copy.

A survey belongs to its issuing 所属, not to the person who wrote it: any member of that 所属
may edit the draft, issue, chase and close it, and it stays with the 所属 when people move.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.storage import save_if_absent, update_if
from chalicelib.directory import service as directory
from chalicelib.surveys import access, attachments, design, invitations, outside, storage
from chalicelib.surveys.form import Form, form_json
from chalicelib.surveys.model import Survey, new_id, now, survey_of
from chalicelib.surveys.numbers import JST, next_number
from chalicelib.surveys.outside import ExternalTarget
from chalicelib.surveys.states import AnswerState, SurveyState
from chalicelib.surveys.storage import AnswerRecord, SurveyRecord

TITLE_MAX = 200
TEXT_MAX = 10_000
MAX_TARGETS = 500


@dataclass(frozen=True)
class SurveyDraft:
    """What the issuer writes; every field of a draft may be incomplete until it is issued."""

    title: str
    deadline: datetime
    issuer_unit_id: str = ""  # default: the author's main 所属
    instructions: str = ""
    contact_details: str = ""
    targets: tuple[str, ...] = ()  # 所属 ids; a 部局 id stands for all its 所属
    form: Form = field(default_factory=Form)
    remind_days_before: int = 2
    template_file_id: str | None = None
    layout_json: str | None = None
    external_targets: tuple[ExternalTarget, ...] = ()  # organisations outside the prefecture (outside.py)


def _externals_json(draft: SurveyDraft) -> str:
    return json.dumps(outside.to_json(outside.checked(draft.external_targets)), ensure_ascii=False)


def parse_deadline(text: str) -> datetime:
    """「2026-12-20T17:00」 or 「2026-12-20」 (then 17:00), read as JST."""
    raw = (text or "").strip()
    try:
        value = datetime.fromisoformat(raw if "T" in raw or " " in raw else f"{raw}T17:00")
    except ValueError:
        raise BadRequest("Enter the deadline as a date and time.", field="deadline") from None
    return value.replace(tzinfo=JST) if value.tzinfo is None else value


def expand_targets(unit_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The 所属 a survey goes to: a 部局 expands to its 所属; a 係 is not an addressee."""
    chosen: dict[str, None] = {}
    for unit_id in unit_ids:
        unit = directory.find_unit(unit_id)  # the cached tree: a 200-所属 survey is not 200 reads
        if unit is None:
            raise BadRequest("There is no unit {unit_id}.", field="targets", unit_id=unit_id)
        if unit.kind == "kakari":
            raise BadRequest("Send surveys to a 所属, not to a 係: {name}.", field="targets", name=unit.name_ja)
        if unit.kind == "bukyoku":
            below = [u.unit_id for u in directory.units_under(unit_id) if u.kind == "shozoku"]
            chosen.update(dict.fromkeys(below or [unit_id]))
        else:
            chosen[unit_id] = None
    if len(chosen) > MAX_TARGETS:
        raise BadRequest("A survey goes to at most {limit} units.", field="targets", limit=MAX_TARGETS)
    return tuple(chosen)


def _checked_texts(draft: SurveyDraft) -> None:
    if len(draft.title.strip()) > TITLE_MAX:
        raise BadRequest("The title is too long (at most {limit} characters).", field="title", limit=TITLE_MAX)
    for name, value in (("instructions", draft.instructions), ("contact_details", draft.contact_details)):
        if len(value) > TEXT_MAX:
            raise BadRequest("The text is too long (at most {limit} characters).", field=name, limit=TEXT_MAX)
    if not 0 <= draft.remind_days_before <= 30:
        raise BadRequest("Remind between 0 and 30 days before the deadline.", field="remind_days_before")


def _issuer_unit(p: Principal, requested: str) -> str:
    unit_id = requested or p.unit_id
    if not p.belongs_to(unit_id):
        raise BadRequest("You can only issue surveys for a unit you belong to.", field="issuer_unit_id")
    return unit_id


def create(p: Principal, draft: SurveyDraft, *, copied_from: str | None = None) -> Survey:
    _checked_texts(draft)
    unit_id = _issuer_unit(p, draft.issuer_unit_id)
    at = now()
    record = SurveyRecord(
        new_id("sv"),
        title=draft.title.strip(),
        issuer_unit_id=unit_id,
        issuer_department_id=directory.unit_path(unit_id)[0],
        contact_staff_id=p.staff_id,
        contact_name=p.display_name,
        contact_details=draft.contact_details.strip(),
        instructions=draft.instructions.strip(),
        deadline=draft.deadline,
        form_json=json.dumps(form_json(draft.form), ensure_ascii=False),
        targets=list(expand_targets(draft.targets)),
        external_json=_externals_json(draft),
        state=SurveyState.DRAFT.value,
        remind_days_before=draft.remind_days_before,
        copied_from=copied_from,
        template_file_id=draft.template_file_id,
        layout_json=draft.layout_json,
        created_by=p.staff_id,
        created_at=at.isoformat(),
        updated_at=at,
        revision=0,
    )
    storage.bind()
    if not save_if_absent(record, SurveyRecord.survey_id):
        raise Conflict("Two surveys were created at the same moment. Save it again.")
    _draft_saved(p, record.survey_id, record.title, unit_id)
    return survey_of(record)


def _draft_saved(p: Principal, survey_id: str, title: str, unit_id: str) -> None:
    """Search keeps the draft findable by its 所属 (surveys/indexing.py)."""
    events.publish(
        [
            event_catalogue.SurveyDraftSaved(
                survey_id=survey_id, title=title, issuer_unit_id=unit_id, saved_by=p.staff_id
            )
        ]
    )


def update(p: Principal, survey_id: str, draft: SurveyDraft, revision: int) -> Survey:
    """Change a draft; `revision` is the one the editor started from (409 when someone saved since)."""
    survey = access.as_issuer(p, survey_id)
    if survey.state is not SurveyState.DRAFT:
        raise Conflict("This survey has been issued; its questions can no longer change.")
    _checked_texts(draft)
    targets = expand_targets(draft.targets)
    externals = _externals_json(draft)
    record = SurveyRecord(survey_id)
    saved = update_if(
        record,
        [
            SurveyRecord.title.set(draft.title.strip()),
            SurveyRecord.deadline.set(draft.deadline),
            SurveyRecord.instructions.set(draft.instructions.strip()),
            SurveyRecord.contact_details.set(draft.contact_details.strip()),
            SurveyRecord.targets.set(list(targets)),  # type: ignore[arg-type]  # pynamodb types items as attributes
            SurveyRecord.external_json.set(externals),
            SurveyRecord.form_json.set(json.dumps(form_json(draft.form), ensure_ascii=False)),
            SurveyRecord.remind_days_before.set(draft.remind_days_before),
            SurveyRecord.updated_at.set(now()),
            SurveyRecord.revision.add(1),
            *(
                [
                    SurveyRecord.template_file_id.set(draft.template_file_id),
                    SurveyRecord.layout_json.set(draft.layout_json),
                ]
                if draft.template_file_id and draft.layout_json
                else []
            ),
        ],
        (SurveyRecord.revision == revision) & (SurveyRecord.state == SurveyState.DRAFT.value),
    )
    if not saved:
        raise Conflict("Someone else saved this survey in the meantime. Reload it to see their changes.")
    _draft_saved(p, survey_id, draft.title.strip(), survey.issuer_unit_id)
    return access.as_issuer(p, survey_id)


def _ready_to_issue(survey: Survey, at: datetime) -> None:
    if not survey.title:
        raise BadRequest("Enter a title.", field="title")
    if survey.deadline <= at:
        raise BadRequest("The deadline has passed; set a later one.", field="deadline")
    if not survey.answer_units:
        raise BadRequest("Choose at least one unit to send the survey to.", field="targets")
    if not survey.form.answerable:
        raise BadRequest("Add at least one question.", field="form")
    problems = design.check_form(survey.form)
    if problems:
        first = problems[0]
        raise BadRequest(
            first.message,
            field="form",
            question_id=first.question_id,
            problems=[{"message": x.message, "question_id": x.question_id, **x.params} for x in problems],
            **first.params,
        )


def issue(p: Principal, survey_id: str, *, at: datetime | None = None) -> Survey:
    """Send the survey now, or at `at` (the scheduler issues it then)."""
    survey = access.as_issuer(p, survey_id)
    if survey.state not in (SurveyState.DRAFT, SurveyState.SCHEDULED):
        raise Conflict("This survey has already been issued.")
    current = now()
    _ready_to_issue(survey, current)
    if at is not None and at > current + timedelta(minutes=1):
        if at >= survey.deadline:
            raise BadRequest("Issue the survey before its deadline.", field="issue_at")
        storage.bind()
        SurveyRecord(survey_id).update(
            actions=[SurveyRecord.state.set(SurveyState.SCHEDULED.value), SurveyRecord.issue_at.set(at)]
        )
        return access.as_issuer(p, survey_id)
    return _send(survey, current)


def _send(survey: Survey, at: datetime) -> Survey:
    """Number the survey, open one answer per target 所属, announce it. The state change is
    conditional, so a survey issued twice at once (a double click, the scheduler and a person)
    is sent once."""
    storage.bind()
    claimed = update_if(
        SurveyRecord(survey.survey_id),
        [SurveyRecord.state.set(SurveyState.OPEN.value), SurveyRecord.issued_at.set(at)],
        SurveyRecord.state.is_in(SurveyState.DRAFT.value, SurveyState.SCHEDULED.value),
    )
    if not claimed:
        raise Conflict("This survey has already been issued.")
    issuer = directory.find_unit(survey.issuer_unit_id)
    number = next_number(issuer.short_name if issuer else survey.issuer_unit_id, at)
    SurveyRecord(survey.survey_id).update(actions=[SurveyRecord.number.set(number)])
    previous = _previous_answers(survey)
    with AnswerRecord.batch_write() as batch:
        for unit_id in survey.targets:
            before = previous.get(unit_id)
            batch.save(
                AnswerRecord(
                    survey.survey_id,
                    unit_id,
                    department_id=directory.unit_path(unit_id)[0],
                    state=AnswerState.NOT_STARTED.value,
                    values_json=before or "{}",
                    previous_json=before,
                    deadline=survey.deadline,
                    revision=0,
                )
            )
        for target in survey.external_targets:
            before = previous.get(target.unit_id)
            batch.save(
                AnswerRecord(
                    survey.survey_id,
                    target.unit_id,
                    department_id=outside.GROUP,
                    respondent_name=target.name,
                    state=AnswerState.NOT_STARTED.value,
                    values_json=before or "{}",
                    previous_json=before,
                    deadline=survey.deadline,
                    revision=0,
                )
            )
    invitations.invite_all(replace(survey, number=number, state=SurveyState.OPEN))
    events.publish(
        [
            event_catalogue.SurveyIssued(
                survey_id=survey.survey_id,
                number=number,
                title=survey.title,
                issuer_unit_id=survey.issuer_unit_id,
                target_unit_ids=list(survey.targets),
                deadline=survey.deadline.isoformat(),
            )
        ]
    )
    record = access.load_record(survey.survey_id)
    assert record is not None
    return survey_of(record)


def _previous_answers(survey: Survey) -> dict[str, str]:
    """A copied survey's answers that reached the 照会元 last time, by 所属: they pre-fill the
    new answers, and the cells a 所属 changes are marked when it submits."""
    if not survey.copied_from:
        return {}
    return {
        r.unit_id: r.values_json
        for r in AnswerRecord.query(survey.copied_from)
        if r.state == AnswerState.SUBMITTED.value and r.values_json not in (None, "", "{}")
    }


def issue_scheduled(at: datetime) -> int:
    """The scheduler's part: send every scheduled survey whose time has come."""
    storage.bind()
    sent = 0
    for record in SurveyRecord.scan(SurveyRecord.state == SurveyState.SCHEDULED.value):
        if record.issue_at and record.issue_at <= at:
            try:
                _send(survey_of(record), at)
                sent += 1
            except Conflict:
                continue  # someone issued it by hand in the meantime
    return sent


def close(p: Principal, survey_id: str) -> Survey:
    """Stop accepting answers (late ones too). Drafts already written stay readable."""
    survey = access.as_issuer(p, survey_id)
    storage.bind()
    if not update_if(
        SurveyRecord(survey_id),
        [SurveyRecord.state.set(SurveyState.CLOSED.value), SurveyRecord.closed_at.set(now())],
        SurveyRecord.state == SurveyState.OPEN.value,
    ):
        raise Conflict("Only an open survey can be closed.")
    events.publish(
        [
            event_catalogue.SurveyClosed(
                survey_id=survey_id,
                number=survey.number or "",
                title=survey.title,
                issuer_unit_id=survey.issuer_unit_id,
                target_unit_ids=list(survey.targets),
            )
        ]
    )
    return access.as_issuer(p, survey_id)


def copy(p: Principal, survey_id: str) -> Survey:
    """「前回の照会を複製」: a new draft with the same questions and targets, a deadline a week
    after today's date; each 所属's previous answer pre-fills its new one when it is issued."""
    previous = access.as_issuer(p, survey_id)
    draft = SurveyDraft(
        title=previous.title,
        deadline=(now() + timedelta(days=7)).astimezone(JST).replace(hour=17, minute=0, second=0, microsecond=0),
        issuer_unit_id=previous.issuer_unit_id if p.belongs_to(previous.issuer_unit_id) else "",
        instructions=previous.instructions,
        contact_details=previous.contact_details,
        targets=previous.targets,
        form=previous.form,
        remind_days_before=previous.remind_days_before,
        template_file_id=previous.template_file_id,
        layout_json=previous.layout_json,
        external_targets=previous.external_targets,  # the same ids: last time's answers pre-fill theirs
    )
    copied = create(p, draft, copied_from=survey_id)
    return attachments.carry_over(previous, copied)


def issued_by(p: Principal) -> list[Survey]:
    """Surveys of every 所属 the principal belongs to, newest first."""
    storage.bind()
    found: list[Survey] = []
    for unit_id in sorted(p.units):
        found.extend(survey_of(r) for r in SurveyRecord.by_issuer.query(unit_id, scan_index_forward=False))
    return sorted(found, key=lambda s: s.created_at, reverse=True)
