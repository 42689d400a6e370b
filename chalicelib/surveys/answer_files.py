"""Files on a survey answer (questions of type "file"): where they are kept and when they may go on.

- Where: one folder per answer, in the answering 所属's space (dept:<unit>) — for an outside
  organisation, privately in the issuing 所属's space — made on the first upload and remembered
  on the answer (AnswerRecord.files_folder_id). Its files are the 所属's like any department
  file; the 照会元 gets no right on them in Files, and downloads them through the survey once
  the answer has reached it (answer_uploads.download_url).
- What a draft may name: a file of the answer's folder, or a file the person saving can read in
  Kumo. Files already on the answer stay (a colleague's attachment is not refused because the
  person saving now cannot open it).
- Submission: refused while a named file is still being scanned, was quarantined, or is gone,
  with the question and the file named.

This module knows the answer's record and the files service, never the answering use cases
(answering.py calls it; answer_uploads.py holds the entry points that need both).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.core.storage import get_or_none, update_if
from chalicelib.files import access as file_access
from chalicelib.files import folders as file_folders
from chalicelib.files import policy
from chalicelib.files import search_feed as file_feed
from chalicelib.files import trash as file_trash
from chalicelib.files.names import FORBIDDEN_NAME_CHARS
from chalicelib.surveys import outside, storage
from chalicelib.surveys.form import QuestionType
from chalicelib.surveys.model import Survey
from chalicelib.surveys.storage import AnswerRecord

FOLDER_PREFIX = "照会回答"
MAX_FOLDER_TRIES = 20


@dataclass(frozen=True)
class Attached:
    question_id: str
    question_label: str
    file_id: str
    name: str


def attached(survey: Survey, values: Mapping[str, Any]) -> Iterator[Attached]:
    """Every file the values name, question by question, in the form's order."""
    for q in survey.form.questions:
        if q.type is not QuestionType.FILE:
            continue
        for item in values.get(q.question_id) or ():
            if isinstance(item, dict) and isinstance(item.get("file_id"), str):
                yield Attached(q.question_id, q.label, item["file_id"], str(item.get("name") or ""))


def folder_of(survey_id: str, unit_id: str) -> str | None:
    storage.bind()
    record = get_or_none(AnswerRecord, survey_id, unit_id, consistent_read=True)
    return record.files_folder_id if record is not None else None


def _folder_name(survey: Survey, attempt: int, unit_id: str) -> str:
    label = survey.number or survey.survey_id
    who = next((t.name for t in survey.external_targets if t.unit_id == unit_id), "")
    text = f"{FOLDER_PREFIX} {label} {who} {survey.title}" if who else f"{FOLDER_PREFIX} {label} {survey.title}"
    name = "".join("_" if c in FORBIDDEN_NAME_CHARS else c for c in text)
    name = name[:120].strip(" .")
    return name if attempt == 1 else f"{name} ({attempt})"


def _usable_folder(folder_id: str | None) -> bool:
    if not folder_id:
        return False
    entry = file_feed.current_entry(folder_id)
    return entry is not None and entry.is_folder and entry.status == "active"


def ensure_folder(p: Principal, survey: Survey, unit_id: str) -> str:
    """The answer's folder, made (once) in the 所属's space by the first person who uploads.

    Two first uploads at once both make a folder; the write on the answer picks one and the
    other folder goes to the trash. A folder someone trashed is replaced by a new one.
    """
    current = folder_of(survey.survey_id, unit_id)
    if _usable_folder(current):
        return str(current)
    made = _make_folder(p, survey, unit_id)
    seen = AnswerRecord.files_folder_id.does_not_exist() if current is None else AnswerRecord.files_folder_id == current
    storage.bind()
    if update_if(AnswerRecord(survey.survey_id, unit_id), [AnswerRecord.files_folder_id.set(made)], seen):
        return made
    file_trash.trash(p, made)
    winner = folder_of(survey.survey_id, unit_id)
    if not _usable_folder(winner):
        raise Conflict("The answer's folder changed in the meantime. Try the upload again.")
    return str(winner)


def _make_folder(p: Principal, survey: Survey, unit_id: str) -> str:
    # An outside organisation has no space in Kumo: its answer's folder is in the issuing 所属's,
    # private to the person who sent its invitation (the 照会元 reads the files through the
    # survey, once the answer has reached them, like a 所属's).
    external = outside.is_external(unit_id)
    space_id = policy.department_space(survey.issuer_unit_id if external else unit_id)
    visibility = "private" if external else "department"
    for attempt in range(1, MAX_FOLDER_TRIES + 1):
        try:
            return file_folders.create_folder(p, space_id, _folder_name(survey, attempt, unit_id), visibility).file_id
        except Conflict:
            continue  # a folder of that name is there already (someone made one by hand)
    raise Conflict("No folder could be made for the answer's files. Ask the help desk.")


def check_attachable(
    survey: Survey, folder_id: str | None, before: dict[str, Any], after: dict[str, Any], reader: Principal | None
) -> dict[str, Any]:
    """Refuse a draft that names a file neither in the answer's folder nor readable by `reader`
    (None: an outside organisation, which may name only the answer's own uploads).

    Returns the values with each file under its name in Kumo: the name a browser sent is not
    trusted (it is what the 照会元's results page and exports show)."""
    kept = {a.file_id for a in attached(survey, before)}
    names: dict[str, str] = {}
    for a in attached(survey, after):
        entry = file_feed.current_entry(a.file_id)
        if entry is not None:
            names[a.file_id] = entry.name
        if a.file_id in kept:
            continue
        in_folder = entry is not None and folder_id is not None and entry.parent_id == folder_id
        if in_folder or (entry is not None and reader is not None and _readable(reader, a.file_id)):
            continue
        raise BadRequest(
            "「{file}」 in {question} is not a file you can attach: upload it here, "
            "or pick a file you can open in Kumo.",
            field="values",
            question=a.question_label,
            file=a.name or a.file_id,
        )
    return _renamed(survey, after, names)


def _renamed(survey: Survey, values: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    out = dict(values)
    for q in survey.form.questions:
        if q.type is QuestionType.FILE and isinstance(out.get(q.question_id), list):
            out[q.question_id] = [
                {**item, "name": names.get(str(item.get("file_id")), item.get("name", ""))}
                if isinstance(item, dict)
                else item
                for item in out[q.question_id]
            ]
    return out


def _readable(reader: Principal, file_id: str) -> bool:
    try:
        entry = file_access.readable(reader, file_id)
    except NotFound:
        return False
    return not entry.is_folder


def unchecked(survey: Survey, values: Mapping[str, Any]) -> dict[str, str]:
    """file id -> scan status, for the named files the virus check has not cleared (yet)."""
    found: dict[str, str] = {}
    for a in attached(survey, values):
        entry = file_feed.current_entry(a.file_id)
        if entry is not None and entry.scan_status not in (None, "clean"):
            found[a.file_id] = str(entry.scan_status)
    return found


def refuse_unready(survey: Survey, values: dict[str, Any]) -> None:
    """A submission waits until every named file is there and has passed the malware scan."""
    for a in attached(survey, values):
        entry = file_feed.current_entry(a.file_id)
        name = a.name or a.file_id
        if entry is None or entry.status != "active" or entry.is_folder:
            raise Conflict(
                "「{file}」 in {question} is no longer in Kumo. Remove it from the answer or attach it again.",
                field="files",
                question=a.question_label,
                file=name,
            )
        if entry.scan_status == "pending":
            raise Conflict(
                "「{file}」 in {question} is still being checked for viruses. Submit again in a few minutes.",
                field="files",
                question=a.question_label,
                file=name,
            )
        if entry.scan_status not in (None, "clean"):
            raise Conflict(
                "「{file}」 in {question} was quarantined by the virus check and cannot be submitted. "
                "Remove it from the answer.",
                field="files",
                question=a.question_label,
                file=name,
            )
