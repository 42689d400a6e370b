"""Every Kumo domain event: its source, its name on the bus and its detail's fields, once.

Producers construct these (`events.publish([PartnerUploaded(...)])`), the bus rules in
core/resources.py name them, and the consumers (notifications routing and e-mail, the indexer,
the scanner) parse what the bus delivers back into them. Nothing else spells an event's name.

Why one module in core and not an `events.py` per slice: an event is the contract *between*
slices, like a table name in resources.py, and the bus rules (core/resources.py, read by infra/
and the local bootstrap) must name the events they route. Kept in the slices, core would have
to import features, and every consumer would import its producer (the scanner the sharing
slice, the indexer the scanning slice, notifications nearly everyone), adding edges the
one-way rule forbids. Here it is pure data with no behaviour: every slice may read it, it
imports nothing but core/events.py. The detail carries facts (ids, names, numbers); what a
consumer does with them stays in the consumer.

The wire format: `detail` is the dataclass's fields plus `event_id` and `occurred_at`
(core/events.py adds them), so adding a field with a default is compatible both ways, and
renaming or removing one is a change to every consumer, which mypy and
tests/unit/test_event_catalogue.py find.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chalicelib.core.events import Detail, EventType
from chalicelib.core.project_events import PROJECT_EVENTS

# --- accounts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSignedInFirstTime(Detail):
    EVENT: ClassVar = EventType("accounts", "StaffSignedInFirstTime")
    staff_id: str
    department_id: str
    display_name: str


# --- directory ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentNoticePosted(Detail):
    EVENT: ClassVar = EventType("directory", "DepartmentNoticePosted")
    department_id: str
    notice_id: str
    title: str
    author_id: str
    author_name: str


# --- files --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileUploaded(Detail):
    """A staff member stored a new file or version (a partner's upload is PartnerUploaded)."""

    EVENT: ClassVar = EventType("files", "FileUploaded")
    file_id: str
    name: str
    space_id: str
    folder_id: str
    version: int
    size: int
    uploaded_by: str
    by_partner: bool
    s3_key: str = ""  # the version's object, for the scanner
    scan_required: bool = False  # it waits for a malware verdict (a staff upload to a survey answer)


@dataclass(frozen=True)
class FileChanged(Detail):
    """An entry's name, place, visibility or state changed. Only which entry and what kind of
    change: a consumer reads the entry's current state itself."""

    EVENT: ClassVar = EventType("files", "FileChanged")
    file_id: str
    kind: str  # "file" or "folder"
    space_id: str
    change: str  # e.g. "renamed", "moved", "trashed"; the indexer's fan-out says "folder_changed"


# --- sharing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareLinkCreated(Detail):
    EVENT: ClassVar = EventType("sharing", "ShareLinkCreated")
    link_id: str
    kind: str
    target_id: str
    owner_id: str
    space_id: str
    expires_at: str  # ISO 8601


@dataclass(frozen=True)
class ShareLinkRevoked(Detail):
    EVENT: ClassVar = EventType("sharing", "ShareLinkRevoked")
    link_id: str
    owner_id: str
    revoked_by: str


@dataclass(frozen=True)
class ShareLinkAccessed(Detail):
    EVENT: ClassVar = EventType("sharing", "ShareLinkAccessed")
    link_id: str
    owner_id: str
    target_id: str


@dataclass(frozen=True)
class ShareLinkExpiringSoon(Detail):
    EVENT: ClassVar = EventType("sharing", "ShareLinkExpiringSoon")
    link_id: str
    owner_id: str
    target_id: str
    expires_at: str  # ISO 8601


@dataclass(frozen=True)
class PartnerUploaded(Detail):
    """A partner's upload through a share link was stored; it waits for a malware verdict."""

    EVENT: ClassVar = EventType("sharing", "PartnerUploaded")
    link_id: str
    owner_id: str
    notify: bool  # the link owner asked to hear of uploads
    file_id: str
    version: int
    s3_key: str
    space_id: str
    folder_id: str
    name: str
    uploader_name: str
    uploader_email: str


# --- scanning -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FileCleared(Detail):
    """A scanned version was found clean: it may now be read and indexed."""

    EVENT: ClassVar = EventType("scanning", "FileCleared")
    file_id: str
    version: int
    name: str
    space_id: str
    folder_id: str
    owner_id: str
    current: bool  # the version is the file's current one
    scanner: str
    s3_key: str


@dataclass(frozen=True)
class FileQuarantined(Detail):
    """A scanned version was infected or could not be scanned: it will never open."""

    EVENT: ClassVar = EventType("scanning", "FileQuarantined")
    file_id: str
    version: int
    name: str
    space_id: str
    folder_id: str
    owner_id: str
    current: bool
    scanner: str
    status: str  # "infected" or "unscannable"
    reason: str
    quarantine_key: str


# --- surveys (照会・調査) --------------------------------------------------------------------
# Each names the survey by id, number and title (what a notice shows) and the 所属 concerned;
# who in a 所属 is told (its 取りまとめ担当, its 所属長) is the notifier's business.


@dataclass(frozen=True)
class SurveyDraftSaved(Detail):
    """A survey's draft was written or changed (before it is issued): only its 所属 sees it."""

    EVENT: ClassVar = EventType("surveys", "SurveyDraftSaved")
    survey_id: str
    title: str
    issuer_unit_id: str
    saved_by: str


@dataclass(frozen=True)
class SurveyIssued(Detail):
    EVENT: ClassVar = EventType("surveys", "SurveyIssued")
    survey_id: str
    number: str
    title: str
    issuer_unit_id: str
    target_unit_ids: list[str]
    deadline: str  # ISO, UTC


@dataclass(frozen=True)
class SurveyForwarded(Detail):
    """A 所属's 取りまとめ担当 asked some of its 係 or staff for their part of the answer."""

    EVENT: ClassVar = EventType("surveys", "SurveyForwarded")
    survey_id: str
    number: str
    title: str
    unit_id: str
    assignee_keys: list[str]  # "unit:<係>" or "staff:<id>"
    forwarded_by: str
    forwarded_by_name: str
    note: str


@dataclass(frozen=True)
class AnswerSubmitted(Detail):
    """A 所属's answer went to its approver (the 所属長 or a named approver)."""

    EVENT: ClassVar = EventType("surveys", "AnswerSubmitted")
    survey_id: str
    number: str
    title: str
    unit_id: str
    approver_ids: list[str]
    submitted_by: str
    submitted_by_name: str


@dataclass(frozen=True)
class AnswerApproved(Detail):
    """An answer reached the 照会元 (approved, or 該当なし)."""

    EVENT: ClassVar = EventType("surveys", "AnswerApproved")
    survey_id: str
    number: str
    title: str
    unit_id: str
    issuer_unit_id: str
    contact_staff_id: str
    late: bool
    not_applicable: bool
    approved_by_name: str


@dataclass(frozen=True)
class AnswerReturned(Detail):
    """差戻し: the approver or the 照会元 sent an answer back to its 所属 with a comment."""

    EVENT: ClassVar = EventType("surveys", "AnswerReturned")
    survey_id: str
    number: str
    title: str
    unit_id: str
    comment: str
    returned_by: str
    returned_by_name: str
    by_issuer: bool


@dataclass(frozen=True)
class SurveyReminder(Detail):
    """督促: a 所属 that has not answered is reminded (step: "before", "after" or "manual")."""

    EVENT: ClassVar = EventType("surveys", "SurveyReminder")
    survey_id: str
    number: str
    title: str
    unit_id: str
    step: str
    deadline: str


@dataclass(frozen=True)
class SurveyClosed(Detail):
    EVENT: ClassVar = EventType("surveys", "SurveyClosed")
    survey_id: str
    number: str
    title: str
    issuer_unit_id: str
    target_unit_ids: list[str]


CATALOGUE: tuple[type[Detail], ...] = (
    StaffSignedInFirstTime,
    DepartmentNoticePosted,
    FileUploaded,
    FileChanged,
    ShareLinkCreated,
    ShareLinkRevoked,
    ShareLinkAccessed,
    ShareLinkExpiringSoon,
    PartnerUploaded,
    FileCleared,
    FileQuarantined,
    SurveyDraftSaved,
    SurveyIssued,
    SurveyForwarded,
    AnswerSubmitted,
    AnswerApproved,
    AnswerReturned,
    SurveyReminder,
    SurveyClosed,
    *PROJECT_EVENTS,
)

# After these the search index may be stale for the file (or every file below the folder) they
# name: the index rule routes exactly these, and the indexer refreshes for exactly these.
FILE_STATE_CHANGES: tuple[type[FileUploaded | FileChanged | FileCleared | FileQuarantined], ...] = (
    FileUploaded,
    FileChanged,
    FileCleared,
    FileQuarantined,
)


# After these a survey's or an answer's search document may be stale (what it says, or who may
# find it): the survey index rule routes exactly these, and surveys/indexing.py refreshes for
# exactly these. Not AnswerSubmitted: an answer awaiting its 所属長 has not reached the 照会元.
SURVEY_SEARCH_CHANGES: tuple[
    type[SurveyDraftSaved | SurveyIssued | SurveyClosed | AnswerApproved | AnswerReturned], ...
] = (
    SurveyDraftSaved,
    SurveyIssued,
    SurveyClosed,
    AnswerApproved,
    AnswerReturned,
)


def detail_class(event: dict[str, object]) -> type[Detail] | None:
    """The catalogue entry a delivered event (source, detail-type) belongs to, if any."""
    return next((d for d in CATALOGUE if d.matches(event)), None)


def bus_pattern(*details: type[Detail]) -> dict[str, list[str]]:
    """An EventBridge pattern that matches exactly these events' sources and names."""
    return {"source": sorted({d.EVENT.source for d in details}), "detail-type": sorted({d.EVENT.name for d in details})}
