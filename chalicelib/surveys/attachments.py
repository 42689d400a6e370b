"""Files sent with a survey (its 様式, 記入要領): attached by the 照会元, read by every answering unit.

An attachment is a **copy**, made when the issuer attaches the file, into an area the survey
owns: `survey-attachments/<survey id>/<attachment id>` in the files bucket. Nothing in the
files slice changes: no file's visibility is widened and no space learns about surveys. Why a
copy, and not a link to the issuer's file:

- Reading a linked file would need the files policy to let a target 所属 through because of a
  survey. That either widens the file for everyone (visibility `all`) or makes the files slice
  depend on surveys (the slices depend one way). A copy leaves every file's rights as they are.
- The 様式 the units answer is the one that was sent: an issuer who later edits, moves or trashes
  their own file does not change or take away what the targets have.
- The area is read-only: only the issuer's attach and remove (before the survey is issued)
  write into it, and nobody can upload into it.

Who reads an attachment follows the survey, through the one check every survey use case starts
with (access.standing): members of the issuing 所属 always; once it is issued, members of each
target 所属 (its 所属長 included); an outside organisation through its respondent session
(respond.py), never a staff URL. Anyone else gets 404. A download is a short-lived presigned
URL of the copy, named as the file was.

The issuer attaches a file they can read (the files slice's access.readable: the same check as opening it in
Files), a file still waiting for its malware check or one found infected is refused, and a
survey holds at most MAX_ATTACHMENTS.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.core.storage import update_if
from chalicelib.files import access as file_access
from chalicelib.files import entries, s3, versions
from chalicelib.surveys import access, storage
from chalicelib.surveys.model import Attachment, Survey, attachments_json, now, survey_of
from chalicelib.surveys.states import SurveyState
from chalicelib.surveys.storage import SurveyRecord

PREFIX = "survey-attachments/"
MAX_ATTACHMENTS = 20
CHANGEABLE = (SurveyState.DRAFT, SurveyState.SCHEDULED)  # what is sent is fixed once it is issued


def object_key(survey_id: str, attachment_id: str) -> str:
    return f"{PREFIX}{survey_id}/{attachment_id}"


def page_path(survey_id: str, attachment: Attachment) -> str:
    """The staff download address (the respondent's is under /r/)."""
    return f"/surveys/{survey_id}/attachments/{attachment.attachment_id}"


def _missing(attachment_id: str) -> NotFound:
    return NotFound("There is no attachment {attachment_id}.", attachment_id=attachment_id)


def _changeable(p: Principal, survey_id: str) -> Survey:
    survey = access.as_issuer(p, survey_id)
    if survey.state not in CHANGEABLE:
        raise Conflict("This survey has been issued; its attachments can no longer change.")
    return survey


def _source(p: Principal, file_id: str) -> tuple[entries.Entry, str]:
    """The file the issuer picked and the object of its current version: theirs to read, checked."""
    entry = file_access.readable(p, file_id)  # 404 for a file they cannot read, as in Files
    if entry.is_folder:
        raise BadRequest("Attach files, not folders.", field="file_id")
    if entry.scan_status == "pending":
        raise BadRequest("This file is still being checked for viruses. Attach it when the check is done.")
    if entry.scan_status in ("infected", "unscannable"):
        raise BadRequest("This file did not pass the virus check and cannot be attached.")
    key = versions.stored_object_key(entry.file_id, entry.version)
    if key is None:
        raise NotFound("There is no file {file_id}.", file_id=file_id)
    return entry, key


def _write(survey: Survey, items: tuple[Attachment, ...]) -> bool:
    """Replace the list, only if nobody changed it (or issued the survey) since it was read."""
    storage.bind()
    before = attachments_json(survey.attachments)
    unchanged = (
        (SurveyRecord.attachments_json == before) | SurveyRecord.attachments_json.does_not_exist()
        if not survey.attachments
        else SurveyRecord.attachments_json == before
    )
    return update_if(
        SurveyRecord(survey.survey_id),
        [SurveyRecord.attachments_json.set(attachments_json(items))],
        unchanged & SurveyRecord.state.is_in(*(s.value for s in CHANGEABLE)),
    )


def attach(p: Principal, survey_id: str, file_id: str) -> Attachment:
    """Copy a file the issuer can read into the survey's area; the same file twice is one attachment."""
    survey = _changeable(p, survey_id)
    already = next((a for a in survey.attachments if a.source_file_id == file_id), None)
    if already is not None:
        return already
    if len(survey.attachments) >= MAX_ATTACHMENTS:
        raise BadRequest("Attach at most {limit} files.", field="file_id", limit=MAX_ATTACHMENTS)
    entry, source_key = _source(p, file_id)
    attachment = Attachment(
        attachment_id=f"att_{secrets.token_hex(12)}",
        name=entry.name,
        size=entry.size,
        content_type=entry.content_type or "application/octet-stream",
        source_file_id=entry.file_id,
        added_by_name=p.display_name,
        added_at=now().isoformat(),
    )
    key = object_key(survey_id, attachment.attachment_id)
    s3.copy(source_key, key, attachment.content_type)
    if not _write(survey, (*survey.attachments, attachment)):
        s3.delete(key)  # the list moved on meanwhile: nothing half-written stays behind
        raise Conflict("Someone else changed the attachments in the meantime. Reload the page and attach it again.")
    return attachment


def remove(p: Principal, survey_id: str, attachment_id: str) -> None:
    survey = _changeable(p, survey_id)
    if survey.attachment(attachment_id) is None:
        raise _missing(attachment_id)
    if not _write(survey, tuple(a for a in survey.attachments if a.attachment_id != attachment_id)):
        raise Conflict("Someone else changed the attachments in the meantime. Reload the page and try again.")
    s3.delete(object_key(survey_id, attachment_id))


def download_url(survey: Survey, attachment_id: str) -> str:
    """A short-lived URL of the copy. The caller has checked who is asking (staff_download_url,
    or respond.attachment_url for an outside organisation's session)."""
    attachment = survey.attachment(attachment_id)
    if attachment is None:
        raise _missing(attachment_id)
    return s3.presigned_download(object_key(survey.survey_id, attachment_id), attachment.name, attachment.content_type)


def staff_download_url(p: Principal, survey_id: str, attachment_id: str) -> str:
    """For the issuing 所属, and the target 所属 once the survey is issued; 404 for anyone else."""
    return download_url(access.standing(p, survey_id).survey, attachment_id)


def carry_over(previous: Survey, copied: Survey) -> Survey:
    """「前回の照会を複製」: the copy gets copies of its own, so removing one from either leaves
    the other's intact."""
    if not previous.attachments:
        return copied
    fresh = tuple(replace(a, attachment_id=f"att_{secrets.token_hex(12)}") for a in previous.attachments)
    for old, new in zip(previous.attachments, fresh, strict=True):
        s3.copy(
            object_key(previous.survey_id, old.attachment_id),
            object_key(copied.survey_id, new.attachment_id),
            new.content_type,
        )
    if not _write(copied, fresh):
        raise Conflict("Someone else changed the attachments in the meantime. Reload the page and try again.")
    record = access.load_record(copied.survey_id)
    assert record is not None
    return survey_of(record)
