"""Completing an upload: check what arrived in S3, then file it as a new file or the next version.

- A presigned PUT cannot cap a size and the local emulator ignores POST policies, so before
  anything is recorded the real size is read from S3 (ListParts / HeadObject) and checked
  against the declaration and the space's quota. Nothing is half-written: the quota, the
  file, its name and its version are one DynamoDB transaction; if it fails, the object goes.
- The object already lies at its version's key (upload_start.py chose it): filing it records
  it, and never copies it.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.storage import failed_conditions, is_cancelled_transaction, transaction, transaction_error
from chalicelib.files import policy, s3
from chalicelib.files.entries import Entry, get_entry, now
from chalicelib.files.folders import visibility_under
from chalicelib.files.names import name_key, numbered
from chalicelib.files.open_uploads import discard, own_upload
from chalicelib.files.spaces import space
from chalicelib.files.storage import FileNameRecord, FileRecord, SpaceRecord, UploadRecord, VersionRecord, bind
from chalicelib.files.upload_plan import MAX_NUMBERED


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
            discard(record)
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
        discard(record)
        raise BadRequest(
            "The file that arrived ({real} bytes) is not the size declared ({declared} bytes).",
            real=real,
            declared=int(record.size),
        )
    if _scan_required(record):
        s3.ensure_scan_tag(record.s3_key)


def _scan_required(record: UploadRecord) -> bool:
    return bool(record.via_link_session or record.scan_required)


def complete(principal: Principal | None, upload_id: str, *, via_link_session: str | None = None) -> Entry:
    """Check what arrived and file it. A partner's upload (via a link), and a staff upload opened
    with `scan_required`, wait for a virus scan."""
    p = require_signed_in(principal)
    record = own_upload(p, upload_id, via_link_session)
    _arrived(record)
    scan_required = _scan_required(record)
    entry = record_version(p, record, scan_required=scan_required)
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
                    s3_key=str(record.s3_key),
                    scan_required=scan_required,
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


def record_version(p: Principal, upload: UploadRecord, *, scan_required: bool = False) -> Entry:
    """File the uploaded object as planned: the next version of its file, or a new file.

    A new file whose name was taken meanwhile gets the next free numbered name; a version
    whose file changed hands, went to the trash or got a newer version meanwhile is refused.
    """
    bind()
    scan = "pending" if scan_required else None
    limit = space(upload.space_id).quota_bytes - int(upload.size)
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
            return get_entry(str(upload.file_id))
        except transaction_error() as exc:
            if not is_cancelled_transaction(exc):
                raise
            failed = failed_conditions(exc)
            if failed and failed[0]:
                discard(upload)
                raise Conflict("There is not enough space left for this file.") from None
            if upload.adds_version or not (len(failed) > 2 and failed[2]):
                discard(upload)
                raise Conflict(
                    "{name} was changed by someone else while you uploaded. Upload it again.", name=upload.name
                ) from None
            # the name was taken meanwhile: try the next numbered one
    discard(upload)
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
    parent = None if policy.is_space_id(upload.folder_id) else get_entry(upload.folder_id)
    vis = visibility_under(parent, upload.space_id, upload.visibility or None)
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
