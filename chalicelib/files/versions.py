"""Stored versions of a file: their history, the scanner's verdict on each, where each is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.core.storage import (
    get_or_none,
)
from chalicelib.files.access import readable
from chalicelib.files.storage import FileRecord, VersionRecord, bind


@dataclass(frozen=True)
class Version:
    version: int
    size: int
    content_type: str
    uploaded_by: str  # a staff id (for a partner's upload, the link's owner)
    uploaded_at: datetime
    partner_name: str | None = None  # a partner's upload: the name they gave, through which link
    via_link: str | None = None


def versions(principal: Principal | None, file_id: str) -> list[Version]:
    entry = readable(principal, file_id)
    if entry.is_folder:
        raise BadRequest("Folders have no versions.")
    bind()
    return [
        Version(int(v.version), int(v.size), v.content_type, v.uploaded_by, v.uploaded_at, v.partner_name, v.via_link)
        for v in VersionRecord.query(file_id, scan_index_forward=False)
    ]


SCAN_STATES = ("pending", "clean", "infected", "unscannable")


def mark_scanned(file_id: str, version: int, status: str) -> bool:
    """Record a malware scan result for one version (the scanner's only way in).

    The file's own status follows only when the version is still the current one. Returns
    False when the file or version no longer exists (deleted meanwhile: nothing to do).
    """
    if status not in SCAN_STATES:
        raise ValueError(f"unknown scan status {status!r}")
    bind()
    record = get_or_none(VersionRecord, file_id, f"{version:08d}")
    if record is None:
        return False
    record.update(actions=[VersionRecord.scan_status.set(status)])
    current = get_or_none(FileRecord, file_id)
    if current is not None and int(current.version) == version:
        current.update(actions=[FileRecord.scan_status.set(status)])
    return True


def refuse_unscanned(scan_status: str | None) -> None:
    """Refuse to hand out (or bring back) a version the malware scan has not cleared."""
    if scan_status in (None, "clean"):
        return
    if scan_status == "pending":
        raise Conflict("This file is being checked for viruses. Try again in a few minutes.")
    raise Conflict(
        "This file was quarantined by the virus check ({status}) and cannot be downloaded.", status=scan_status
    )


@dataclass(frozen=True)
class StoredVersion:
    """One stored version as other modules see it (never the table's record: it stays here)."""

    file_id: str
    version: int
    s3_key: str
    size: int
    content_type: str
    uploaded_by: str
    uploaded_at: datetime
    scan_status: str | None


def version_record(file_id: str, version: int) -> StoredVersion:
    bind()
    record = get_or_none(VersionRecord, file_id, f"{version:08d}")
    if record is None:
        raise NotFound("This version does not exist.")
    return StoredVersion(
        record.file_id,
        int(record.version),
        record.s3_key,
        int(record.size),
        record.content_type,
        record.uploaded_by,
        record.uploaded_at,
        record.scan_status,
    )


def stored_object_key(file_id: str, version: int) -> str | None:
    """The S3 key of one stored version (strongly consistent), or None when it is not recorded."""
    bind()
    record = get_or_none(VersionRecord, file_id, f"{version:08d}", consistent_read=True)
    return record.s3_key if record is not None else None
