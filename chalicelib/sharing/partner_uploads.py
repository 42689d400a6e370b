"""A partner's uploads through a file request or an exchange link.

- A partner never changes what they may only read: an upload whose name is taken by a file this
  partner's session did not send gets a new name (`見積書 (2).xlsx`), never a new version of
  someone else's file (files/upload_plan.py holds the rule).
- The partner is recorded as the uploader: the name they gave, the link and the session, on the
  version and in the audit trail. The file belongs to the link's owner, as all shared work does.
- A file request gives each partner session its own subfolder, made once and kept on the
  session by id (two bidders with the same name never share one); before each upload it is
  checked to still be under the link's target.
- Each link caps what partners may send (bytes and files), reserved atomically when an upload
  starts and released when it is abandoned or refused.
- Files are tagged for the malware scan and stay pending until it clears them. Each session
  records what it sent, so a partner sees their own uploads and never anyone else's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, KumoError, NotFound, TooManyRequests
from chalicelib.core.storage import update_if
from chalicelib.core.templating import jst
from chalicelib.files import access, folders, open_uploads, trash, upload_complete, upload_parts, upload_start, versions
from chalicelib.files.entries import Entry, get_entry
from chalicelib.files.names import clean_name, numbered
from chalicelib.files.upload_plan import PartnerUpload, Plan
from chalicelib.sharing import links, partner_types
from chalicelib.sharing.partner import Visit, in_scope, log, owner_of, require_through
from chalicelib.sharing.storage import LinkRecord, PartnerSessionRecord

UPLOADER_NAME_MAX = 60
FOLDER_NAME_TRIES = 50


def _uploader_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise BadRequest(
            "Enter your name (and organisation), so the recipient knows who sent the files.", field="uploader_name"
        )
    if len(name) > UPLOADER_NAME_MAX:
        raise BadRequest(
            "The name is too long (at most {limit} characters).", field="uploader_name", limit=UPLOADER_NAME_MAX
        )
    return clean_name(name, field="uploader_name")


def _session(visit: Visit) -> PartnerSessionRecord:
    return PartnerSessionRecord.get(visit.session_hash, consistent_read=True)


def _as_partner(visit: Visit, uploader_name: str) -> PartnerUpload:
    sent = {str(ref).partition("#")[0] for ref in (_session(visit).uploaded or [])}
    return PartnerUpload(
        visit.link.link_id, visit.session_hash, uploader_name, frozenset(sent), partner_types.allowed()
    )


def _checked_folder(visit: Visit, folder_id: str) -> str:
    """The folder, if it is still active and under the link's target; else the upload is refused."""
    try:
        entry = access.readable(owner_of(visit.link), folder_id)
    except NotFound:
        entry = None
    if entry is None or not entry.is_folder or not in_scope(visit.link, entry):
        raise Conflict("The folder for your files is no longer part of this link. Ask the sender for a new link.")
    return entry.file_id


def _request_folder(visit: Visit, uploader_name: str) -> str:
    """This session's own subfolder of a file request: made at its first upload, then kept by id."""
    stored = _session(visit).upload_folder_id
    if stored:
        return _checked_folder(visit, str(stored))
    owner = owner_of(visit.link)
    base = clean_name(f"{uploader_name} ({jst(datetime.now(UTC), '%Y-%m-%d %H%M')})", field="uploader_name")
    folder: Entry | None = None
    for n in range(1, FOLDER_NAME_TRIES + 1):
        try:
            folder = folders.create_folder(owner, visit.link.target_id, base if n == 1 else numbered(base, n))
            break
        except Conflict:
            continue  # another uploader with the same name in the same minute: a folder of their own
    if folder is None:
        raise Conflict("There are too many folders named like {name} here.", name=base)
    claimed = update_if(
        PartnerSessionRecord(visit.session_hash),
        [
            PartnerSessionRecord.upload_folder_id.set(folder.file_id),
            PartnerSessionRecord.uploader_name.set(uploader_name),
        ],
        PartnerSessionRecord.upload_folder_id.does_not_exist(),
    )
    if not claimed:  # a parallel first upload of this session made its folder first: use that one
        trash.trash(owner, folder.file_id)
        return _checked_folder(visit, str(_session(visit).upload_folder_id))
    return folder.file_id


def _upload_folder(visit: Visit, uploader_name: str) -> str:
    """Where this partner's files go: their own subfolder (file request) or the folder (exchange)."""
    if visit.link.kind == "exchange":
        visit.session.update(actions=[PartnerSessionRecord.uploader_name.set(uploader_name)])
        return _checked_folder(visit, visit.link.target_id)
    return _request_folder(visit, uploader_name)


def _caps(link: links.Link) -> tuple[int, int]:
    """(bytes, files) a link lets partners send; links made before caps existed get the defaults."""
    return (
        link.upload_max_bytes or links.DEFAULT_UPLOAD_MAX_MB * 1024**2,
        link.upload_max_files or links.DEFAULT_UPLOAD_MAX_FILES,
    )


def _reserve(link: links.Link, size: int) -> None:
    """Take `size` bytes and one file of the link's caps, atomically, before the upload starts."""
    max_bytes, max_files = _caps(link)
    used_bytes, used_files = LinkRecord.upload_bytes, LinkRecord.upload_files
    fits = (used_bytes.does_not_exist() | (used_bytes <= max_bytes - size)) & (
        used_files.does_not_exist() | (used_files < max_files)
    )
    if size > max_bytes or not update_if(LinkRecord(link.link_id), [used_bytes.add(size), used_files.add(1)], fits):
        raise TooManyRequests(
            "This link accepts at most {files} files and {mb} MB in all, and that limit is "
            "reached. Ask the sender for more room.",
            files=max_files,
            mb=max_bytes // 1024**2,
        )


def _release(link_id: str, size: int) -> None:
    LinkRecord(link_id).update(actions=[LinkRecord.upload_bytes.add(-size), LinkRecord.upload_files.add(-1)])


def _partner_for(visit: Visit, uploader_name: str) -> PartnerUpload:
    require_through(visit)
    if not visit.link.allows_upload:
        raise Forbidden("This link is for downloading only.")
    return _as_partner(visit, _uploader_name(uploader_name or visit.session.uploader_name or ""))


def preview(visit: Visit, *, uploader_name: str, names: list[str]) -> list[Plan]:
    """What sending these names would do (a new name where one is taken), before anything is sent."""
    who = _partner_for(visit, uploader_name)
    if visit.link.kind == "request" and not _session(visit).upload_folder_id:
        return [upload_start.plan_new(name, who) for name in names[:200]]  # their own folder is not made yet
    folder = _upload_folder(visit, who.uploader_name)
    return upload_start.preview(owner_of(visit.link), folder, names, partner=who)


def start_upload(
    visit: Visit, *, uploader_name: str, name: str, size: int, content_type: str, relative_path: str | None = None
) -> upload_start.UploadTicket:
    who = _partner_for(visit, uploader_name)
    folder = _upload_folder(visit, who.uploader_name)
    _reserve(visit.link, max(0, int(size)))
    try:
        return upload_start.start(
            owner_of(visit.link), folder, name, size, content_type, relative_path=relative_path, partner=who
        )
    except KumoError:
        _release(visit.link.link_id, max(0, int(size)))
        raise


def start_external_upload(
    visit: Visit, *, folder_id: str, uploader_name: str, name: str, size: int, content_type: str
) -> upload_start.UploadTicket:
    """An upload through another slice's link (a survey respondent's), into the folder that slice
    chose for it (the answer's): the same session check, allow-list, caps and malware scan as a
    file request, the organisation recorded as the uploader, and never a version of a file."""
    require_through(visit)
    if not visit.link.external:
        raise Forbidden("This link is for downloading only.")
    who = _as_partner(visit, _uploader_name(uploader_name))
    visit.session.update(actions=[PartnerSessionRecord.uploader_name.set(who.uploader_name)])
    _reserve(visit.link, max(0, int(size)))
    try:
        return upload_start.start(
            owner_of(visit.link), folder_id, name, size, content_type, partner=who, versions=False
        )
    except KumoError:
        _release(visit.link.link_id, max(0, int(size)))
        raise


def sign_part(visit: Visit, upload_id: str, part_number: int, size: int | None, crc32: str) -> str:
    require_through(visit)
    return upload_parts.sign_part(
        owner_of(visit.link), upload_id, part_number, size, crc32, via_link_session=visit.session_hash
    )


def parts(visit: Visit, upload_id: str) -> list[dict[str, Any]]:
    require_through(visit)
    return upload_parts.parts(owner_of(visit.link), upload_id, via_link_session=visit.session_hash)


def abort_upload(visit: Visit, upload_id: str) -> None:
    require_through(visit)
    size = open_uploads.abort(owner_of(visit.link), upload_id, via_link_session=visit.session_hash)
    _release(visit.link.link_id, size)


def complete_upload(visit: Visit, upload_id: str) -> Entry:
    require_through(visit)
    owner = owner_of(visit.link)
    size = open_uploads.declared(owner, upload_id, via_link_session=visit.session_hash)
    try:
        entry = upload_complete.complete(owner, upload_id, via_link_session=visit.session_hash)
    except KumoError:
        try:  # refused for good (the upload is gone): its share of the link's caps is free again
            open_uploads.declared(owner, upload_id, via_link_session=visit.session_hash)
        except NotFound:
            _release(visit.link.link_id, size)
        raise
    sent = PartnerSessionRecord.uploaded
    visit.session.update(actions=[sent.set((sent | []).append([f"{entry.file_id}#{entry.version}"]))])
    s = _session(visit)
    uploader = s.uploader_name or "partner"
    log(
        visit,
        "uploaded",
        file_id=entry.file_id,
        object_name=entry.name,
        detail=f"by {uploader} (v{entry.version}, session {visit.session_hash[:8]})",
    )
    record = versions.version_record(entry.file_id, entry.version)
    events.publish(
        [
            event_catalogue.PartnerUploaded(
                link_id=visit.link.link_id,
                owner_id=visit.link.owner_id,
                notify=bool(visit.link.notify_on_upload),
                file_id=entry.file_id,
                version=entry.version,
                s3_key=record.s3_key,
                space_id=entry.space_id,
                folder_id=entry.parent_id,
                name=entry.name,
                uploader_name=s.uploader_name or "",
                uploader_email=s.verified_email or "",
            )
        ]
    )
    return entry


def my_uploads(visit: Visit) -> list[Entry]:
    """What this partner sent in this session, newest first, as they sent it.

    Only the versions this session recorded: in an exchange folder nobody else's upload
    appears, not even a later version of the same file.
    """
    s = PartnerSessionRecord.get(visit.session_hash)
    sent: list[Entry] = []
    for ref in reversed(list(dict.fromkeys(str(r) for r in (s.uploaded or [])))):
        file_id, _, number = ref.partition("#")
        try:
            entry = get_entry(file_id)
            version = versions.version_record(file_id, int(number))
        except (NotFound, ValueError):
            continue  # deleted since: nothing to show
        if entry.status != "active" or not in_scope(visit.link, entry):
            continue
        sent.append(
            replace(
                entry,
                version=int(number),
                size=int(version.size),
                updated_at=version.uploaded_at,
                content_type=version.content_type,
                scan_status=version.scan_status,
            )
        )
    return sent
