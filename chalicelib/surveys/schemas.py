"""The JSON API's request and answer types for surveys (the contract: chalicelib/core/contract.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict


@dataclass(frozen=True)
class ExternalTargetIn:
    """An organisation outside the prefecture the survey goes to, answering through a link mailed
    to its contact. org_id: the id it was given when the draft was saved (none for a new one)."""

    name: str
    email: str
    org_id: str = ""


@dataclass(frozen=True)
class SurveyIn:
    """A draft survey as the editor sends it (create, or change with `revision`)."""

    title: str
    deadline: str = field(metadata={"doc": "JST, 2026-12-20T17:00 (or a date: 17:00)"})
    instructions: str = ""
    contact_details: str = ""
    targets: list[str] = field(default_factory=list)  # 所属 ids; a 部局 id stands for its 所属
    external_targets: list[ExternalTargetIn] = field(default_factory=list)  # at most 200
    form: dict[str, Any] = field(default_factory=dict)  # {"questions": [...]} (surveys/form.py)
    issuer_unit_id: str = ""
    remind_days_before: int = 2
    template_id: str | None = None  # the 様式 kept by POST /api/surveys/import-form
    layout: dict[str, Any] | None = None  # where answers go in that 様式 (its answer, unchanged)
    revision: int | None = None


@dataclass(frozen=True)
class IssueIn:
    issue_at: str | None = None  # JST date-time; none: now


@dataclass(frozen=True)
class RemindIn:
    unit_ids: list[str] = field(default_factory=list)  # empty: every 所属 that has not answered


@dataclass(frozen=True)
class AnswerIn:
    values: dict[str, Any]
    revision: int


@dataclass(frozen=True)
class RevisionIn:
    revision: int


@dataclass(frozen=True)
class SubmitIn:
    revision: int
    approver_id: str | None = None


@dataclass(frozen=True)
class CommentIn:
    comment: str


@dataclass(frozen=True)
class ForwardIn:
    assignees: list[str]  # "unit:<係 id>" or "staff:<staff id>"
    note: str = ""
    question_ids: list[str] = field(default_factory=list)  # empty: the whole form


@dataclass(frozen=True)
class BoardQuery:
    department: str | None = None


class ExternalTargetOut(TypedDict):
    org_id: str
    name: str
    email: str


class SurveyAttachmentOut(TypedDict):
    """A file sent with the survey; `url` downloads it (the survey's readers only)."""

    id: str
    name: str
    size: int
    url: str


class SurveyOut(TypedDict):
    id: str
    number: str | None
    title: str
    state: str
    issuer_unit_id: str
    issuer_unit_name: str
    contact_name: str
    contact_details: str
    instructions: str
    deadline: str
    issue_at: str | None
    issued_at: str | None
    closed_at: str | None
    targets: list[str]
    external_targets: list[ExternalTargetOut]  # the issuer's view only: empty for the answering units
    attachments: list[SurveyAttachmentOut]
    form: dict[str, Any]
    remind_days_before: int
    copied_from: str | None
    revision: int
    issuer: bool


class AnswerOut(TypedDict):
    survey_id: str
    unit_id: str
    unit_name: str
    state: str
    values: dict[str, Any]
    changed: list[str]
    revision: int
    updated_by_name: str | None
    updated_at: str | None
    submitted_at: str | None
    approved_at: str | None
    approved_by_name: str | None
    late: bool
    return_comment: str | None
    reopen_allowed: bool


class ProblemOut(TypedDict):
    question_id: str
    column_id: str
    row: int | None
    message: str


class SavedOut(TypedDict):
    answer: AnswerOut
    problems: list[ProblemOut]


class PartOut(TypedDict):
    survey_id: str
    unit_id: str
    part_id: str
    assignee_name: str
    question_ids: list[str]
    note: str
    state: str
    values: dict[str, Any]
    revision: int
    updated_by_name: str | None
    updated_at: str | None


class PartsOut(TypedDict):
    items: list[PartOut]


class HistoryOut(TypedDict):
    action: str
    actor_name: str
    fields: list[str]
    comment: str
    at: str


class AnswerViewOut(TypedDict):
    survey: SurveyOut
    answer: AnswerOut
    parts: list[PartOut]
    history: list[HistoryOut]
    member: bool
    coordinator: bool
    head: bool


class SurveysOut(TypedDict):
    issued: list[SurveyOut]
    to_answer: list[AnswerOut]
    parts: list[PartOut]


class BoardRowOut(TypedDict):
    unit_id: str
    unit_name: str
    department_id: str
    department_name: str
    state: str
    updated_by_name: str | None
    updated_at: str | None
    late: bool


class BoardOut(TypedDict):
    survey: SurveyOut
    rows: list[BoardRowOut]
    counts: dict[str, int]
    answered: int
    total: int


class RemindedOut(TypedDict):
    reminded: list[str]


class RespondentSurveyOut(TypedDict):
    """A survey as an outside organisation sees it: what it asks, nothing of who else answers."""

    id: str
    number: str | None
    title: str
    state: str
    issuer_unit_name: str
    contact_name: str
    contact_details: str
    instructions: str
    deadline: str
    form: dict[str, Any]
    attachments: list[SurveyAttachmentOut]  # downloaded through the respondent's session (/r/attachments/…)


class RespondentOut(TypedDict):
    survey: RespondentSurveyOut
    answer: AnswerOut
    editable: bool  # the draft may be changed and submitted
    can_take_back: bool  # a submitted answer may still be changed (open, before the deadline)
    closed: bool


@dataclass(frozen=True)
class ExportQuery:
    format: str | None = field(default=None, metadata={"doc": "xlsx (default) or csv"})
    encoding: str | None = field(default=None, metadata={"doc": "csv: utf-8 (default, with BOM) or cp932"})


class Cp932ProblemOut(TypedDict):
    unit: str
    where: str
    char: str
    codepoint: str


class Cp932Out(TypedDict):
    problems: list[Cp932ProblemOut]


class ImportedFormOut(TypedDict):
    """A draft form read from an Excel 様式: the editor fills itself with it."""

    title: str
    form: dict[str, Any]
    notes: list[str]  # what the reader could not carry over, for the author to check
    template_id: str  # the 様式 as kept for the export: send it back with the draft
    layout: dict[str, Any]  # where answers go in it: send it back with the draft


@dataclass(frozen=True)
class NewAnswerUpload:
    """A file to upload for an answer: it goes into the answer's folder and is malware-scanned."""

    name: str
    size: int
    content_type: str | None = None


@dataclass(frozen=True)
class AttachIn:
    file_id: str  # a Kumo file the issuer can read; the survey keeps a copy (surveys/attachments.py)


class SurveyAttachmentUrlOut(TypedDict):
    url: str  # short-lived
