"""Surveys and answers as the service hands them out, read from their records.

Only this module and the use-case modules of the slice touch the records; every other slice,
page and route gets these frozen dataclasses.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from chalicelib.surveys import outside
from chalicelib.surveys.form import Form, form_from
from chalicelib.surveys.outside import ExternalTarget
from chalicelib.surveys.states import AnswerState, SurveyState
from chalicelib.surveys.storage import AnswerRecord, HistoryRecord, PartRecord, SurveyRecord


def now() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def event_key(at: datetime) -> str:
    """A history key that sorts by time and never collides with another writer's."""
    return f"{at.strftime('%Y%m%dT%H%M%S%fZ')}-{secrets.token_hex(3)}"


def answer_key(survey_id: str, unit_id: str) -> str:
    return f"{survey_id}/{unit_id}"


@dataclass(frozen=True)
class Attachment:
    """A file sent with a survey (a 様式, 記入要領): a copy in the survey's own area (attachments.py)."""

    attachment_id: str
    name: str
    size: int
    content_type: str
    source_file_id: str  # the Kumo file it was copied from, as the issuer picked it
    added_by_name: str
    added_at: str  # ISO


def attachments_from(raw: str | None) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(
            attachment_id=str(a["attachment_id"]),
            name=str(a["name"]),
            size=int(a.get("size") or 0),
            content_type=str(a.get("content_type") or "application/octet-stream"),
            source_file_id=str(a.get("source_file_id") or ""),
            added_by_name=str(a.get("added_by_name") or ""),
            added_at=str(a.get("added_at") or ""),
        )
        for a in json.loads(raw or "[]")
    )


def attachments_json(items: tuple[Attachment, ...]) -> str:
    return json.dumps([asdict(a) for a in items], ensure_ascii=False)


@dataclass(frozen=True)
class Survey:
    survey_id: str
    number: str | None
    title: str
    issuer_unit_id: str
    issuer_department_id: str
    contact_staff_id: str
    contact_name: str
    contact_details: str
    instructions: str
    deadline: datetime
    form: Form
    targets: tuple[str, ...]  # 所属 ids
    attachments: tuple[Attachment, ...]
    state: SurveyState
    issue_at: datetime | None
    remind_days_before: int
    copied_from: str | None
    template_file_id: str | None
    layout_json: str | None
    created_by: str
    created_at: str
    issued_at: datetime | None
    closed_at: datetime | None
    revision: int
    external_targets: tuple[ExternalTarget, ...] = ()

    @property
    def open(self) -> bool:
        return self.state is SurveyState.OPEN

    @property
    def answer_units(self) -> tuple[str, ...]:
        """Who answers it: the target 所属, then the outside organisations (ext:<org id>)."""
        return self.targets + tuple(t.unit_id for t in self.external_targets)

    def external(self, unit_id: str) -> ExternalTarget | None:
        return next((t for t in self.external_targets if t.unit_id == unit_id), None)

    def attachment(self, attachment_id: str) -> Attachment | None:
        return next((a for a in self.attachments if a.attachment_id == attachment_id), None)


def survey_of(r: SurveyRecord) -> Survey:
    return Survey(
        survey_id=r.survey_id,
        number=r.number,
        title=r.title,
        issuer_unit_id=r.issuer_unit_id,
        issuer_department_id=r.issuer_department_id,
        contact_staff_id=r.contact_staff_id,
        contact_name=r.contact_name,
        contact_details=r.contact_details or "",
        instructions=r.instructions or "",
        deadline=r.deadline,
        form=form_from(json.loads(r.form_json or "{}")),
        targets=tuple(str(v) for v in (r.targets or ())),
        attachments=attachments_from(r.attachments_json),
        state=SurveyState(r.state),
        issue_at=r.issue_at,
        remind_days_before=int(r.remind_days_before or 0),
        copied_from=r.copied_from,
        template_file_id=r.template_file_id,
        layout_json=r.layout_json,
        created_by=r.created_by,
        created_at=r.created_at,
        issued_at=r.issued_at,
        closed_at=r.closed_at,
        revision=int(r.revision or 0),
        external_targets=outside.from_json(json.loads(r.external_json or "[]")),
    )


class Actor(Protocol):
    """Who acts on an answer, as its history and fields record them: a staff member (a Principal)
    or an outside organisation's contact (respond.Respondent)."""

    @property
    def staff_id(self) -> str: ...

    @property
    def display_name(self) -> str: ...


@dataclass(frozen=True)
class Answer:
    survey_id: str
    unit_id: str
    department_id: str
    state: AnswerState
    values: dict[str, Any]
    previous: dict[str, Any] | None
    changed: tuple[str, ...]
    revision: int
    updated_by: str | None
    updated_by_name: str | None
    updated_at: datetime | None
    submitted_at: datetime | None
    approver_id: str | None
    approved_at: datetime | None
    approved_by_name: str | None
    late: bool
    return_comment: str | None
    reopen_allowed: bool
    deadline: datetime
    respondent_name: str | None = None  # an outside organisation's name (unit_id ext:<org id>)

    @property
    def external(self) -> bool:
        return outside.is_external(self.unit_id)


def answer_of(r: AnswerRecord) -> Answer:
    return Answer(
        survey_id=r.survey_id,
        unit_id=r.unit_id,
        department_id=r.department_id or "",
        state=AnswerState(r.state),
        values=json.loads(r.values_json or "{}"),
        previous=json.loads(r.previous_json) if r.previous_json else None,
        changed=tuple(str(v) for v in (r.changed or ())),
        revision=int(r.revision or 0),
        updated_by=r.updated_by,
        updated_by_name=r.updated_by_name,
        updated_at=r.updated_at,
        submitted_at=r.submitted_at,
        approver_id=r.approver_id,
        approved_at=r.approved_at,
        approved_by_name=r.approved_by_name,
        late=bool(r.late),
        return_comment=r.return_comment,
        reopen_allowed=bool(r.reopen_allowed),
        deadline=r.deadline,
        respondent_name=r.respondent_name,
    )


@dataclass(frozen=True)
class Part:
    survey_id: str
    unit_id: str
    part_id: str
    assignee_key: str
    assignee_name: str
    question_ids: tuple[str, ...]
    note: str
    state: str  # requested / draft / returned / merged
    values: dict[str, Any]
    revision: int
    updated_by_name: str | None
    updated_at: datetime | None


def part_of(r: PartRecord) -> Part:
    return Part(
        survey_id=r.survey_id,
        unit_id=r.unit_id,
        part_id=r.part_id,
        assignee_key=r.assignee_key,
        assignee_name=r.assignee_name,
        question_ids=tuple(str(v) for v in (r.question_ids or ())),
        note=r.note or "",
        state=r.state,
        values=json.loads(r.values_json or "{}"),
        revision=int(r.revision or 0),
        updated_by_name=r.updated_by_name,
        updated_at=r.updated_at,
    )


@dataclass(frozen=True)
class HistoryEntry:
    action: str
    actor_name: str
    fields: tuple[str, ...]
    comment: str
    at: datetime


def history_of(r: HistoryRecord) -> HistoryEntry:
    return HistoryEntry(r.action, r.actor_name or "", tuple(str(v) for v in (r.fields or ())), r.comment or "", r.at)
