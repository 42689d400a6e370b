"""Answering as an organisation outside the prefecture: no Kumo account, only the link mailed to
its contact (invitations.py).

Who may act is decided by the sharing slice's partner session: the link's token opened it, the
contact's e-mail one-time code verified it, and the link names one answer key. Every use case
here takes that session (a `Visit`) and the answer it asks for, and goes on only when they are
the same answer: a session reaches its own organisation's answer and nothing else, whatever ids
a request carries (another one is "not found", as for staff).

What an outside organisation may do: fill in and save its draft while the survey is open, submit
it (or answer 「該当なし」, as a 所属 can) straight to the 照会元 (it has no 所属長 in Kumo: the
same AnswerApproved tells the issuer), download the files sent with the survey, take an answer
back and submit it again until the deadline, and read it, also once the survey is closed. It
uploads files for file questions through the partner upload path (sharing/partner_uploads.py:
its session, the allow-list, the link's caps, the malware scan, the organisation recorded as the
uploader) into the answer's folder (answer_files.py). The draft's write, the full check and the
hand-in are answering.py's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import Conflict, NotFound
from chalicelib.core.storage import get_or_none
from chalicelib.files import s3, upload_start, versions
from chalicelib.files import search_feed as file_feed
from chalicelib.files import versions as file_versions
from chalicelib.sharing import external as external_links
from chalicelib.sharing import partner_uploads
from chalicelib.sharing.partner import Visit, log, owner_of
from chalicelib.surveys import access, answer_files, answering, answers, attachments, outside, storage
from chalicelib.surveys.answers import AnswerError
from chalicelib.surveys.invitations import KIND
from chalicelib.surveys.model import Answer, Survey, answer_of, now, survey_of
from chalicelib.surveys.schemas import NewAnswerUpload
from chalicelib.surveys.states import EDITABLE, AnswerState, SurveyState
from chalicelib.surveys.storage import AnswerRecord


@dataclass(frozen=True)
class Respondent:
    """An outside organisation's contact as an answer's history records them (model.Actor)."""

    staff_id: str  # "partner:<verified e-mail>"
    display_name: str  # the organisation's name


@dataclass(frozen=True)
class RespondentView:
    survey: Survey
    answer: Answer
    editable: bool  # the draft may be changed and submitted
    can_take_back: bool  # submitted, and it may still be changed (open, before the deadline)

    @property
    def closed(self) -> bool:
        return self.survey.state is SurveyState.CLOSED


def own_answer(visit: Visit) -> tuple[str, str]:
    """(survey id, unit id) of the one answer this session may reach."""
    survey_id, _, unit_id = external_links.key_of(visit, KIND).partition("/")
    if not survey_id or not outside.is_external(unit_id):
        raise NotFound("There is no answer of {unit_id} to this survey.", unit_id=unit_id)
    return survey_id, unit_id


def _mine(visit: Visit, survey_id: str, unit_id: str) -> tuple[Survey, Answer]:
    missing = NotFound("There is no answer of {unit_id} to this survey.", unit_id=unit_id)
    if own_answer(visit) != (survey_id, unit_id):
        raise missing
    record = access.load_record(survey_id)
    if record is None or record.state not in (SurveyState.OPEN.value, SurveyState.CLOSED.value):
        raise missing
    storage.bind()
    answer = get_or_none(AnswerRecord, survey_id, unit_id, consistent_read=True)
    if answer is None:
        raise missing
    return survey_of(record), answer_of(answer)


def _actor(visit: Visit, answer: Answer) -> Respondent:
    email = visit.session.verified_email or ""
    return Respondent(f"partner:{email}", answer.respondent_name or email)


def view(visit: Visit, survey_id: str, unit_id: str) -> RespondentView:
    survey, answer = _mine(visit, survey_id, unit_id)
    is_open = survey.state is SurveyState.OPEN
    return RespondentView(
        survey,
        answer,
        editable=is_open and answer.state in EDITABLE,
        can_take_back=is_open
        and answer.state in (AnswerState.SUBMITTED, AnswerState.NOT_APPLICABLE)
        and now() < survey.deadline,
    )


def save(visit: Visit, survey_id: str, unit_id: str, raw: dict[str, Any], revision: int) -> answering.Saved:
    """Autosave of the draft, as a 所属's (typed values kept, problems listed, 409 on a stale revision)."""
    survey, answer = _mine(visit, survey_id, unit_id)
    answering.accepting(survey)
    return answering.write_draft(survey, unit_id, raw, revision, _actor(visit, answer))


def submit(visit: Visit, survey_id: str, unit_id: str, revision: int) -> Answer:
    """Checked in full, then straight to the 照会元: no approval step outside the prefecture."""
    survey, answer = _mine(visit, survey_id, unit_id)
    answering.accepting(survey)
    handed = answering.hand_in(survey, unit_id, revision, _actor(visit, answer), approvers=[])
    log(visit, "answered", detail=f"survey {survey_id}")
    return handed


def not_applicable(visit: Visit, survey_id: str, unit_id: str, revision: int) -> Answer:
    """「該当なし」, as a 所属's coordinator answers it: straight to the 照会元, taken back like an answer."""
    survey, answer = _mine(visit, survey_id, unit_id)
    answering.accepting(survey)
    marked = answering.mark_not_applicable(survey, unit_id, revision, _actor(visit, answer))
    log(visit, "answered", detail=f"survey {survey_id}: not applicable")
    return marked


def take_back(visit: Visit, survey_id: str, unit_id: str) -> Answer:
    """Change a submitted answer: it is a draft again until submitted again (before the deadline)."""
    survey, answer = _mine(visit, survey_id, unit_id)
    return answering.take_back(survey, unit_id, _actor(visit, answer), with_leave=False)


def problems(visit: Visit, survey_id: str, unit_id: str) -> tuple[AnswerError, ...]:
    """What still stops the answer from being submitted, each at its question (for the page)."""
    survey, answer = _mine(visit, survey_id, unit_id)
    return tuple(answers.clean_answer(survey.form, answer.values, submit=True).errors)


def attachment_url(visit: Visit, attachment_id: str) -> str:
    """A file the 照会元 sent with the survey, for this session's organisation only (attachments.py)."""
    survey_id, unit_id = own_answer(visit)
    survey, _ = _mine(visit, survey_id, unit_id)
    url = attachments.download_url(survey, attachment_id)
    log(visit, "downloaded", detail=f"survey {survey_id} attachment {attachment_id}")
    return url


def start_upload(visit: Visit, survey_id: str, unit_id: str, upload: NewAnswerUpload) -> upload_start.UploadTicket:
    """Open an upload of a file for the draft; the rest goes through the partner upload API."""
    survey, answer = _mine(visit, survey_id, unit_id)
    answering.accepting(survey)
    if answer.state not in EDITABLE:
        raise Conflict("The answer has been submitted: take it back before adding files.")
    folder_id = answer_files.ensure_folder(owner_of(visit.link), survey, unit_id)
    return partner_uploads.start_external_upload(
        visit,
        folder_id=folder_id,
        uploader_name=answer.respondent_name or _actor(visit, answer).display_name,
        name=upload.name,
        size=upload.size,
        content_type=upload.content_type or "",
    )


def file_url(visit: Visit, file_id: str) -> str:
    """One of the organisation's own answer's files, once scanned clean, saved as an attachment."""
    survey_id, unit_id = own_answer(visit)
    survey, answer = _mine(visit, survey_id, unit_id)
    named = {a.file_id for a in answer_files.attached(survey, answer.values)}
    entry = file_feed.current_entry(file_id)
    in_folder = entry is not None and entry.parent_id == answer_files.folder_of(survey_id, unit_id)
    if entry is None or entry.is_folder or entry.status != "active" or not (file_id in named or in_folder):
        raise NotFound("This file is not part of an answer you can read.")
    version = file_versions.version_record(file_id, entry.version)
    versions.refuse_unscanned(version.scan_status)
    log(visit, "downloaded", file_id=file_id, object_name=entry.name, detail=f"survey {survey_id} answer file")
    return s3.presigned_download(version.s3_key, entry.name, version.content_type, inline=False)
