"""Uploads straight from the browser to S3; the API only checks, signs and completes.

- Up to MULTIPART_THRESHOLD a browser posts one form (presigned POST, content-length-range
  pinned to the declared size). Larger files go in parts (presigned UploadPart URLs), which
  a browser can pause, resume and retry part by part (Uppy's AWS S3 plugin does this).
- A presigned PUT cannot cap a size and the local emulator ignores POST policies, so before
  anything is recorded the real size is read from S3 (ListParts / HeadObject) and checked
  against the declaration and the space's quota. Nothing is half-written: the quota, the
  file, its name and its version are one DynamoDB transaction; if it fails, the object goes.
- A second upload with the same name in the same folder becomes a new version of that file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib.core import events
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.core.storage import failed_conditions, get_or_none, is_cancelled_transaction, transaction
from chalicelib.files import policy, s3, service
from chalicelib.files.service import Entry, clean_name, name_key, new_id, now
from chalicelib.files.storage import FileNameRecord, FileRecord, SpaceRecord, UploadRecord, VersionRecord, bind

MAX_FILE_BYTES = 10 * 1024**3  # several-GB files are normal (drawings, video of a site visit)
MULTIPART_THRESHOLD = 64 * 1024**2
UPLOAD_VALID = timedelta(hours=24)
MAX_PARTS = 10_000
# Executables and scripts have no business in a document store; everything else is allowed
# (an HTML file may be stored, and is only ever downloaded as an attachment).
BLOCKED_EXTENSIONS = frozenset({".exe", ".com", ".bat", ".cmd", ".scr", ".msi", ".ps1", ".vbs", ".js", ".jse",
                                ".wsf", ".hta", ".cpl", ".jar", ".lnk"})


@dataclass(frozen=True)
class UploadTicket:
    upload_id: str
    method: str  # "post" | "multipart"
    url: str | None = None
    fields: dict[str, str] | None = None
    key: str | None = None


def _check_file(name: str, size: int, content_type: str) -> tuple[str, str]:
    name = clean_name(name)
    ext = ("." + name.rsplit(".", 1)[1].lower()) if "." in name else ""
    if ext in BLOCKED_EXTENSIONS:
        raise BadRequest("Files of type {ext} cannot be stored here.", field="name", ext=ext)
    if size < 0:
        raise BadRequest("The size must be zero or more.", field="size")
    if size > MAX_FILE_BYTES:
        raise BadRequest("The file is too large (at most {limit} GB).", field="size", limit=MAX_FILE_BYTES // 1024**3)
    content_type = (content_type or "application/octet-stream").strip().lower()[:127]
    if not content_type or "/" not in content_type or any(c in content_type for c in "\r\n"):
        content_type = "application/octet-stream"
    return name, content_type


def _check_quota(space_id: str, size: int) -> None:
    current = service.space(space_id)
    if current.used_bytes + size > current.quota_bytes:
        raise Conflict("There is not enough space: {free} bytes free, the file needs {size}.",
                       free=max(0, current.quota_bytes - current.used_bytes), size=size)


def start(principal: Principal | None, folder_id: str, name: str, size: int, content_type: str, *,
          relative_path: str | None = None, visibility: str | None = None,
          via_link_session: str | None = None) -> UploadTicket:
    p = require_signed_in(principal)
    name, content_type = _check_file(name, int(size), content_type)
    if relative_path:  # a folder upload: keep the tree the person dropped
        _check_quota(service.resolve_folder(p, folder_id)[0], size)  # refused before any folder is made
        dirs = [d for d in relative_path.replace("\\", "/").split("/")[:-1] if d]
        folder_id = service.folder_for_path(p, folder_id, dirs) if dirs else folder_id
    space_id, folder = service.resolve_folder(p, folder_id)
    if not policy.can_write_in(p, space_id):
        raise Forbidden("You cannot upload here.")
    _check_quota(space_id, size)
    upload_id = new_id("up")
    key = s3.upload_key(upload_id)
    record = UploadRecord(upload_id, s3_key=key, folder_id=folder.file_id if folder else space_id, space_id=space_id,
                          name=name, size=size, content_type=content_type, owner_id=p.staff_id,
                          visibility=visibility or "", via_link_session=via_link_session, created_at=now(),
                          expires_at=now() + UPLOAD_VALID,
                          ttl=int((now() + UPLOAD_VALID + timedelta(days=1)).timestamp()))
    if size > MULTIPART_THRESHOLD:
        record.multipart_id = s3.start_multipart(key, content_type)
        bind()
        record.save()
        return UploadTicket(upload_id, "multipart", key=key)
    bind()
    record.save()
    form = s3.presigned_post(key, size, content_type)
    return UploadTicket(upload_id, "post", url=form["url"], fields=form["fields"], key=key)


def _own_upload(principal: Principal | None, upload_id: str, via_link_session: str | None = None) -> UploadRecord:
    """The upload, if it is this person's (and, for a partner, this partner session's)."""
    p = require_signed_in(principal)
    bind()
    record = get_or_none(UploadRecord, upload_id)
    if record is None or record.owner_id != p.staff_id or record.expires_at <= now() \
            or (record.via_link_session or None) != via_link_session:
        raise NotFound("This upload does not exist or has expired. Start it again.")
    return record


def sign_part(principal: Principal | None, upload_id: str, part_number: int, *,
              via_link_session: str | None = None) -> str:
    record = _own_upload(principal, upload_id, via_link_session)
    if not record.multipart_id:
        raise BadRequest("This upload is a single form post, not multipart.")
    if not 1 <= part_number <= MAX_PARTS:
        raise BadRequest("Part numbers go from 1 to {max}.", max=MAX_PARTS)
    return s3.presigned_part(record.s3_key, record.multipart_id, part_number)


def parts(principal: Principal | None, upload_id: str, *, via_link_session: str | None = None) -> list[dict[str, Any]]:
    """What S3 already holds, so a browser can resume after a dropped connection."""
    record = _own_upload(principal, upload_id, via_link_session)
    if not record.multipart_id:
        return []
    return s3.list_parts(record.s3_key, record.multipart_id)


def abort(principal: Principal | None, upload_id: str, *, via_link_session: str | None = None) -> None:
    record = _own_upload(principal, upload_id, via_link_session)
    if record.multipart_id:
        s3.abort_multipart(record.s3_key, record.multipart_id)
    else:
        s3.delete(record.s3_key)
    record.delete()


def complete(principal: Principal | None, upload_id: str, *, via_link_session: str | None = None) -> Entry:
    """Check what arrived and file it. A partner's upload (via a link) waits for a virus scan."""
    p = require_signed_in(principal)
    record = _own_upload(p, upload_id, via_link_session)
    if record.multipart_id:
        uploaded = s3.list_parts(record.s3_key, record.multipart_id)
        real_size = sum(part["Size"] for part in uploaded)
        if real_size < record.size:  # not all there yet: the browser can send the rest and retry
            raise BadRequest("Only {real} of {declared} bytes have arrived. Send the rest, then complete again.",
                             real=real_size, declared=int(record.size))
        if real_size > record.size:  # more than declared (and quota-checked): refused for good
            s3.abort_multipart(record.s3_key, record.multipart_id)
            record.delete()
            raise BadRequest("The file that arrived ({real} bytes) is not the size declared ({declared} bytes).",
                             real=real_size, declared=int(record.size))
        s3.complete_multipart(record.s3_key, record.multipart_id, uploaded)
    else:
        real = s3.object_size(record.s3_key)
        if real is None:
            raise BadRequest("The file has not arrived yet.")
        if real != record.size:
            s3.delete(record.s3_key)
            record.delete()
            raise BadRequest("The file that arrived ({real} bytes) is not the size declared ({declared} bytes).",
                             real=real, declared=int(record.size))
    entry = _record_version(p, record, scan_required=via_link_session is not None)
    record.delete()
    if via_link_session is None:  # a partner's upload is announced by the sharing feature
        events.publish([events.DomainEvent("files", "FileUploaded", {
            "file_id": entry.file_id, "name": entry.name, "space_id": entry.space_id, "folder_id": entry.parent_id,
            "version": entry.version, "size": entry.size, "uploaded_by": p.staff_id, "by_partner": False,
        })])
    return entry


def _record_version(p: Principal, upload: UploadRecord, *, scan_required: bool = False) -> Entry:
    """File the uploaded object as a new file or the next version of the same-named one."""
    bind()
    taken = get_or_none(FileNameRecord, upload.folder_id, name_key(upload.name))
    existing = FileRecord.get(taken.file_id) if taken else None
    if existing is not None and existing.kind == "folder":
        _discard(upload)
        raise Conflict("There is already a folder named {name} here.", name=upload.name)
    if existing is not None and not policy.can_read(p, policy.Item(existing.space_id, existing.owner_id,
                                                                   existing.visibility)):
        _discard(upload)  # names are unique per folder, as on a file server
        raise Conflict("There is already a file named {name} here.", name=upload.name)
    file_id = existing.file_id if existing else new_id("fi")
    version = (int(existing.version) if existing else 0) + 1
    key = s3.version_key(upload.space_id, file_id, version)
    s3.move(upload.s3_key, key, upload.content_type, scan_required=scan_required)
    when = now()
    space = service.space(upload.space_id)
    limit = space.quota_bytes - int(upload.size)
    try:
        with transaction() as t:
            t.update(SpaceRecord(upload.space_id), actions=[SpaceRecord.used_bytes.add(int(upload.size))],
                     condition=SpaceRecord.used_bytes <= limit)
            scan = "pending" if scan_required else None
            t.save(VersionRecord(file_id, f"{version:08d}", s3_key=key, size=upload.size,
                                 content_type=upload.content_type, uploaded_by=p.staff_id, uploaded_at=when,
                                 scan_status=scan),
                   condition=VersionRecord.version.does_not_exist())
            if existing is None:
                _new_file(t, p, upload, file_id, when, scan=scan)
            else:
                t.update(existing, condition=FileRecord.version == version - 1, actions=[
                    FileRecord.version.set(version), FileRecord.size.set(upload.size),
                    FileRecord.content_type.set(upload.content_type), FileRecord.updated_at.set(when),
                    FileRecord.scan_status.set(scan) if scan else FileRecord.scan_status.remove()])
    except Exception as exc:
        s3.delete(key)
        if is_cancelled_transaction(exc):
            failed = failed_conditions(exc)
            if failed and failed[0]:
                raise Conflict("There is not enough space left for this file.") from None
            raise Conflict("Someone saved {name} at the same moment. Upload it again.", name=upload.name) from None
        raise
    return service.get_entry(file_id)


def _new_file(t: Any, p: Principal, upload: UploadRecord, file_id: str, when: Any, *, scan: str | None) -> None:
    parent = None if policy.is_space_id(upload.folder_id) else service.get_entry(upload.folder_id)
    vis = service._visibility_under(parent, upload.space_id, upload.visibility or None)  # noqa: SLF001
    t.save(FileNameRecord(upload.folder_id, name_key(upload.name), file_id=file_id),
           condition=FileNameRecord.name_key.does_not_exist())
    t.save(FileRecord(file_id, kind="file", name=upload.name, name_key=name_key(upload.name),
                      parent_id=upload.folder_id, space_id=upload.space_id, owner_id=p.staff_id, visibility=vis,
                      size=upload.size, content_type=upload.content_type, version=1, status="active",
                      scan_status=scan, created_at=when, updated_at=when))


def refuse_unscanned(scan_status: str | None) -> None:
    if scan_status in (None, "clean"):
        return
    if scan_status == "pending":
        raise Conflict("This file is being checked for viruses. Try again in a few minutes.")
    raise Conflict("This file was quarantined by the virus check ({status}) and cannot be downloaded.",
                   status=scan_status)


def _discard(upload: UploadRecord) -> None:
    s3.delete(upload.s3_key)
    upload.delete()


def restore_version(principal: Principal | None, file_id: str, version: int) -> Entry:
    """Make an old version current again by storing it as the newest one (history is kept)."""
    p = require_signed_in(principal)
    entry = service.manageable(p, file_id)
    old = service.version_record(file_id, version)
    if version == entry.version:
        return entry
    refuse_unscanned(old.scan_status)  # an infected or unchecked version is not brought back
    bind()
    upload_id = new_id("up")
    key = s3.upload_key(upload_id)
    s3.copy(old.s3_key, key, old.content_type)
    record = UploadRecord(upload_id, s3_key=key, folder_id=entry.parent_id, space_id=entry.space_id, name=entry.name,
                          size=old.size, content_type=old.content_type, owner_id=p.staff_id, visibility="",
                          created_at=now(), expires_at=now() + UPLOAD_VALID, ttl=int(now().timestamp()) + 86400)
    record.save()
    restored = _record_version(p, record)
    record.delete()
    return service.announce_change(restored, "version_restored")


def download_url(principal: Principal | None, file_id: str, *, version: int | None = None,
                 inline: bool = False) -> str:
    entry = service.readable(principal, file_id)
    if entry.is_folder:
        raise BadRequest("A folder cannot be downloaded as one file.")
    record = service.version_record(file_id, version or entry.version)
    refuse_unscanned(record.scan_status)
    return s3.presigned_download(record.s3_key, entry.name, record.content_type, inline=inline)
