"""Uploads started and not yet completed: whose each one is, giving one up, sweeping the abandoned.

An open upload (UploadRecord) says where its object goes and what was declared for it. Only
the person who started it (and, for a partner, the same link session) may go on with it. Given
up, refused, or left for UPLOAD_VALID, it goes with what arrived of it, never with the object
of a version that was recorded after all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import NotFound
from chalicelib.core.storage import get_or_none
from chalicelib.files import s3
from chalicelib.files.entries import now
from chalicelib.files.storage import UploadRecord, VersionRecord, bind

UPLOAD_VALID = timedelta(hours=24)


def own_upload(principal: Principal | None, upload_id: str, via_link_session: str | None = None) -> UploadRecord:
    """The upload, if it is this person's (and, for a partner, this partner session's)."""
    p = require_signed_in(principal)
    bind()
    record = get_or_none(UploadRecord, upload_id)
    if (
        record is None
        or record.owner_id != p.staff_id
        or record.expires_at <= now()
        or (record.via_link_session or None) != via_link_session
    ):
        raise NotFound("This upload does not exist or has expired. Start it again.")
    return record


def abort(principal: Principal | None, upload_id: str, *, via_link_session: str | None = None) -> int:
    """Give up an upload: what arrived is deleted. Returns the bytes it had declared."""
    record = own_upload(principal, upload_id, via_link_session)
    discard(record)
    return int(record.size)


def declared(principal: Principal | None, upload_id: str, *, via_link_session: str | None = None) -> int:
    return int(own_upload(principal, upload_id, via_link_session).size)


def discard(upload: UploadRecord) -> None:
    if upload.multipart_id:
        s3.abort_multipart(upload.s3_key, upload.multipart_id)
    if get_or_none(VersionRecord, upload.file_id, f"{int(upload.version or 0):08d}", consistent_read=True) is None:
        s3.delete(upload.s3_key)  # never the object of a version that was recorded after all
    upload.delete()


def expire_abandoned(at: datetime) -> int:
    """Delete uploads started more than a day ago and never completed (the scheduler's job)."""
    bind()
    count = 0
    for upload in UploadRecord.scan(UploadRecord.expires_at < at):
        discard(upload)
        count += 1
    return count
