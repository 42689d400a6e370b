"""A partner's uploads through a file request or an exchange link.

They are filed as the link's owner, into the uploader's own subfolder for a file request (the
folder tree they dropped kept under it) or into the exchange folder, tagged for the malware
scan and marked pending until it clears them. Each session records what it sent, so a partner
sees their own uploads and never anyone else's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.core import events
from chalicelib.core.errors import BadRequest, Forbidden, NotFound
from chalicelib.core.templating import jst
from chalicelib.files import service as files
from chalicelib.files import uploads
from chalicelib.files.service import Entry
from chalicelib.sharing.partner import Visit, in_scope, log, owner_of, require_through
from chalicelib.sharing.storage import PartnerSessionRecord

UPLOADER_NAME_MAX = 60


def _uploader_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise BadRequest("Enter your name (and organisation), so the recipient knows who sent the files.",
                         field="uploader_name")
    if len(name) > UPLOADER_NAME_MAX:
        raise BadRequest("The name is too long (at most {limit} characters).", field="uploader_name",
                         limit=UPLOADER_NAME_MAX)
    return files.clean_name(name)


def _upload_folder(visit: Visit, uploader_name: str) -> str:
    """Where this partner's files go: their own subfolder (file request) or the folder (exchange)."""
    if visit.link.kind == "exchange":
        visit.session.update(actions=[PartnerSessionRecord.uploader_name.set(uploader_name)])
        return visit.link.target_id
    s = PartnerSessionRecord.get(visit.session_hash)
    if s.upload_folder_id:
        return str(s.upload_folder_id)
    stamp = jst(datetime.now(UTC), "%Y-%m-%d %H%M")
    folder_name = files.clean_name(f"{uploader_name} ({stamp})")
    folder = files.folder_for_path(owner_of(visit.link), visit.link.target_id, [folder_name])
    s.update(actions=[PartnerSessionRecord.upload_folder_id.set(folder),
                      PartnerSessionRecord.uploader_name.set(uploader_name)])
    return folder


def start_upload(visit: Visit, *, uploader_name: str, name: str, size: int, content_type: str,
                 relative_path: str | None = None) -> uploads.UploadTicket:
    require_through(visit)
    if not visit.link.allows_upload:
        raise Forbidden("This link is for downloading only.")
    who = _uploader_name(uploader_name or visit.session.uploader_name or "")
    folder = _upload_folder(visit, who)
    return uploads.start(owner_of(visit.link), folder, name, size, content_type, relative_path=relative_path,
                         via_link_session=visit.session_hash)


def sign_part(visit: Visit, upload_id: str, part_number: int) -> str:
    require_through(visit)
    return uploads.sign_part(owner_of(visit.link), upload_id, part_number, via_link_session=visit.session_hash)


def parts(visit: Visit, upload_id: str) -> list[dict[str, Any]]:
    require_through(visit)
    return uploads.parts(owner_of(visit.link), upload_id, via_link_session=visit.session_hash)


def abort_upload(visit: Visit, upload_id: str) -> None:
    require_through(visit)
    uploads.abort(owner_of(visit.link), upload_id, via_link_session=visit.session_hash)


def complete_upload(visit: Visit, upload_id: str) -> Entry:
    require_through(visit)
    entry = uploads.complete(owner_of(visit.link), upload_id, via_link_session=visit.session_hash)
    sent = PartnerSessionRecord.uploaded
    visit.session.update(actions=[sent.set((sent | []).append([f"{entry.file_id}#{entry.version}"]))])
    s = PartnerSessionRecord.get(visit.session_hash)
    log(visit, "uploaded", file_id=entry.file_id, object_name=entry.name,
           detail=f"by {s.uploader_name or 'partner'}")
    record = files.version_record(entry.file_id, entry.version)
    events.publish([events.DomainEvent("sharing", "PartnerUploaded", {
        "link_id": visit.link.link_id, "owner_id": visit.link.owner_id, "notify": visit.link.notify_on_upload,
        "file_id": entry.file_id, "version": entry.version, "s3_key": record.s3_key, "space_id": entry.space_id,
        "folder_id": entry.parent_id, "name": entry.name, "uploader_name": s.uploader_name or "",
        "uploader_email": s.verified_email or ""})])
    return entry


def my_uploads(visit: Visit) -> list[Entry]:
    """What this partner sent in this session, newest first, as they sent it.

    Only the versions this session recorded: in an exchange folder (or a file request's shared
    subfolder name) nobody else's upload appears, not even a later version of the same file.
    """
    s = PartnerSessionRecord.get(visit.session_hash)
    sent: list[Entry] = []
    for ref in reversed(list(dict.fromkeys(str(r) for r in (s.uploaded or [])))):
        file_id, _, number = ref.partition("#")
        try:
            entry = files.get_entry(file_id)
            version = files.version_record(file_id, int(number))
        except (NotFound, ValueError):
            continue  # deleted since: nothing to show
        if entry.status != "active" or not in_scope(visit.link, entry):
            continue
        sent.append(replace(entry, version=int(number), size=int(version.size), updated_at=version.uploaded_at,
                            content_type=version.content_type, scan_status=version.scan_status))
    return sent
