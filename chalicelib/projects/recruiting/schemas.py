"""The JSON API's request and answer types for recruiting (the contract: chalicelib/core/contract.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict


@dataclass(frozen=True)
class RecruitmentIn:
    """A new 公募 of a project you manage."""

    project_id: str
    title: str
    needs: str = ""  # what the project needs of the people it takes
    tags: list[str] = field(default_factory=list)  # skills and 資格, at most 10
    share_percent: int = 20  # expected share of working time (%)
    period_start: str = field(default="", metadata={"doc": "ISO date"})
    period_end: str = field(default="", metadata={"doc": "ISO date"})
    positions: int = 1
    deadline: str = field(default="", metadata={"doc": "ISO date (JST): applications until the end of that day"})


@dataclass(frozen=True)
class RecruitmentQuery:
    tag: str | None = None
    share: str | None = field(default=None, metadata={"doc": "at most this share (%)"})
    department: str | None = field(default=None, metadata={"doc": "the project's 部局 id"})
    q: str | None = field(default=None, metadata={"doc": "words in the title, needs, tags or the project"})


@dataclass(frozen=True)
class ApplyIn:
    message: str = ""


@dataclass(frozen=True)
class DecisionIn:
    """An owner's or a 所属長's comment: optional to proceed, needed to decline or refuse."""

    comment: str = ""


@dataclass(frozen=True)
class ConsentIn:
    comment: str = ""
    override: bool = False  # consent over the person's cap (needs override_reason)
    override_reason: str = ""


@dataclass(frozen=True)
class ActualsMonthQuery:
    month: str | None = field(default=None, metadata={"doc": "YYYY-MM; none: last month"})


@dataclass(frozen=True)
class ActualIn:
    actual_percent: int | None = None  # the share actually given (%)
    actual_hours: float | None = None  # or the hours


@dataclass(frozen=True)
class CapIn:
    cap_percent: int


@dataclass(frozen=True)
class LockIn:
    locked_through: str | None = None  # YYYY-MM: 実績 up to it are final; null: nothing locked


@dataclass(frozen=True)
class PeriodQuery:
    first: str | None = field(default=None, metadata={"name": "from", "doc": "YYYY-MM"})
    last: str | None = field(default=None, metadata={"name": "to", "doc": "YYYY-MM"})


@dataclass(frozen=True)
class TimeShareExportQuery:
    first: str | None = field(default=None, metadata={"name": "from", "doc": "YYYY-MM"})
    last: str | None = field(default=None, metadata={"name": "to", "doc": "YYYY-MM"})
    format: str | None = field(default=None, metadata={"doc": "xlsx (default) or csv"})
    encoding: str | None = field(default=None, metadata={"doc": "csv: utf-8 (default, with BOM) or cp932"})


class RecruitmentOut(TypedDict):
    id: str
    project_id: str
    project_name: str
    project_description: str
    project_unit_name: str
    project_department_id: str
    project_department_name: str
    title: str
    needs: str
    tags: list[str]
    share_percent: int
    period_start: str
    period_end: str
    positions: int
    filled: int
    deadline: str
    state: str
    takes_applications: bool
    created_by_name: str
    created_at: str
    manages: bool  # you run its project: you may close or withdraw it
    my_application_id: str | None
    my_application_state: str | None


class RecruitmentsOut(TypedDict):
    items: list[RecruitmentOut]


class CapCheckOut(TypedDict):
    committed_percent: int
    cap_percent: int
    total_percent: int
    over: bool


class ApplicationOut(TypedDict):
    id: str
    recruitment_id: str
    recruitment_title: str
    project_id: str
    project_name: str
    applicant_id: str
    applicant_name: str
    applicant_unit_name: str
    message: str
    state: str
    applied_at: str
    share_percent: int
    decided_by_name: str | None
    decided_at: str | None
    owner_comment: str | None
    requested_at: str | None
    over_cap: bool
    consent_by_name: str | None
    consent_at: str | None
    consent_comment: str | None
    override_reason: str | None
    as_applicant: bool
    as_owner: bool
    as_head: bool
    cap: CapCheckOut | None  # for the 所属長 while consent is pending


class ApplicationsOut(TypedDict):
    items: list[ApplicationOut]


class MyApplicationsOut(TypedDict):
    mine: list[ApplicationOut]
    to_review: list[ApplicationOut]  # waiting for your decision as a project owner
    to_consent: list[ApplicationOut]  # waiting for your consent as 所属長


class ActualRowOut(TypedDict):
    project_id: str
    project_name: str
    plan_percent: int
    period_start: str
    period_end: str
    actual_percent: int | None
    actual_hours: float | None
    recorded_at: str | None
    editable: bool
    closed_because: str | None


class ActualsOut(TypedDict):
    month: str
    rows: list[ActualRowOut]
    months: list[str]
    locked_through: str | None


class RecordedOut(TypedDict):
    month: str
    actual_percent: int | None
    actual_hours: float | None


class CommitmentOut(TypedDict):
    project_id: str
    project_name: str
    share_percent: int
    period_start: str
    period_end: str
    counting: bool
    over_cap: bool
    override_reason: str | None
    consented_by_name: str
    consented_at: str
    actuals: list[RecordedOut]


class StaffTimeOut(TypedDict):
    staff_id: str
    display_name: str
    unit_name: str
    committed_percent: int
    cap_percent: int
    commitments: list[CommitmentOut]


class StaffTimesOut(TypedDict):
    items: list[StaffTimeOut]


class UnitCapOut(TypedDict):
    unit_id: str
    unit_name: str
    cap_percent: int
    updated_by_name: str
    updated_at: str


class CapSettingsOut(TypedDict):
    default_percent: int
    units: list[UnitCapOut]
    locked_through: str | None


class TimeShareCp932ProblemOut(TypedDict):
    where: str
    char: str
    codepoint: str


class TimeShareCp932Out(TypedDict):
    problems: list[TimeShareCp932ProblemOut]
