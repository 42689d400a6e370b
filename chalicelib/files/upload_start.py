"""Opening an upload: files go straight from the browser to S3; the API only checks, signs and completes.

- Up to MULTIPART_THRESHOLD a browser posts one form (presigned POST, content-length-range
  pinned to the declared size). Larger files go in parts (upload_parts.py).
- Where the upload goes is decided at the start (upload_plan.py): a new file, or the next
  version of a file this person may replace; the reply says which, so the page can tell the
  person before they send anything. The object is written straight to that version's key:
  completing an upload (upload_complete.py) records it, and never copies it.
- The declared size is checked against the space's quota here, and again, against what really
  arrived, when the upload completes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, Forbidden
from chalicelib.files import policy, s3
from chalicelib.files.access import resolve_folder
from chalicelib.files.entries import new_id, now
from chalicelib.files.folders import folder_for_path
from chalicelib.files.names import clean_name
from chalicelib.files.open_uploads import UPLOAD_VALID
from chalicelib.files.spaces import space
from chalicelib.files.storage import UploadRecord, bind
from chalicelib.files.upload_plan import PartnerUpload, Plan, check_type, plan, reserve_version

MAX_FILE_BYTES = 10 * 1024**3  # several-GB files are normal (drawings, video of a site visit)
MULTIPART_THRESHOLD = 64 * 1024**2


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
    current = space(space_id)
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
    space_id, folder = resolve_folder(p, folder_id)
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
    scan_required: bool = False,
    versions: bool = True,
) -> UploadTicket:
    """Open an upload into `folder_id`. `scan_required`: a staff upload that must pass the malware
    scan before anyone reads it (a partner's always does); `versions=False`: never the next
    version of a same-named file, always a new file (numbered name on a collision)."""
    p = require_signed_in(principal)
    _check_size(int(size))
    check_type(clean_name(name), partner)
    content_type = _content_type(content_type)
    if relative_path:  # a folder upload: keep the tree the person dropped
        _check_quota(resolve_folder(p, folder_id)[0], size)  # refused before any folder is made
        dirs = [d for d in relative_path.replace("\\", "/").split("/")[:-1] if d]
        folder_id = folder_for_path(p, folder_id, dirs) if dirs else folder_id
    space_id, folder = resolve_folder(p, folder_id)
    if not policy.can_write_in(p, space_id):
        raise Forbidden("You cannot upload here.")
    _check_quota(space_id, size)
    parent = folder.file_id if folder else space_id
    decided = plan(p, parent, name, partner, versions=versions)
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
        scan_required=scan_required or None,
        created_at=now(),
        expires_at=now() + UPLOAD_VALID,
        ttl=int((now() + UPLOAD_VALID + timedelta(days=1)).timestamp()),
    )
    ticket = UploadTicket(upload_id, "post", decided.name, decided.adds_version, version, key=key)
    scan_required = scan_required or partner is not None
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
