"""Uploads straight from the browser to S3; the API only checks, signs and completes.

- Up to MULTIPART_THRESHOLD a browser posts one form (presigned POST, content-length-range
  pinned to the declared size). Larger files go in parts (presigned UploadPart URLs, each
  signed for its declared length and its CRC-32), which a browser can pause, resume and retry part by part
  (Uppy's AWS S3 plugin does this).
- Where the upload goes is decided at the start (upload_plan.py): a new file, or the next
  version of a file this person may replace; the reply says which, so the page can tell the
  person before they send anything. The object is written straight to that version's key:
  completing an upload records it, and never copies it.
- A presigned PUT cannot cap a size and the local emulator ignores POST policies, so before
  anything is recorded the real size is read from S3 (ListParts / HeadObject) and checked
  against the declaration and the space's quota. Nothing is half-written: the quota, the
  file, its name and its version are one DynamoDB transaction; if it fails, the object goes.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.core.storage import (
    failed_conditions,
    get_or_none,
    is_cancelled_transaction,
    transaction,
    transaction_error,
)
from chalicelib.files import policy, s3, service
from chalicelib.files.names import clean_name, name_key, numbered
from chalicelib.files.service import Entry, new_id, now
from chalicelib.files.storage import FileNameRecord, FileRecord, SpaceRecord, UploadRecord, VersionRecord, bind
from chalicelib.files.upload_plan import MAX_NUMBERED, PartnerUpload, Plan, check_type, plan, reserve_version

MAX_FILE_BYTES = 10 * 1024**3  # several-GB files are normal (drawings, video of a site visit)
MULTIPART_THRESHOLD = 64 * 1024**2
MIN_PART_BYTES = 5 * 1024**2  # S3's smallest part (all but the last)
MAX_PART_BYTES = 5 * 1024**3  # S3's largest part
UPLOAD_VALID = timedelta(hours=24)
MAX_PARTS = 10_000


@dataclass(frozen=True)
class UploadTicket:
    upload_id: str
    method: str  # "post" | "multipart"
    name: str  # the name the file will be saved under (may differ from the one asked for)
    adds_version: bool  # True: it becomes the next version of the same-named file
    version: int
    url: str | None = None
    fields: dict[str, str] | None = None
    key: str | None = None


def _check_size(size: int) -> None:
    if size < 0:
        raise BadRequest("The size must be zero or more.", field="size")
    if size > MAX_FILE_BYTES:
        raise BadRequest("The file is too large (at most {limit} GB).", field="size", limit=MAX_FILE_BYTES // 1024**3)


def _content_type(content_type: str) -> str:
    content_type = (content_type or "application/octet-stream").strip().lower()[:127]
    if not content_type or "/" not in content_type or any(c in content_type for c in "\r\n"):
        content_type = "application/octet-stream"
    return content_type


def _check_quota(space_id: str, size: int) -> None:
    current = service.space(space_id)
    if current.used_bytes + size > current.quota_bytes:
        raise Conflict(
            "There is not enough space: {free} bytes free, the file needs {size}.",
            free=max(0, current.quota_bytes - current.used_bytes),
            size=size,
        )


def preview(
    principal: Principal | None, folder_id: str, names: list[str], *, partner: PartnerUpload | None = None
) -> list[Plan]:
    """What uploading these names here would do, before anything is sent (shown on the page)."""
    p = require_signed_in(principal)
    space_id, folder = service.resolve_folder(p, folder_id)
    if not policy.can_write_in(p, space_id):
        raise Forbidden("You cannot upload here.")
    parent = folder.file_id if folder else space_id
    return [plan(p, parent, name, partner) for name in names[:200]]


def plan_new(name: str, partner: PartnerUpload | None = None) -> Plan:
    """The plan for a name in a folder that does not exist yet: a new file, under that name."""
    cleaned = clean_name(name)
    check_type(cleaned, partner)
    return Plan(cleaned, None, cleaned)


def start(
    principal: Principal | None,
    folder_id: str,
    name: str,
    size: int,
    content_type: str,
    *,
    relative_path: str | None = None,
    visibility: str | None = None,
    partner: PartnerUpload | None = None,
) -> UploadTicket:
    p = require_signed_in(principal)
    _check_size(int(size))
    check_type(clean_name(name), partner)
    content_type = _content_type(content_type)
    if relative_path:  # a folder upload: keep the tree the person dropped
        _check_quota(service.resolve_folder(p, folder_id)[0], size)  # refused before any folder is made
        dirs = [d for d in relative_path.replace("\\", "/").split("/")[:-1] if d]
        folder_id = service.folder_for_path(p, folder_id, dirs) if dirs else folder_id
    space_id, folder = service.resolve_folder(p, folder_id)
    if not policy.can_write_in(p, space_id):
        raise Forbidden("You cannot upload here.")
    _check_quota(space_id, size)
    parent = folder.file_id if folder else space_id
    decided = plan(p, parent, name, partner)
    file_id = decided.file_id or new_id("fi")
    version = reserve_version(file_id) if decided.file_id else 1
    upload_id = new_id("up")
    key = s3.version_key(space_id, file_id, version)
    record = UploadRecord(
        upload_id,
        s3_key=key,
        folder_id=parent,
        space_id=space_id,
        file_id=file_id,
        version=version,
        adds_version=decided.adds_version,
        name=decided.name,
        size=size,
        content_type=content_type,
        owner_id=p.staff_id,
        visibility=visibility or "",
        via_link_session=partner.session if partner else None,
        via_link=partner.link_id if partner else None,
        partner_name=partner.uploader_name if partner else None,
        created_at=now(),
        expires_at=now() + UPLOAD_VALID,
        ttl=int((now() + UPLOAD_VALID + timedelta(days=1)).timestamp()),
    )
    ticket = UploadTicket(upload_id, "post", decided.name, decided.adds_version, version, key=key)
    scan_required = partner is not None
    if size > MULTIPART_THRESHOLD:
        record.multipart_id = s3.start_multipart(key, content_type, scan_required=scan_required)
        bind()
        record.save()
        return UploadTicket(upload_id, "multipart", decided.name, decided.adds_version, version, key=key)
    bind()
    record.save()
    form = s3.presigned_post(key, size, content_type, scan_required=scan_required)
    return UploadTicket(
        ticket.upload_id,
        "post",
        ticket.name,
        ticket.adds_version,
        version,
        url=form["url"],
        fields=form["fields"],
        key=key,
    )


def _own_upload(principal: Principal | None, upload_id: str, via_link_session: str | None = None) -> UploadRecord:
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


def sign_part(
    principal: Principal | None,
    upload_id: str,
    part_number: int,
    size: int | None,
    crc32: str,
    *,
    via_link_session: str | None = None,
) -> str:
    """A URL for one part with its CRC-32 signed in: S3 accepts only those bytes (and with a
    size, only that length)."""
    record = _own_upload(principal, upload_id, via_link_session)
    if not record.multipart_id:
        raise BadRequest("This upload is a single form post, not multipart.")
    if not 1 <= part_number <= MAX_PARTS:
        raise BadRequest("Part numbers go from 1 to {max}.", max=MAX_PARTS)
    declared = int(record.size)
    if (part_number - 1) * MIN_PART_BYTES >= declared:
        raise BadRequest(
            "Part {number} lies beyond the end of the file ({declared} bytes).",
            field="part_number",
            number=part_number,
            declared=declared,
        )
    if size is not None and not 1 <= size <= min(MAX_PART_BYTES, declared):
        raise BadRequest(
            "A part is between 1 byte and {limit} bytes.", field="size", limit=min(MAX_PART_BYTES, declared)
        )
    if not is_crc32(crc32):
        raise BadRequest("Send the part's CRC-32 checksum (4 bytes, base64) to have it signed.", field="crc32")
    return s3.presigned_part(record.s3_key, record.multipart_id, part_number, size, crc32)


def is_crc32(text: str) -> bool:
    """A CRC-32 as S3 writes it: 4 bytes, big-endian, base64 (8 characters with the padding)."""
    try:
        return len(text) == 8 and len(base64.b64decode(text, validate=True)) == 4
    except (ValueError, TypeError):
        return False


def parts(principal: Principal | None, upload_id: str, *, via_link_session: str | None = None) -> list[dict[str, Any]]:
    """What S3 already holds, so a browser can resume after a dropped connection."""
    record = _own_upload(principal, upload_id, via_link_session)
    if not record.multipart_id:
        return []
    return s3.list_parts(record.s3_key, record.multipart_id)


def abort(principal: Principal | None, upload_id: str, *, via_link_session: str | None = None) -> int:
    """Give up an upload: what arrived is deleted. Returns the bytes it had declared."""
    record = _own_upload(principal, upload_id, via_link_session)
    _discard(record)
    return int(record.size)


def declared(principal: Principal | None, upload_id: str, *, via_link_session: str | None = None) -> int:
    return int(_own_upload(principal, upload_id, via_link_session).size)


def _arrived(record: UploadRecord) -> None:
    """Check that exactly the declared bytes arrived; put the parts together. Refuses otherwise."""
    if record.multipart_id:
        uploaded = s3.list_parts(record.s3_key, record.multipart_id)
        real_size = sum(part["Size"] for part in uploaded)
        if real_size < record.size:  # not all there yet: the browser can send the rest and retry
            raise BadRequest(
                "Only {real} of {declared} bytes have arrived. Send the rest, then complete again.",
                real=real_size,
                declared=int(record.size),
            )
        if real_size > record.size:  # more than declared (and quota-checked): refused for good
            _discard(record)
            raise BadRequest(
                "The file that arrived ({real} bytes) is not the size declared ({declared} bytes).",
                real=real_size,
                declared=int(record.size),
            )
        s3.complete_multipart(record.s3_key, record.multipart_id, uploaded)
        record.update(actions=[UploadRecord.multipart_id.remove()])  # a retried complete finds the object
        return
    real = s3.object_size(record.s3_key)
    if real is None:
        raise BadRequest("The file has not arrived yet.")
    if real != record.size:
        _discard(record)
        raise BadRequest(
            "The file that arrived ({real} bytes) is not the size declared ({declared} bytes).",
            real=real,
            declared=int(record.size),
        )
    if record.via_link_session:
        s3.ensure_scan_tag(record.s3_key)


def complete(principal: Principal | None, upload_id: str, *, via_link_session: str | None = None) -> Entry:
    """Check what arrived and file it. A partner's upload (via a link) waits for a virus scan."""
    p = require_signed_in(principal)
    record = _own_upload(p, upload_id, via_link_session)
    _arrived(record)
    entry = _record_version(p, record, scan_required=via_link_session is not None)
    record.delete()
    if via_link_session is None:  # a partner's upload is announced by the sharing feature
        events.publish(
            [
                event_catalogue.FileUploaded(
                    file_id=entry.file_id,
                    name=entry.name,
                    space_id=entry.space_id,
                    folder_id=entry.parent_id,
                    version=entry.version,
                    size=entry.size,
                    uploaded_by=p.staff_id,
                    by_partner=False,
                )
            ]
        )
    return entry


def _version_record(p: Principal, upload: UploadRecord, scan: str | None) -> VersionRecord:
    return VersionRecord(
        upload.file_id,
        f"{int(upload.version):08d}",
        s3_key=upload.s3_key,
        size=upload.size,
        content_type=upload.content_type,
        uploaded_by=p.staff_id,
        uploaded_at=now(),
        scan_status=scan,
        partner_name=upload.partner_name,
        via_link=upload.via_link,
        via_link_session=upload.via_link_session,
    )


def _record_version(p: Principal, upload: UploadRecord, *, scan_required: bool = False) -> Entry:
    """File the uploaded object as planned: the next version of its file, or a new file.

    A new file whose name was taken meanwhile gets the next free numbered name; a version
    whose file changed hands, went to the trash or got a newer version meanwhile is refused.
    """
    bind()
    scan = "pending" if scan_required else None
    limit = service.space(upload.space_id).quota_bytes - int(upload.size)
    names = [upload.name] + [numbered(upload.name, n) for n in range(2, MAX_NUMBERED + 1)]
    for name in names if not upload.adds_version else [upload.name]:
        try:
            with transaction() as t:
                t.update(
                    SpaceRecord(upload.space_id),
                    actions=[SpaceRecord.used_bytes.add(int(upload.size))],
                    condition=SpaceRecord.used_bytes <= limit,
                )
                t.save(_version_record(p, upload, scan), condition=VersionRecord.version.does_not_exist())
                if upload.adds_version:
                    _next_version(t, upload, scan)
                else:
                    _new_file(t, p, upload, name, scan=scan)
            return service.get_entry(str(upload.file_id))
        except transaction_error() as exc:
            if not is_cancelled_transaction(exc):
                raise
            failed = failed_conditions(exc)
            if failed and failed[0]:
                _discard(upload)
                raise Conflict("There is not enough space left for this file.") from None
            if upload.adds_version or not (len(failed) > 2 and failed[2]):
                _discard(upload)
                raise Conflict(
                    "{name} was changed by someone else while you uploaded. Upload it again.", name=upload.name
                ) from None
            # the name was taken meanwhile: try the next numbered one
    _discard(upload)
    raise Conflict("There are too many files named like {name} here. Choose another name.", name=upload.name)


def _next_version(t: Any, upload: UploadRecord, scan: str | None) -> None:
    version = int(upload.version)
    t.update(
        FileRecord(str(upload.file_id)),
        condition=(FileRecord.version < version) & (FileRecord.status == "active"),
        actions=[
            FileRecord.version.set(version),
            FileRecord.size.set(upload.size),
            FileRecord.content_type.set(upload.content_type),
            FileRecord.updated_at.set(now()),
            FileRecord.scan_status.set(scan) if scan else FileRecord.scan_status.remove(),
        ],
    )


def _new_file(t: Any, p: Principal, upload: UploadRecord, name: str, *, scan: str | None) -> None:
    parent = None if policy.is_space_id(upload.folder_id) else service.get_entry(upload.folder_id)
    vis = service._visibility_under(parent, upload.space_id, upload.visibility or None)  # noqa: SLF001
    when = now()
    t.save(
        FileNameRecord(upload.folder_id, name_key(name), file_id=upload.file_id),
        condition=FileNameRecord.name_key.does_not_exist(),
    )
    t.save(
        FileRecord(
            upload.file_id,
            kind="file",
            name=name,
            name_key=name_key(name),
            parent_id=upload.folder_id,
            space_id=upload.space_id,
            owner_id=p.staff_id,
            visibility=vis,
            size=upload.size,
            content_type=upload.content_type,
            version=1,
            status="active",
            scan_status=scan,
            created_at=when,
            updated_at=when,
        ),
        condition=FileRecord.file_id.does_not_exist(),
    )


def refuse_unscanned(scan_status: str | None) -> None:
    if scan_status in (None, "clean"):
        return
    if scan_status == "pending":
        raise Conflict("This file is being checked for viruses. Try again in a few minutes.")
    raise Conflict(
        "This file was quarantined by the virus check ({status}) and cannot be downloaded.", status=scan_status
    )


def _discard(upload: UploadRecord) -> None:
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
        _discard(upload)
        count += 1
    return count


def restore_version(principal: Principal | None, file_id: str, version: int) -> Entry:
    """Make an old version current again by storing it as the newest one (history is kept)."""
    p = require_signed_in(principal)
    entry = service.manageable(p, file_id)
    old = service.version_record(file_id, version)
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
    restored = _record_version(p, record)
    record.delete()
    return service.announce_change(restored, "version_restored")


def download_url(principal: Principal | None, file_id: str, *, version: int | None = None, inline: bool = False) -> str:
    entry = service.readable(principal, file_id)
    if entry.is_folder:
        raise BadRequest("A folder cannot be downloaded as one file.")
    record = service.version_record(file_id, version or entry.version)
    refuse_unscanned(record.scan_status)
    return s3.presigned_download(record.s3_key, entry.name, record.content_type, inline=inline)
