"""Uploading a file to a survey answer, and downloading the files an answer names.

An upload is opened here (who may, into which folder: answer_files.py) and then goes on through
the Files upload API like any other (parts, complete): the ticket is the person's own. Every
upload to an answer is malware-scanned (`scan_required`) and always becomes a new file (a taken
name is numbered), never a version of a file already there.

Downloads go through the survey, so that the 照会元 reads an answer's files without any right
in the 所属's space: the members of the answering 所属 at any time, the 照会元 once the answer has
reached them (提出済, 該当なし). Only files the answer names (or its folder holds, for members),
only once scanned clean, always as an attachment. Anyone else: 404.
"""

from __future__ import annotations

from chalicelib.core.auth import Principal
from chalicelib.core.errors import Conflict, NotFound
from chalicelib.core.storage import get_or_none
from chalicelib.files import s3, upload_start, versions
from chalicelib.files import search_feed as file_feed
from chalicelib.files import versions as file_versions
from chalicelib.surveys import access, answer_files, answering, fanout, storage
from chalicelib.surveys.model import Survey, answer_of
from chalicelib.surveys.schemas import NewAnswerUpload
from chalicelib.surveys.states import ANSWERED, EDITABLE
from chalicelib.surveys.storage import AnswerRecord

PART_EDITABLE = frozenset({fanout.PartState.REQUESTED, fanout.PartState.DRAFT})


def _answer_record(survey_id: str, unit_id: str) -> AnswerRecord:
    storage.bind()
    record = get_or_none(AnswerRecord, survey_id, unit_id, consistent_read=True)
    if record is None:
        raise NotFound("There is no answer of {unit_id} to this survey.", unit_id=unit_id)
    return record


def _open(p: Principal, survey: Survey, unit_id: str, upload: NewAnswerUpload) -> upload_start.UploadTicket:
    answering.accepting(survey)
    folder_id = answer_files.ensure_folder(p, survey, unit_id)
    return upload_start.start(
        p,
        folder_id,
        upload.name,
        upload.size,
        upload.content_type or "",
        scan_required=True,
        versions=False,
    )


def start(p: Principal, survey_id: str, unit_id: str, upload: NewAnswerUpload) -> upload_start.UploadTicket:
    """A member of the answering 所属 uploads a file for the answer while it is being written."""
    found = access.for_unit(p, survey_id, unit_id)
    if not found.answers_for(unit_id):
        raise NotFound("There is no answer of {unit_id} to this survey.", unit_id=unit_id)
    if answer_of(_answer_record(survey_id, unit_id)).state not in EDITABLE:
        raise Conflict("The answer has been submitted: reopen it before adding files.")
    return _open(p, found.survey, unit_id, upload)


def start_for_part(
    p: Principal, survey_id: str, unit_id: str, part_id: str, upload: NewAnswerUpload
) -> upload_start.UploadTicket:
    """The 係 or person a part was forwarded to uploads a file for their part (into the answer's folder)."""
    found = fanout.view_part(p, survey_id, unit_id, part_id)
    if not fanout.assigned_to(p, found.part.assignee_key):
        raise NotFound("There is no such part of this answer.")
    if found.part.state not in PART_EDITABLE:
        raise Conflict("This part has been sent back: files can no longer be added to it.")
    return _open(p, found.survey, unit_id, upload)


def download_url(p: Principal, survey_id: str, unit_id: str, file_id: str) -> str:
    """A short-lived address that saves one of the answer's files (never shown inline)."""
    found = access.for_unit(p, survey_id, unit_id)
    member = found.answers_for(unit_id)
    record = _answer_record(survey_id, unit_id)
    answer = answer_of(record)
    if not member and not (found.issuer and answer.state in ANSWERED):
        raise NotFound("This file is not part of an answer you can read.")
    named = {a.file_id: a for a in answer_files.attached(found.survey, answer.values)}
    entry = file_feed.current_entry(file_id)
    in_folder = member and entry is not None and entry.parent_id == record.files_folder_id
    if entry is None or entry.is_folder or entry.status != "active" or not (file_id in named or in_folder):
        raise NotFound("This file is not part of an answer you can read.")
    version = file_versions.version_record(file_id, entry.version)
    versions.refuse_unscanned(version.scan_status)
    return s3.presigned_download(version.s3_key, entry.name, version.content_type, inline=False)
