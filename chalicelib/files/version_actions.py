"""What a person does with a stored version: download it, or make an old one current again.

Neither hands out or brings back a version the malware scan has not cleared
(versions.refuse_unscanned). A restore never rewrites history: the old version's object is
copied to a new version's key and filed the way an upload is (upload_complete.record_version),
so the quota and the version number are checked as for any upload.
"""

from __future__ import annotations

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest
from chalicelib.files import s3
from chalicelib.files.access import manageable, readable
from chalicelib.files.changes import announce_change
from chalicelib.files.entries import Entry, new_id, now
from chalicelib.files.open_uploads import UPLOAD_VALID
from chalicelib.files.storage import UploadRecord, bind
from chalicelib.files.upload_complete import record_version
from chalicelib.files.upload_plan import reserve_version
from chalicelib.files.versions import refuse_unscanned, version_record


def restore_version(principal: Principal | None, file_id: str, version: int) -> Entry:
    """Make an old version current again by storing it as the newest one (history is kept)."""
    p = require_signed_in(principal)
    entry = manageable(p, file_id)
    old = version_record(file_id, version)
    if version == entry.version:
        return entry
    refuse_unscanned(old.scan_status)  # an infected or unchecked version is not brought back
    number = reserve_version(file_id)
    key = s3.version_key(entry.space_id, file_id, number)
    s3.copy(old.s3_key, key, old.content_type)
    bind()
    record = UploadRecord(
        new_id("up"),
        s3_key=key,
        folder_id=entry.parent_id,
        space_id=entry.space_id,
        file_id=file_id,
        version=number,
        adds_version=True,
        name=entry.name,
        size=old.size,
        content_type=old.content_type,
        owner_id=p.staff_id,
        visibility="",
        created_at=now(),
        expires_at=now() + UPLOAD_VALID,
        ttl=int(now().timestamp()) + 86400,
    )
    record.save()
    restored = record_version(p, record)
    record.delete()
    return announce_change(restored, "version_restored")


def download_url(principal: Principal | None, file_id: str, *, version: int | None = None, inline: bool = False) -> str:
    entry = readable(principal, file_id)
    if entry.is_folder:
        raise BadRequest("A folder cannot be downloaded as one file.")
    record = version_record(file_id, version or entry.version)
    refuse_unscanned(record.scan_status)
    return s3.presigned_download(record.s3_key, entry.name, record.content_type, inline=inline)
