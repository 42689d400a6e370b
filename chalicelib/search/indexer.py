"""Keeps the search index in step with the stored files (functions/indexer calls `handle`).

Events only say *which* file to look at: an S3 ObjectCreated/ObjectRemoved for a version key
(`spaces/<space>/<file id>/v<n>`), or a FileChanged / FileCleared / FileQuarantined event from
the bus. The indexer then reads the file's current state (strongly consistent) and writes
that, so a redelivered or out-of-order event can never bring back a deleted file or an old
version. Two workers racing on one file are settled by OpenSearch's external versioning: the
document version is the file's updated_at, and an older read loses (409, ignored).

A change to a folder (rename, move, visibility, trash) re-indexes every file below it: in the
same message for a few files, or as one message per file on the index queue for more than
FAN_OUT_ABOVE, so a big folder never runs past one invocation's time.

Not indexed: folders, trashed files (or files in a trashed folder), files waiting for or
failing a malware scan. A file whose text cannot be read (encrypted, corrupt, too large, out
of time) is still indexed by its name and metadata, and the reason is recorded on the file so
its owner sees "not searchable: ...".
"""

from __future__ import annotations

import functools
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.event_catalogue import FILE_STATE_CHANGES, FileChanged
from chalicelib.core.events import Detail
from chalicelib.core.observability import logger
from chalicelib.files import policy, search_feed, versions
from chalicelib.files.entries import Entry
from chalicelib.search import documents
from chalicelib.search.client import client
from chalicelib.search.index import alias, ensure_api_access, ensure_index, ensure_mapping

MAX_EXTRACT_BYTES = 100 * 1024 * 1024  # larger files are indexed by name only ("too_large")
SECONDS_PER_FILE = 60  # the time budget for one file's text
FAN_OUT_ABOVE = 25  # a folder change with more files below it is split into one message per file
VERSION_KEY_PREFIX = "spaces/"

INDEXED, REMOVED, STALE, IGNORED, WAITING, FANNED_OUT = (
    "indexed",
    "removed",
    "stale",
    "ignored",
    "waiting",
    "fanned_out",
)


@dataclass
class Outcome:
    counts: dict[str, int]

    def add(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


def file_ids_in(event: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(file ids, folder ids) an event asks to refresh. Unknown shapes name nothing.

    An S3 object is created *before* the file's record says it is the current version, so an
    ObjectCreated may come too early: `handle` refreshes for it only once the record has caught
    up (created_versions), and otherwise leaves it to the files feature's own event
    (FileUploaded, FileChanged), which follows the record's write. Removals always count.
    """
    if "Records" in event:  # an S3 notification
        files = []
        for record in event["Records"]:
            key = urllib.parse.unquote_plus(record.get("s3", {}).get("object", {}).get("key", ""))
            file_id = file_id_of_key(key)
            if file_id and str(record.get("eventName", "")).startswith("ObjectRemoved"):
                files.append(file_id)
        return files, []
    kind = next((k for k in FILE_STATE_CHANGES if k.matches(event)), None)
    if kind is None:
        return [], []
    detail = kind.parse(event)  # MalformedEvent: retried, then the DLQ
    if isinstance(detail, FileChanged) and detail.kind == "folder":
        return [], [detail.file_id]
    return [detail.file_id], []


def created_versions(event: dict[str, Any]) -> list[tuple[str, int]]:
    """(file id, version) of every stored version an S3 ObjectCreated event reports."""
    found = []
    for record in event.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        key = urllib.parse.unquote_plus(record.get("s3", {}).get("object", {}).get("key", ""))
        file_id = file_id_of_key(key)
        if file_id:
            try:
                found.append((file_id, int(key.rsplit("/v", 1)[1])))
            except ValueError:
                continue
    return found


def file_id_of_key(key: str) -> str | None:
    """`spaces/<space>/<file id>/v<n>` -> file id; anything else (uploads/, archives/...) -> None."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] + "/" != VERSION_KEY_PREFIX or not parts[3].startswith("v"):
        return None
    return parts[2] or None


@functools.cache
def ready() -> None:
    """Once per process: the index and its alias exist with this version's fields, and (in AWS)
    the API may read them."""
    if not ensure_index():
        ensure_mapping()
    ensure_api_access(settings().search_api_role_arn)


def handle(event: dict[str, Any], *, deadline: float | None = None) -> dict[str, int]:
    """Refresh every file the event names. Raises if the search server is unreachable (retry)."""
    ready()
    outcome = Outcome({})
    files, folders = file_ids_in(event)
    for folder_id in folders:
        below = list(descendant_files(folder_id))
        if len(below) > FAN_OUT_ABOVE:  # one message per file: each gets its own retries and time
            outcome.counts[FANNED_OUT] = fan_out(below, FileChanged.parse(event).space_id)
        else:
            files.extend(below)
    for file_id, version in created_versions(event):
        entry = search_feed.current_entry(file_id)
        if entry is not None and entry.version >= version:
            files.append(file_id)  # e.g. objects put back by a restore, after their records
    if not files and FANNED_OUT not in outcome.counts:
        outcome.add(IGNORED)
    for file_id in dict.fromkeys(files):
        outcome.add(refresh(file_id, deadline=deadline))
    return outcome.counts


def fan_out(file_ids: list[str], space_id: str) -> int:
    """Put one FileChanged message per file on the index queue, as the bus would."""
    return enqueue(
        [FileChanged(file_id=file_id, kind="file", space_id=space_id, change="folder_changed") for file_id in file_ids]
    )


def enqueue(details: Sequence[Detail]) -> int:
    """Put these events on the index queue as the bus would deliver them (10 per SQS call): a
    big job (a folder's files, a project's cards) becomes one message per item, each with its
    own retries and time. The slices above search call this for their own fan-outs."""
    import json

    sqs = aws.client("sqs")
    url = _index_queue_url()
    for start in range(0, len(details), 10):
        entries = [
            {"Id": str(n), "MessageBody": json.dumps(detail.event().as_delivered(), ensure_ascii=False)}
            for n, detail in enumerate(details[start : start + 10])
        ]
        failed = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []
        if failed:  # raising keeps the triggering message on the queue: the whole fan-out runs again
            raise RuntimeError(f"{len(failed)} index messages were not accepted")
    return len(details)


@functools.cache
def _index_queue_url() -> str:
    return str(aws.client("sqs").get_queue_url(QueueName=settings().queue_name("index"))["QueueUrl"])


def descendant_files(folder_id: str) -> Iterable[str]:
    return search_feed.descendant_file_ids(folder_id)


def _facts(entry: Entry) -> documents.FileFacts | None:
    """The file's facts, or None if it should not be findable (trashed, or under a trashed folder)."""
    folders = search_feed.active_folders_above(entry)
    if folders is None:
        return None
    return documents.FileFacts(
        file_id=entry.file_id,
        name=entry.name,
        folder_id=entry.parent_id,
        space_id=entry.space_id,
        department_id=_department_of(entry),
        owner_id=entry.owner_id,
        visibility=entry.visibility,
        content_type=entry.content_type,
        size=entry.size,
        version=entry.version,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        folder_names=tuple(f.name for f in folders),
        ancestors=(entry.space_id, *(f.file_id for f in folders)),
    )


def _department_of(entry: Entry) -> str:
    """The 部局 a file is searched under: its unit's (a 所属's space is in its 部局), or its owner's."""
    from chalicelib.directory import service as directory

    kind, ident = policy.parse_space(entry.space_id)
    if kind == "dept":
        return directory.department_of(ident)
    staff = directory.find_staff(ident)
    return staff.department_id if staff else ""


class NotReadableYet(Exception):
    """The object cannot be read now; a later event about the file will index it."""


@dataclass(frozen=True)
class Prepared:
    file_id: str
    version: int | None  # the external version; None when the file no longer exists
    document: dict[str, Any] | None  # None: the file must not be findable
    note: str | None = None
    entry: Entry | None = None


def prepare(entry: Entry | None, file_id: str, *, deadline: float | None = None) -> Prepared:
    """The document for the file's current state (None when it must not be in the index)."""
    if entry is None or entry.kind != "file":
        return Prepared(file_id, None, None)
    version = documents.external_version(entry.updated_at)
    facts = _facts(entry) if entry.status == "active" else None
    if facts is None or not entry.usable:
        return Prepared(file_id, version, None)
    content, status, note = _content(entry, facts, deadline)
    return Prepared(file_id, version, documents.document(facts, content, status), note, entry)


def refresh(file_id: str, *, deadline: float | None = None) -> str:
    try:
        prepared = prepare(search_feed.current_entry(file_id), file_id, deadline=deadline)
    except NotReadableYet:
        logger.info("file not readable yet; waiting for its next event", extra={"file_id": file_id})
        return WAITING
    if prepared.document is None:
        return remove_document(file_id, prepared.version)
    from opensearchpy.exceptions import ConflictError

    try:
        client().index(
            index=alias(), id=file_id, body=prepared.document, version=prepared.version, version_type="external_gte"
        )
    except ConflictError:
        return STALE  # a newer state of this file is already in the index
    if prepared.entry is not None:
        record_note(prepared.entry, prepared.note)
    return INDEXED


def remove_document(doc_id: str, version: int | None) -> str:
    """Delete a document (a file's, or a record's: see records.py) unless a newer one is there."""
    from opensearchpy.exceptions import ConflictError, NotFoundError

    try:
        if version is None:
            client().delete(index=alias(), id=doc_id)
        else:
            client().delete(index=alias(), id=doc_id, version=version, version_type="external_gte")
    except NotFoundError:
        pass
    except ConflictError:
        return STALE
    return REMOVED


def _content(entry: Entry, facts: documents.FileFacts, deadline: float | None) -> tuple[str, str, str | None]:
    """(text, content_status, note): reuses the indexed text when only the metadata changed."""
    existing = _indexed(entry.file_id)
    if existing and existing.get("version") == facts.version and existing.get("content_status"):
        return str(existing.get("content") or ""), str(existing["content_status"]), entry.search_note
    from chalicelib.search import extract

    if not extract.is_supported(entry.name, entry.content_type):
        return "", "no_text", None
    if facts.size > MAX_EXTRACT_BYTES:
        return "", "not_searchable", "too_large"
    key = versions.stored_object_key(entry.file_id, facts.version)
    if key is None:
        return "", "not_searchable", "missing"
    from botocore.exceptions import ClientError

    try:
        data = aws.client("s3").get_object(Bucket=settings().files_bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("AccessDenied", "NoSuchKey"):
            raise
        # Not readable yet (the bucket policy holds a partner upload until GuardDuty tags it
        # clean) or already gone: the verdict's or the deletion's own event comes next.
        raise NotReadableYet(entry.file_id) from None
    budget = time.monotonic() + SECONDS_PER_FILE
    try:
        got = extract.extract(
            data, entry.name, entry.content_type, deadline=min(budget, deadline) if deadline else budget
        )
    except extract.NotExtractable as exc:
        logger.info("text not extracted", extra={"file_id": entry.file_id, "reason": exc.reason})
        return "", "not_searchable", exc.reason
    return got.text, "truncated" if got.truncated else "extracted", None


def _indexed(file_id: str) -> dict[str, Any] | None:
    from opensearchpy.exceptions import NotFoundError

    try:
        found = client().get(index=alias(), id=file_id, _source_includes=["version", "content", "content_status"])
    except NotFoundError:
        return None
    return dict(found.get("_source") or {})


def record_note(entry: Entry, note: str | None) -> None:
    """Record why the text is not searchable, only for the version that was read."""
    if entry.search_note == note:
        return
    if not search_feed.record_search_note(entry.file_id, entry.version, note):
        logger.info("file changed while indexing; its next event records the note", extra={"file_id": entry.file_id})
