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
import os
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.storage import get_or_none
from chalicelib.files import policy
from chalicelib.files.storage import FileRecord, VersionRecord, bind
from chalicelib.search import documents
from chalicelib.search.client import client
from chalicelib.search.index import alias, ensure_api_access, ensure_index

MAX_EXTRACT_BYTES = 100 * 1024 * 1024  # larger files are indexed by name only ("too_large")
SECONDS_PER_FILE = 60  # the time budget for one file's text
FAN_OUT_ABOVE = 25  # a folder change with more files below it is split into one message per file
VERSION_KEY_PREFIX = "spaces/"

INDEXED, REMOVED, STALE, IGNORED, WAITING, FANNED_OUT = (
    "indexed", "removed", "stale", "ignored", "waiting", "fanned_out")


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
    detail = event.get("detail") or {}
    kind = event.get("detail-type")
    if kind in ("FileUploaded", "FileChanged", "FileCleared", "FileQuarantined") and detail.get("file_id"):
        if detail.get("kind") == "folder":
            return [], [str(detail["file_id"])]
        return [str(detail["file_id"])], []
    return [], []


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
    """Once per process: the index and its alias exist, and (in AWS) the API may read them."""
    ensure_index()
    ensure_api_access(os.environ.get("KUMO_SEARCH_API_ROLE_ARN"))


def handle(event: dict[str, Any], *, deadline: float | None = None) -> dict[str, int]:
    """Refresh every file the event names. Raises if the search server is unreachable (retry)."""
    bind()
    ready()
    outcome = Outcome({})
    files, folders = file_ids_in(event)
    for folder_id in folders:
        below = list(descendant_files(folder_id))
        if len(below) > FAN_OUT_ABOVE:  # one message per file: each gets its own retries and time
            outcome.counts[FANNED_OUT] = fan_out(below)
        else:
            files.extend(below)
    for file_id, version in created_versions(event):
        record = get_or_none(FileRecord, file_id, consistent_read=True)
        if record is not None and int(record.version or 0) >= version:
            files.append(file_id)  # e.g. objects put back by a restore, after their records
    if not files and FANNED_OUT not in outcome.counts:
        outcome.add(IGNORED)
    for file_id in dict.fromkeys(files):
        outcome.add(refresh(file_id, deadline=deadline))
    return outcome.counts


def fan_out(file_ids: list[str]) -> int:
    """Put one FileChanged message per file on the index queue (10 per SQS call)."""
    import json

    sqs = aws.client("sqs")
    url = _index_queue_url()
    for start in range(0, len(file_ids), 10):
        entries = [{"Id": str(n), "MessageBody": json.dumps({
            "source": "kumo.files", "detail-type": "FileChanged",
            "detail": {"file_id": file_id, "kind": "file", "change": "folder_changed"}})}
            for n, file_id in enumerate(file_ids[start:start + 10])]
        failed = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []
        if failed:  # raising keeps the folder's message on the queue: the whole fan-out runs again
            raise RuntimeError(f"{len(failed)} index messages were not accepted")
    return len(file_ids)


@functools.cache
def _index_queue_url() -> str:
    return str(aws.client("sqs").get_queue_url(QueueName=settings().queue_name("index"))["QueueUrl"])


def descendant_files(folder_id: str) -> Iterable[str]:
    for child in FileRecord.by_parent.query(folder_id):
        if child.kind == "folder":
            yield from descendant_files(child.file_id)
        else:
            yield child.file_id


def _facts(record: FileRecord) -> documents.FileFacts | None:
    """The file's facts, or None if it should not be findable (trashed, or under a trashed folder)."""
    names: list[str] = []
    ancestors: list[str] = []
    parent_id = record.parent_id
    for _ in range(100):  # folders are never this deep; a cycle would be a bug, not a hang
        if policy.is_space_id(parent_id):
            break
        parent = get_or_none(FileRecord, parent_id, consistent_read=True)
        if parent is None or parent.status != "active":
            return None
        names.append(parent.name)
        ancestors.append(parent.file_id)
        parent_id = parent.parent_id
    ancestors.append(record.space_id)
    return documents.FileFacts(
        file_id=record.file_id, name=record.name, folder_id=record.parent_id, space_id=record.space_id,
        department_id=_department_of(record), owner_id=record.owner_id, visibility=record.visibility,
        content_type=record.content_type, size=int(record.size or 0), version=int(record.version or 0),
        created_at=record.created_at, updated_at=record.updated_at, folder_names=tuple(reversed(names)),
        ancestors=tuple(reversed(ancestors)))


def _department_of(record: FileRecord) -> str:
    kind, ident = policy.parse_space(record.space_id)
    if kind == "dept":
        return ident
    from chalicelib.directory import service as directory

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
    record: FileRecord | None = None


def prepare(record: FileRecord | None, file_id: str, *, deadline: float | None = None) -> Prepared:
    """The document for the file's current state (None when it must not be in the index)."""
    if record is None or record.kind != "file":
        return Prepared(file_id, None, None)
    version = documents.external_version(record.updated_at)
    facts = _facts(record) if record.status == "active" else None
    if facts is None or record.scan_status not in (None, "clean"):
        return Prepared(file_id, version, None)
    content, status, note = _content(record, facts, deadline)
    return Prepared(file_id, version, documents.document(facts, content, status), note, record)


def refresh(file_id: str, *, deadline: float | None = None) -> str:
    try:
        prepared = prepare(get_or_none(FileRecord, file_id, consistent_read=True), file_id, deadline=deadline)
    except NotReadableYet:
        logger.info("file not readable yet; waiting for its next event", extra={"file_id": file_id})
        return WAITING
    if prepared.document is None:
        return _remove(file_id, prepared.version)
    from opensearchpy.exceptions import ConflictError

    try:
        client().index(index=alias(), id=file_id, body=prepared.document, version=prepared.version,
                       version_type="external_gte")
    except ConflictError:
        return STALE  # a newer state of this file is already in the index
    if prepared.record is not None:
        record_note(prepared.record, prepared.note)
    return INDEXED


def _remove(file_id: str, version: int | None) -> str:
    from opensearchpy.exceptions import ConflictError, NotFoundError

    try:
        if version is None:
            client().delete(index=alias(), id=file_id)
        else:
            client().delete(index=alias(), id=file_id, version=version, version_type="external_gte")
    except NotFoundError:
        pass
    except ConflictError:
        return STALE
    return REMOVED


def _content(record: FileRecord, facts: documents.FileFacts, deadline: float | None) -> tuple[str, str, str | None]:
    """(text, content_status, note): reuses the indexed text when only the metadata changed."""
    existing = _indexed(record.file_id)
    if existing and existing.get("version") == facts.version and existing.get("content_status"):
        return str(existing.get("content") or ""), str(existing["content_status"]), record.search_note
    from chalicelib.search import extract

    if not extract.is_supported(record.name, record.content_type):
        return "", "no_text", None
    if facts.size > MAX_EXTRACT_BYTES:
        return "", "not_searchable", "too_large"
    stored = get_or_none(VersionRecord, record.file_id, f"{facts.version:08d}", consistent_read=True)
    if stored is None:
        return "", "not_searchable", "missing"
    from botocore.exceptions import ClientError

    try:
        data = aws.client("s3").get_object(Bucket=settings().files_bucket, Key=stored.s3_key)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("AccessDenied", "NoSuchKey"):
            raise
        # Not readable yet (the bucket policy holds a partner upload until GuardDuty tags it
        # clean) or already gone: the verdict's or the deletion's own event comes next.
        raise NotReadableYet(record.file_id) from None
    budget = time.monotonic() + SECONDS_PER_FILE
    try:
        got = extract.extract(data, record.name, record.content_type,
                              deadline=min(budget, deadline) if deadline else budget)
    except extract.NotExtractable as exc:
        logger.info("text not extracted", extra={"file_id": record.file_id, "reason": exc.reason})
        return "", "not_searchable", exc.reason
    return got.text, "truncated" if got.truncated else "extracted", None


def _indexed(file_id: str) -> dict[str, Any] | None:
    from opensearchpy.exceptions import NotFoundError

    try:
        found = client().get(index=alias(), id=file_id, _source_includes=["version", "content", "content_status"])
    except NotFoundError:
        return None
    return dict(found.get("_source") or {})


def record_note(record: FileRecord, note: str | None) -> None:
    """Record why the text is not searchable, only for the version that was read."""
    if record.search_note == note:
        return
    from pynamodb.exceptions import UpdateError

    action = FileRecord.search_note.set(note) if note else FileRecord.search_note.remove()
    try:
        record.update(actions=[action], condition=FileRecord.version == record.version)
    except UpdateError:
        logger.info("file changed while indexing; its next event records the note", extra={"file_id": record.file_id})
